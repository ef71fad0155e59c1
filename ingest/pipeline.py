"""The ingest job as a function: sources in, a published index and a report out. It never prints."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.analyzer import AnalyzerConfig, KoreanAnalyzer
from rag.embedders import EmbedderConfig, make_embedder
from rag.index.build import BuildReport, ProgressFactory, build_index, no_progress
from rag.index.coverage import DenseCoverage
from rag.index.store import HybridIndex
from rag.stats import StatsConfig

from .readers import discover
from .validate import Problem, validate


@dataclass(frozen=True)
class IngestConfig:
    sources: tuple[str, ...]
    index: Path
    update: bool = False
    strict: bool = False
    analyzer: AnalyzerConfig = field(default_factory=AnalyzerConfig)
    embedder: EmbedderConfig = field(default_factory=EmbedderConfig)
    coverage: DenseCoverage = field(default_factory=DenseCoverage)
    stats: StatsConfig = field(default_factory=StatsConfig)

    def __post_init__(self) -> None:
        if not self.sources:
            raise ValueError("name at least one SOURCE: a file, KIND=FILE, or a folder of products/reviews/events")


@dataclass
class IngestResult:
    build: BuildReport
    rows_read: dict
    problems: list[Problem]
    seconds: dict  # stage → seconds, read/validate included

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
    """Read, validate, analyse, embed and publish. `analyzer`/`embedder` let callers share loaded models."""
    seconds: dict[str, float] = {}
    timer = time.perf_counter()
    sources = [s for arg in config.sources for s in discover(arg)]
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
    data = validate(sources, known_products=known, known_review_ids=known_reviews, strict=config.strict)
    seconds["read+validate"] = time.perf_counter() - timer

    timer = time.perf_counter()
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
    )
    seconds.update(report.seconds)
    return IngestResult(report, dict(data.rows_read), data.problems, seconds)


def describe_sources(args: Sequence[str]) -> list[str]:
    return [f"{s.path} ({s.kind}, {s.fmt})" for arg in args for s in discover(arg)]
