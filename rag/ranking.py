"""Scoring: weighted reciprocal-rank fusion, aggregation of document hits to products, the behaviour prior.

Pure functions over arrays; the weights are parameters (`RankingConfig`), tuned with `python -m eval`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

SORTS = ("value", "popular", "rating", "recent", "price_asc", "price_desc")


@dataclass(frozen=True)
class RankingConfig:
    depth: int = 200  # documents taken from each retriever before fusion
    # fusion and aggregation defaults chosen by `python -m eval.experiments.tune_ranking` (NSMC dev split, seed 101:
    # MRR@10 0.2247 → 0.2436 against the old 60 / 1.0 / 0.5, demo nDCG@10 0.8158 → 0.8177); see the README
    rrf_k: float = 30.0
    sparse_weight: float = 1.0
    dense_weight: float = 0.5
    doc_decay: float = 0.75  # a product's relevance: best document + decay × second + decay² × third …
    docs_per_product: int = 3
    prior_weight: float = 0.15  # share of the final score that comes from behaviour
    prior_features: dict[str, float] = field(
        default_factory=lambda: {"rating": 0.45, "volume": 0.2, "recency": 0.1, "repurchase": 0.1, "purchases": 0.15}
    )
    sort_prior_weight: float = 0.5  # when the shopper asks for a sort (인기, 평점 높은 …)
    cheap_penalty: float = 0.15  # soft "저렴한": × price percentile within the candidate set
    negation_penalty: float = 0.3  # × share of a product's reviews that complain about the unwanted aspect
    # share of a product's relevance that comes from its own fields (BM25F over name, category, specs …, see
    # rag.fields) rather than its review evidence; chosen by `python -m eval.experiments.field_weights`
    field_weight: float = 0.7

    def __post_init__(self) -> None:
        if self.depth < 1:
            raise ValueError(f"depth must be ≥ 1, got {self.depth}")
        if self.rrf_k <= 0:
            raise ValueError(f"rrf_k must be > 0, got {self.rrf_k}")
        if min(self.sparse_weight, self.dense_weight) < 0 or self.sparse_weight + self.dense_weight == 0:
            raise ValueError("sparse_weight and dense_weight must be ≥ 0 and not both 0")
        if not 0 <= self.prior_weight <= 1:
            raise ValueError(f"prior_weight must be within 0–1, got {self.prior_weight}")
        if not 0 <= self.field_weight <= 1:
            raise ValueError(f"field_weight must be within 0–1, got {self.field_weight}")
        unknown = set(self.prior_features) - {"rating", "volume", "recency", "repurchase", "purchases"}
        if unknown:
            raise ValueError(
                f"unknown prior features {sorted(unknown)}; choose from rating, volume, recency, repurchase, purchases"
            )

    def to_dict(self) -> dict:
        return asdict(self)


def rrf_scores(rankings: Sequence[Sequence[int]], weights: Sequence[float], k: float) -> dict[int, float]:
    """Weighted reciprocal-rank fusion: Σ w / (k + rank), rank from 1, over the lists an id appears in."""
    fused: dict[int, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        if weight == 0:
            continue
        for rank, doc in enumerate(ranking, start=1):
            fused[int(doc)] += weight / (k + rank)
    return dict(fused)


def aggregate(
    doc_scores: dict[int, float], doc_product: np.ndarray, decay: float, per_product: int
) -> dict[int, tuple[float, list[int]]]:
    """product row → (relevance, its best doc ids); relevance = Σ decayᶦ · score of its i-th best document."""
    by_product: dict[int, list[tuple[float, int]]] = defaultdict(list)
    for doc, score in doc_scores.items():
        by_product[int(doc_product[doc])].append((score, doc))
    out = {}
    for row, hits in by_product.items():
        hits.sort(key=lambda h: (-h[0], h[1]))
        top = hits[:per_product]
        out[row] = (sum(score * decay**i for i, (score, _) in enumerate(top)), [doc for _, doc in top])
    return out


def combine_relevance(
    evidence: dict[int, tuple[float, list[int]]], fields: dict[int, float], field_weight: float
) -> dict[int, float]:
    """product row → (1 − w) · evidence relevance + w · field score, each scaled by its best among the candidates,
    so that the product whose own name or specs match is not out-voted by another's many matching reviews. A
    product found only by its fields (no review or document hit) takes part with its field share alone."""
    top_e = max((r for r, _ in evidence.values()), default=0.0) or 1.0
    top_f = max(fields.values(), default=0.0) or 1.0
    w = field_weight if fields else 0.0
    rows = set(evidence) | set(fields)
    return {
        row: (1 - w) * (evidence[row][0] / top_e if row in evidence else 0.0) + w * fields.get(row, 0.0) / top_f
        for row in rows
    }


def prior_scores(features: dict[str, np.ndarray], weights: dict[str, float]) -> np.ndarray:
    total = sum(weights.values())
    if total <= 0:
        return np.zeros(len(next(iter(features.values()))))
    return sum(features[name] * w for name, w in weights.items()) / total


SORT_FEATURES: dict[str, dict[str, float]] = {
    "rating": {"rating": 1.0},
    "popular": {"purchases": 0.6, "volume": 0.4},
    "recent": {"recency": 1.0},
    "value": {"rating": 0.5, "repurchase": 0.2, "volume": 0.3},  # price enters separately, see final_scores
}


def final_scores(
    relevance: np.ndarray,
    rows: np.ndarray,
    features: dict[str, np.ndarray],
    price: np.ndarray,
    config: RankingConfig,
    sort: str | None = None,
    cheap: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(scores, behaviour prior) of candidate products `rows` (relevance already aligned with rows). The prior
    returned is the configured one (what a product card shows); a sort request scores with its own weights."""
    rel = relevance / relevance.max() if len(relevance) and relevance.max() > 0 else relevance
    candidate_features = {k: v[rows] for k, v in features.items()}
    prior = prior_scores(candidate_features, config.prior_features)
    sort_weights = SORT_FEATURES.get(sort or "")
    by = prior if sort_weights is None else prior_scores(candidate_features, sort_weights)
    lam = config.sort_prior_weight if sort_weights is not None else config.prior_weight
    score = (1 - lam) * rel + lam * by
    prices = price[rows]
    known = np.isfinite(prices)
    if known.sum() > 1 and (cheap or sort == "value"):
        pct = np.zeros(len(rows))
        order = np.argsort(np.argsort(np.where(known, prices, np.inf)))
        pct[known] = order[known] / max(known.sum() - 1, 1)
        score -= config.cheap_penalty * pct
    if sort in ("price_asc", "price_desc") and known.any():
        # among the clearly relevant half, order by price; the rest follow by score
        relevant = rel >= 0.5
        key = np.where(known, prices, np.inf) if sort == "price_asc" else -np.where(known, prices, -np.inf)
        rank = np.argsort(np.argsort(key))
        score = np.where(relevant, 2.0 - rank / max(len(rows), 1), score)
    return score, prior
