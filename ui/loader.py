"""The guide, opened once per process and shared by every visitor; the demo index, built on a fresh machine."""

from __future__ import annotations

import gc
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from ingest.demo import DEMO_DATA
from ingest.pipeline import IngestConfig, run_ingest
from rag.analyzer import KoreanAnalyzer
from rag.guide import ShoppingGuide
from rag.index.dense import set_search_threads
from rag.llm import PRESETS, LLMConfig, make_chat_model
from rag.settings import Settings

logger = logging.getLogger(__name__)

DEMO_SOURCES: tuple[str, ...] = (str(DEMO_DATA),)  # what a missing demo index is built from (tests use a tiny shop)
STAGE_LABELS = {"analyze": "형태소 분석", "embed": "임베딩(문장 벡터)"}
_build_lock = threading.Lock()  # module state survives reruns: one build per process, however many visitors


@st.cache_resource(show_spinner=False)
def shared_analyzer() -> KoreanAnalyzer:
    """One Kiwi per process (loading takes ~1.5 s), for the demo build and every index opened."""
    return KoreanAnalyzer()


def index_exists(path: Path) -> bool:
    return (path / "manifest.json").is_file()


class StreamlitProgress:
    """run_ingest's progress factory: one st.progress bar per stage (analyze, embed)."""

    def __init__(self, total: int, desc: str) -> None:
        self.total, self.done = max(total, 1), 0
        self.label = STAGE_LABELS.get(desc, desc)
        self.bar = st.progress(0.0, text=self._text())

    def _text(self) -> str:
        return f"{self.label}: {self.done:,} / {self.total:,}"

    def update(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        self.bar.progress(self.done / self.total, text=self._text())

    def close(self) -> None:
        self.bar.progress(1.0, text=f"{self.label} 완료 ({self.total:,}개)")


def build_demo_index(path: Path) -> None:
    """Build the bundled synthetic catalog's index at `path`, showing progress; a no-op if it appeared meanwhile."""
    if not _build_lock.acquire(blocking=False):
        with st.spinner("다른 방문자의 요청으로 데모 인덱스를 만드는 중이에요. 잠시만 기다려 주세요…"):
            _build_lock.acquire()
    try:
        if index_exists(path):
            return
        label = "처음 실행이라 합성 데모 카탈로그의 인덱스를 만들고 있어요 (2코어 CPU에서 몇 분 걸려요)"
        with st.status(label, expanded=True) as status:
            st.write(f"`{path}` 에 인덱스가 없어서 새로 만들어요. 다음 실행부터는 바로 열려요.")
            config = IngestConfig(sources=DEMO_SOURCES, index=path)
            result = run_ingest(config, progress=StreamlitProgress, analyzer=shared_analyzer())
            counts = result.build.counts
            status.update(
                label=f"데모 인덱스를 만들었어요: 상품 {counts.get('products', 0):,}개 · "
                f"리뷰 {counts.get('reviews', 0):,}개",
                state="complete",
                expanded=False,
            )
    finally:
        _build_lock.release()


@st.cache_resource(show_spinner="인덱스를 여는 중이에요…", max_entries=4)  # an updated index is a new entry
def open_guide(index: str, settings: Settings) -> ShoppingGuide:
    """The grounded guide over one index; raises rag.errors.IndexOpenError (not cached) when it cannot open.
    `settings.embedder_threads` (`--threads`) is also FAISS's thread count per query."""
    guide = ShoppingGuide.from_index(index, analyzer=shared_analyzer(), settings=settings)
    if settings.embedder_threads is not None:
        set_search_threads(settings.embedder_threads)  # process-wide, after the searcher set its own default
    keep_out_of_gc()
    return guide


def keep_out_of_gc() -> None:
    """Streamlit runs a full `gc.collect(2)` after every script run (`runner.postScriptGC`), under the GIL every
    session of the process shares; over an open index's long-lived objects that cost ~85 ms per question on the
    demo. Freezing what exists once the index is open keeps it out of every later collection (what a run leaves
    behind is still collected). Unfreezing first lets a guide evicted from the cache since (an older index
    version) be collected now."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def llm_label(config: LLMConfig) -> str:
    if config.preset:
        return PRESETS[config.preset].label
    return Path(str(config.model_path)).name if config.backend == "gguf" else str(config.model)


@st.cache_resource(show_spinner="LLM을 준비하는 중이에요…")
def guide_with_llm(index: str, settings: Settings, _api_key: str | None) -> ShoppingGuide:
    """The same index with a chat model rewriting the reasons; the model is built (or loaded) once."""
    llm = settings.llm
    if llm.backend == "gguf":  # OpenMP threads spin while they wait; passive waiting keeps 2-core machines usable
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    chat = make_chat_model(llm, api_key=_api_key)
    base = open_guide(index, settings)
    return ShoppingGuide(base.searcher, base.composer, chat, llm_label(llm), base.top_k, llm_deadline=llm.deadline)


@dataclass(frozen=True)
class IndexInfo:
    path: str
    products: int
    reviews: int
    events: int
    created_at: str
    embedder: str
    synthetic: bool  # built from the bundled demo catalog
    categories: tuple[str, ...]  # every category path prefix, for the controls
    brands: tuple[str, ...]


def _under(source: str, folders: tuple[str, ...]) -> bool:
    path = Path(source).resolve()
    return any(path == Path(f).resolve() or Path(f).resolve() in path.parents for f in folders)


@st.cache_resource(show_spinner=False)
def index_info(_guide: ShoppingGuide, key: str, shown: str) -> IndexInfo:
    """What the sidebar and the controls show about an index; `key` is its resolved path, `shown` as configured."""
    manifest = _guide.searcher.index.manifest
    products = _guide.searcher.view.products
    prefixes = {">".join(p.category.split(">")[: i + 1]) for p in products if p.category
                for i in range(p.category.count(">") + 1)}  # fmt: skip
    counts = manifest.counts
    return IndexInfo(
        path=shown,
        products=int(counts.get("products", 0)),
        reviews=int(counts.get("reviews", 0)),
        events=int(counts.get("events", 0)),
        created_at=str(manifest.created_at)[:16].replace("T", " "),
        embedder=str(manifest.embedder.get("id", "")),
        synthetic=any(_under(s, (*DEMO_SOURCES, str(DEMO_DATA))) for s in manifest.sources),
        categories=tuple(sorted(prefixes)),
        brands=tuple(sorted({p.brand for p in products if p.brand})),
    )
