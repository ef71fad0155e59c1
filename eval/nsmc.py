"""NSMC (Naver movie reviews, CC0) as evaluation data: movies stand in for products.

Held-out item retrieval: `eval.heldout.build_item_heldout` draws movies and one unique review per movie (seeded,
rule in that module); the held-out reviews are the queries, their movie the one relevant item, and the remaining
reviews are indexed with rag's own builder. Full mode indexes the whole rest of NSMC under the default dense
budget; quick mode indexes only the drawn movies' reviews with about 3 vectors per movie (the share the full
ingest can afford).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ingest.readers import discover
from ingest.validate import Validated, validate
from rag.analyzer import KoreanAnalyzer
from rag.index.build import ProgressFactory, build_index, no_progress
from rag.index.coverage import DenseCoverage

from .datasets import EvalQuery, QuerySet
from .heldout import build_item_heldout
from .indexes import ensure_index, files_fingerprint, model_fingerprint

logger = logging.getLogger(__name__)

NSMC_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data" / "nsmc" / "reviews.tsv.gz"


def load_nsmc(path: Path) -> Validated:
    """Every NSMC row as validated records (about 10 s for the 712k reviews)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: NSMC file not found; pass --nsmc PATH to ../shared/data/nsmc/reviews.tsv.gz")
    start = time.perf_counter()
    data = validate(discover(str(path)))
    logger.info(
        "read %d NSMC reviews of %d movies in %.1f s",
        len(data.reviews),
        len(data.products),
        time.perf_counter() - start,
    )
    return data


@dataclass(frozen=True)
class HeldOutSettings:
    items: int = 1000  # movies drawn; one query each
    per_item: int = 1
    min_reviews: int = 20
    min_query_chars: int = 10
    seed: int = 13
    restrict_index_to_items: bool = False  # quick mode: index only the drawn movies' reviews
    dense_budget: int | None = None  # None: the default DenseCoverage budget


def heldout_queryset(
    data: Validated,
    source: Path,
    index_path: Path,
    settings: HeldOutSettings,
    analyzer: KoreanAnalyzer,
    embedder,
    progress: ProgressFactory = no_progress,
) -> QuerySet:
    split = build_item_heldout(
        data.reviews,
        min_reviews=settings.min_reviews,
        per_item=settings.per_item,
        max_items=settings.items,
        min_query_chars=settings.min_query_chars,
        seed=settings.seed,
        restrict_index_to_items=settings.restrict_index_to_items,
    )
    coverage = DenseCoverage() if settings.dense_budget is None else DenseCoverage(budget=settings.dense_budget)
    fingerprint = {
        "split": split.rule,
        "coverage": coverage.to_dict(),
        "source": files_fingerprint([Path(source)]),
        **model_fingerprint(analyzer, embedder),
    }

    def build() -> None:
        ids = sorted({r.product_id for r in split.index_reviews})
        products = [data.products[pid] for pid in ids]
        logger.info("indexing %d NSMC reviews of %d movies at %s", len(split.index_reviews), len(products), index_path)
        build_index(
            index_path,
            products,
            split.index_reviews,
            [],
            analyzer,
            embedder,
            coverage=coverage,
            sources=[str(source)],
            progress=progress,
        )

    reused = ensure_index(index_path, fingerprint, build)
    queries = [EvalQuery(q.query_id, q.text, {q.item_id: 1.0}) for q in split.queries]
    rule = {
        **split.rule,
        "dense_budget": coverage.budget,
        "index_reused": reused,
        "description": "held-out NSMC reviews as queries, their movie as the one relevant item (movies stand in "
        "for products); the rule of eval/heldout.py",
        "settings": asdict(settings),
    }
    return QuerySet("nsmc", queries, Path(index_path), parse=False, rule=rule)
