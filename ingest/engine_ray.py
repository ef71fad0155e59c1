"""The Ray Data ingest engine: the local engine's stage functions, with analysis and embedding on a Ray cluster.

    python -m ingest SOURCE... --index DIR --engine ray [--ray-address ADDR] [--workers N]

read+validate runs as one Ray task (its checks span files: a review's product, duplicate ids) and returns its
report whole; documents and the dense selection are the local engine's (`make_documents`, `select_dense`);
analysis and embedding are `map_batches` over actor pools (`ActorPoolStrategy(size=workers)`), each actor
building its own Kiwi and embedder in `__init__` (a Kiwi cannot be pickled: kiwipiepy issue #99). FAISS, BM25
and SQLite are written once, by the driver, through `rag.index.build.build_index` — fed the terms and vectors the
actors computed — so the index, its atomic publish and `--update` are the local engine's.

Threads: each analysis and embedding actor asks for `threads` CPUs and runs Kiwi's pool or its model with that
many threads (set inside the actor, where the model runs). By default a local instance gives its cores to the
workers (1 worker: every core, as the local engine's Kiwi and model use them; 2 workers on 2 cores: one each); on
a cluster each actor takes one CPU unless the embedder's `num_threads` says otherwise.

Stage times: for analyze and embed, `seconds` holds the wall time and `breakdown` what it was spent on, from the
actors' own batch clocks: "actor start" (mean time until an actor's first batch began: scheduling, process start,
imports, Kiwi or model load and a warm-up call) and "busy" (compute, summed over batches). Wall − start − busy /
actors is Ray's own cost (moving rows, waiting for the slowest actor).

Without `ray_address` a local Ray instance is started (a laptop works); with one, the cluster is used. Ray is an
extra: pip install -e ".[ray]".
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import numpy as np

from rag.analyzer import AnalyzerConfig, kiwi_version

if TYPE_CHECKING:  # the actors import this module: the analysis actors need neither the embedders (langchain_core,
    # ~0.25 s of every actor's start) nor the index builder; the driver and the embedding actors import them in use
    from rag.embedders import EmbedderConfig
    from rag.index.build import Existing
    from rag.index.coverage import DenseCoverage

logger = logging.getLogger(__name__)

ANALYZE_BATCH = 1024  # Ray Data costs ~9 ms a batch: at 256, 0.7 s of a 20k-review analyze stage on 2 cores
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
    # CPU threads per embedding actor, its `num_cpus` too, so the cluster packs actors to its cores; None: a local
    # instance's cores shared by the workers, 1 on a cluster
    threads: int | None = None
    seconds: dict = field(default_factory=dict)  # stage → wall seconds on the cluster
    breakdown: dict = field(default_factory=dict)  # stage → {"actor start": s, "busy": s} summed over actors
    _started: bool = False

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ValueError(f"workers must be ≥ 1, got {self.workers}")
        if self.threads is not None and self.threads < 1:
            raise ValueError(f"threads must be ≥ 1, got {self.threads}")
        if self.threads is None:
            # a lone local worker gets every core, as the local engine's model does; on a cluster Ray's unit is a CPU
            self.threads = 1 if self.address else max(1, _local_cpus() // self.workers)

    def __enter__(self) -> RayEngine:
        ray = require_ray()
        if not ray.is_initialized():
            if self.address:
                ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                         logging_level=logging.WARNING)  # fmt: skip
            else:
                start_local(max(self.workers * self.threads, 1) + 1)
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
        began = time.time()  # epoch seconds: compared with the actors' batch clocks
        ds = ray.data.from_items([{"row": i, "text": t} for i, t in enumerate(texts)])
        out = ds.map_batches(
            _AnalyzeActor,
            fn_constructor_args=(config.to_dict(), self.threads),
            compute=ray.data.ActorPoolStrategy(size=self.workers),
            num_cpus=self.threads,  # Kiwi's pool gets as many threads: its default is every core of the node
            batch_size=ANALYZE_BATCH,
            batch_format="numpy",
        )
        terms: list[list[str]] = [[] for _ in texts]
        rows = out.take_all() if texts else []
        for row in rows:
            terms[int(row["row"])] = json.loads(row["terms"])
        self._account("analyze", began, rows)
        return terms

    def embed(self, texts: Sequence[str], config: EmbedderConfig) -> np.ndarray:
        ray = require_ray()
        began = time.time()
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
        rows = out.take_all() if texts else []
        for row in rows:
            vector = np.asarray(row["vector"], dtype=np.float32)
            if vectors is None:
                vectors = np.zeros((len(texts), len(vector)), dtype=np.float32)
            vectors[int(row["row"])] = vector
        self._account("embed", began, rows)
        self.embedder_identity = next((str(r["embedder"]) for r in rows if r["embedder"]), None)
        return vectors if vectors is not None else np.zeros((0, 0), np.float32)

    def _account(self, stage: str, began: float, rows: list) -> None:
        """Wall time; and, from the actors' batch clocks: the mean time until an actor's first batch began, and the
        compute summed over batches (one node's clock, or NTP-close ones on a cluster)."""
        self.seconds[stage] = time.time() - began
        first: dict[int, float] = {}
        born: dict[int, float] = {}
        busy = 0.0
        for r in rows:
            if r["pid"]:
                first[int(r["pid"])] = min(first.get(int(r["pid"]), r["t0"]), r["t0"])
                born[int(r["pid"])] = r["born"]
                busy += r["t1"] - r["t0"]
        start = sum(first.values()) / len(first) - began if first else 0.0
        # of the start: from the actor's __init__ to its first batch, the model's load (the rest is Ray's)
        load = sum(first[p] - born[p] for p in first) / len(first) if first else 0.0
        self.breakdown[stage] = {"actor start": max(start, 0.0), "busy": busy, "actors": len(first),
                                 "actor start: model load": max(load, 0.0)}  # fmt: skip

    def describe_embedder(self, config: EmbedderConfig) -> tuple[str, int]:
        """The embedder's id and dimension, from a worker (the driver need not load the model)."""
        ray = require_ray()
        return ray.get(ray.remote(num_cpus=self.threads)(_embedder_identity).remote(config.to_dict()))

    # ---- everything build_index needs, computed on the cluster ----

    def prepare(self, products, reviews, existing: Existing | None, coverage: DenseCoverage,
                analyzer_config: AnalyzerConfig, embedder_config: EmbedderConfig):  # fmt: skip
        """An analyzer and an embedder for `build_index` that answer from what the actors computed: the same
        documents, the same selection and the same truncations the local engine applies."""
        from rag.index.build import MAX_ANALYZED_CHARS, MAX_EMBEDDED_CHARS, make_documents
        from rag.index.coverage import select_dense

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
        actor_config = replace(embedder_config, num_threads=self.threads)
        if to_embed:  # the embedding actors report the model's id: no extra model load for it
            vectors = self.embed(to_embed, actor_config)
            embedder_id, dim = json.loads(self.embedder_identity)
        else:
            embedder_id, dim = self.describe_embedder(actor_config)
            vectors = np.zeros((0, dim), np.float32)
        analyzer = PrecomputedAnalyzer(analyzer_config, terms)
        vectors_by_text = dict(zip(to_embed, vectors, strict=True))
        embedder = PrecomputedEmbedder(embedder_id, dim, embedder_config.to_dict(), vectors_by_text)
        return analyzer, embedder


class _Timed:
    """An actor that reports, on the first row of every batch, its process id and when (epoch seconds) it started
    and finished that batch, so the driver can tell start-up (until each actor's first batch: scheduling, process
    start, imports, model load) from compute (summed batch times) and from Ray's own cost (the rest); and when its
    `__init__` began, which splits the start-up into Ray's part (scheduling, process, this module's imports) and the
    model's (Kiwi's or the embedder's load and warm-up)."""

    born = 0.0

    def _timed(self, out: dict, started: float) -> dict:
        n = len(out["row"])
        pid, t0, t1, born = np.zeros(n, dtype=np.int64), np.zeros(n), np.zeros(n), np.zeros(n)
        if n:
            pid[0], t0[0], t1[0], born[0] = os.getpid(), started, time.time(), self.born
        return {**out, "pid": pid, "t0": t0, "t1": t1, "born": born}


class _AnalyzeActor(_Timed):
    def __init__(self, config: dict, threads: int) -> None:
        self.born = time.time()
        from kiwipiepy import Kiwi

        from rag.analyzer import KoreanAnalyzer

        # built here: a Kiwi cannot be pickled. Its thread pool defaults to every core of the node (-1), which
        # oversubscribes a node that packs one actor per CPU; the actor's CPUs are its threads
        kiwi = Kiwi(num_workers=threads)
        self.analyzer = KoreanAnalyzer(AnalyzerConfig.from_dict(config), kiwi=kiwi)
        list(self.analyzer.terms_batch(["모델을 미리 불러 둡니다"]))  # warmed: start-up is not counted as compute

    def __call__(self, batch: dict) -> dict:
        started = time.time()
        terms = self.analyzer.terms_batch(str(t) for t in batch["text"])
        # JSON, not joined by spaces: a Kiwi term may hold a space itself
        encoded = [json.dumps(t, ensure_ascii=False) for t in terms]
        return self._timed({"row": batch["row"], "terms": np.array(encoded, dtype=object)}, started)


class _EmbedActor(_Timed):
    def __init__(self, config: dict) -> None:
        self.born, self.config, self.embedder = time.time(), config, None

    def _load(self) -> None:
        # in the thread that runs the batches, which is not __init__'s: an OpenMP runtime keeps a thread team per
        # calling thread, and a warm-up team left in __init__'s thread makes libgomp count more threads than the
        # actor has cores, so it stops spinning at barriers (GOMP's throttled spin): the batches ran ~10 % slower
        from rag.embedders import EmbedderConfig, make_embedder

        self.embedder = make_embedder(EmbedderConfig(**self.config))
        self.embedder.embed_array(["모델을 미리 불러 둡니다"])
        self.identity = json.dumps([self.embedder.embedder_id, self.embedder.dim])

    def __call__(self, batch: dict) -> dict:
        if self.embedder is None:
            self._load()  # before the batch's clock starts: counted as start-up, as in __init__
        started = time.time()
        vectors = self.embedder.embed_array([str(t) for t in batch["text"]])
        identity = np.array([self.identity] + [""] * (len(vectors) - 1), dtype=object)[: len(vectors)]
        return self._timed({"row": batch["row"], "vector": vectors, "embedder": identity}, started)


def start_local(num_cpus: int) -> None:
    """A local Ray instance for the engine. Ray starts its workers at niceness +15 (its `worker_niceness`), so any
    other busy process on the machine takes their cores while the local engine's threads keep theirs; here they run
    at the priority of the process that started them. Nothing reads a local instance's task events or metrics (no
    dashboard), so they are not recorded: on 2 cores they were CPU taken from the actors (the GCS's share halved).
    A cluster (`--ray-address`) keeps its own settings."""
    quiet = {"task_events_report_interval_ms": 0, "enable_metrics_collection": False,
             "metrics_report_interval_ms": 600_000}  # fmt: skip
    require_ray().init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING,
                       _system_config={"worker_niceness": 0, **quiet})  # fmt: skip


def _local_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (a container's, not the host's)
    except AttributeError:  # macOS
        return os.cpu_count() or 1


def _embedder_identity(config: dict) -> tuple[str, int]:
    from rag.embedders import EmbedderConfig, make_embedder

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
