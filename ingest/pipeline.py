"""The ingest job as a function: sources in, a published index and a report out. It never prints."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.analyzer import AnalyzerConfig, KoreanAnalyzer
from rag.embedders import EmbedderConfig, make_embedder
from rag.index.build import (
    BuildReport,
    ProgressFactory,
    build_index,
    check_target,
    index_lock,
    no_progress,
    recover_interrupted_publish,
)
from rag.index.catalog import CatalogReader
from rag.index.coverage import DenseCoverage
from rag.index.manifest import CATALOG, MANIFEST, read_manifest
from rag.index.store import HybridIndex
from rag.stats import StatsConfig

from .readers import discover
from .validate import Problem, Validated, validate

# A full ingest that would keep less than this share of the current index's products or reviews is refused
# unless --replace: an ingest of the wrong folder, or of files whose rows were all rejected, is a mistake far
# more often than a wish to empty the index.
KEEP_AT_LEAST = 0.5
ENGINES: tuple[str, ...] = ("local", "ray")


class IngestRefused(ValueError):
    """An ingest that would publish an empty index or drop most of the current one; nothing was written."""


@dataclass(frozen=True)
class IngestConfig:
    sources: tuple[str, ...]
    index: Path
    update: bool = False
    strict: bool = False
    replace: bool = False  # allow publishing an index that drops most of the current one (or holds no product)
    encoding: str | None = None  # force every source's encoding; None detects it per file
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    coverage: DenseCoverage = field(default_factory=DenseCoverage)
    stats: StatsConfig = field(default_factory=StatsConfig)
    engine: str = "local"  # local: this process; ray: analysis and embedding on a Ray cluster (ingest.engine_ray)
    ray_address: str | None = None  # None starts a local Ray instance
    workers: int = 1  # ray: actors per stage

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError("name at least one SOURCE: a file, KIND=FILE, or a folder of products/reviews/events")
        if self.engine not in ENGINES:
            raise ValueError(f"engine must be one of {', '.join(ENGINES)}, got {self.engine!r}")
        if self.workers < 1:
            raise ValueError(f"workers must be ≥ 1, got {self.workers}")


@dataclass
class IngestResult:
    build: BuildReport
    rows_read: dict
    problems: list[Problem]
    seconds: dict  # stage → seconds, read/validate included
    notices: list[str] = field(default_factory=list)  # about the index itself, e.g. a backup put back

    def skipped_by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.problems:
            if p.is_error:
                out[p.reason] = out.get(p.reason, 0) + 1
        return out

    def notices_by_reason(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.problems:
            if not p.is_error:
                out[p.reason] = out.get(p.reason, 0) + 1
        return out


def run_ingest(
    config: IngestConfig, progress: ProgressFactory = no_progress, analyzer: KoreanAnalyzer | None = None, embedder=None
) -> IngestResult:
    """Read, validate, analyse, embed and publish. `analyzer`/`embedder` let callers share loaded models.

    The index's writer lock is held from before the old index is read until the new one is published, so an
    update never overwrites what another ingest published meanwhile."""
    if config.engine == "ray":
        from .engine_ray import RayEngine, require_ray

        require_ray()  # before any work: the extra may be missing
        with RayEngine(config.ray_address, config.workers, config.embedder.num_threads) as engine:
            return _run(config, progress, analyzer, embedder, engine)
    return _run(config, progress, analyzer, embedder, None)


def _run(config: IngestConfig, progress: ProgressFactory, analyzer, embedder, engine) -> IngestResult:
    seconds: dict[str, float] = {}
    timer = time.perf_counter()
    sources = [s for arg in config.sources for s in discover(arg, config.encoding)]
    with index_lock(config.index):
        notices = [m for m in [recover_interrupted_publish(config.index)] if m]
        check_target(config.index)  # a file or a user's folder is refused before any work
        existing, coverage = None, config.coverage
        if config.update:
            # an update keeps the index's own analyzer, embedder and coverage policy, so old and new agree
            old = HybridIndex.open(config.index, embedder=embedder, analyzer=analyzer)
            analyzer, embedder, coverage = old.analyzer, old.embedder, old.coverage
            existing = old.existing()
            old.close()
        seconds["open"] = time.perf_counter() - timer

        timer = time.perf_counter()
        known = {p.product_id: p for p in existing.products} if existing else None
        known_reviews = {r.review_id for r in existing.reviews} if existing else None
        check = engine.validate if engine is not None else validate
        data = check(sources, known_products=known, known_review_ids=known_reviews, strict=config.strict)
        seconds["read+validate"] = time.perf_counter() - timer
        if not config.update and not config.replace:
            check_replacement(config.index, data)

        timer = time.perf_counter()
        if engine is not None:  # the actors analyse and embed; build_index writes what they computed
            analyzer_config = analyzer.config if analyzer is not None else config.analyzer
            embedder_config = EmbedderConfig(**embedder.config) if embedder is not None else config.embedder
            analyzer, embedder = engine.prepare(list(data.products.values()), data.reviews, existing, coverage,
                                                analyzer_config, embedder_config)  # fmt: skip
        else:
            analyzer = analyzer or KoreanAnalyzer(config.analyzer)
            embedder = embedder or make_embedder(config.embedder)
            seconds["load models"] = time.perf_counter() - timer

        report = build_index(
            config.index,
            list(data.products.values()),
            data.reviews,
            data.events,
            analyzer,
            embedder,
            coverage=coverage,
            stats_config=config.stats,
            existing=existing,
            sources=[str(s.path) for s in sources],
            progress=progress,
            engine=config.engine,
        )
    seconds.update(report.seconds)
    if engine is not None:  # build_index only looked up what the actors computed: their time is the stages' time
        done = {"analyze": report.counts["new_documents"], "embed": report.counts["new_dense_vectors"]}
        for stage, n in done.items():
            seconds[stage] = report.seconds[stage] = engine.seconds.get(stage, 0.0)
            report.rates[stage] = n / max(seconds[stage], 1e-9)
            seconds.update({f"{stage}: {k}": v for k, v in engine.breakdown.get(stage, {}).items() if k != "actors"})
    return IngestResult(report, dict(data.rows_read), data.problems, seconds, notices)


def check_replacement(index: Path, data: Validated) -> None:
    """Refuse a full ingest that has no product, or keeps less than KEEP_AT_LEAST of the current index."""
    index = Path(index)
    current = read_manifest(index).counts if (index / MANIFEST).is_file() else None
    new = {"products": len(data.products), "reviews": len(data.reviews)}
    skipped = data.skipped()
    why = f" ({skipped:,} rows were skipped, see the messages above)" if skipped else ""
    if current is None:
        if not new["products"]:
            raise IngestRefused(
                f"nothing to index: no product was read{why}; add a products file (or fix its rows), "
                "or add --replace to write an empty index anyway"
            )
        return
    shrinks = [
        f"{kind} {current.get(kind, 0):,} → {new[kind]:,}"
        for kind in ("products", "reviews")
        if new[kind] < KEEP_AT_LEAST * current.get(kind, 0) or (kind == "products" and not new[kind])
    ]
    if not shrinks:
        return
    message = (
        f"refused: this ingest would replace the index at {index} with a smaller one ({', '.join(shrinks)}){why}; "
    )
    in_index = _products_in_index(index, data.unknown_products)
    if in_index:
        message += (
            f"{in_index:,} of the rows name products that are in the current index: to add them to it, run "
            f"again with --update; "
        )
    else:
        message += "name all of the catalog's files (products and reviews) to rebuild it; "
    raise IngestRefused(message + "to replace the index anyway, add --replace")


def _products_in_index(index: Path, wanted: dict) -> int:
    """How many rejected rows name a product the current index holds (they belong in an --update)."""
    if not wanted:
        return 0
    catalog = CatalogReader(index / CATALOG)
    try:
        return sum(n for product_id, n in wanted.items() if catalog.product(product_id) is not None)
    finally:
        catalog.close()


def describe_sources(args: Sequence[str], encoding: str | None = None) -> list[str]:
    return [f"{s.path} ({s.kind}, {s.fmt}, {s.encoding})" for arg in args for s in discover(arg, encoding)]
