"""Ranking metrics over item ids: the shape of sentence-transformers' InformationRetrievalEvaluator.

`ranked` is a system's list of item ids, best first; `relevant` maps item id → graded relevance (>0 relevant).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np


def _check_k(k: int) -> None:
    if k < 1:
        raise ValueError(f"k must be ≥ 1, got {k}")


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int) -> float:
    _check_k(k)
    wanted = {item for item, grade in relevant.items() if grade > 0}
    if not wanted:
        return 0.0
    return len(wanted.intersection(ranked[:k])) / len(wanted)


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    _check_k(k)
    for rank, item in enumerate(ranked[:k], start=1):
        if relevant.get(item, 0) > 0:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, float], k: int = 10) -> float:
    """Graded nDCG with gain = grade (linear), discount log2(rank + 1)."""
    _check_k(k)
    dcg = sum(relevant.get(item, 0) / math.log2(rank + 1) for rank, item in enumerate(ranked[:k], start=1))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(rank + 1) for rank, g in enumerate(ideal, start=1))
    return dcg / idcg if idcg > 0 else 0.0


def bootstrap_interval(
    values: Sequence[float],
    weights: Sequence[float] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float, float]:
    """(estimate, low, high): the mean of `values` with a percentile bootstrap interval over them.

    With `weights` the statistic is the weighted mean Σ w·v / Σ w, i.e. a ratio of sums (for instance the share
    of shown products that satisfy the constraints, resampled by query). Seeded: the same input gives the same
    interval. An empty input gives NaNs.
    """
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be ≥ 1, got {n_resamples}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be within 0–1 (exclusive), got {confidence}")
    v = np.asarray(values, dtype=np.float64)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=np.float64)
    if v.shape != w.shape:
        raise ValueError(f"values and weights differ in length: {len(v)} and {len(w)}")
    if len(v) == 0 or w.sum() <= 0:
        return math.nan, math.nan, math.nan
    estimate = float((v * w).sum() / w.sum())
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(v), size=(n_resamples, len(v)))
    num, den = (v * w)[picks].sum(axis=1), w[picks].sum(axis=1)
    stats = num[den > 0] / den[den > 0]
    alpha = (1 - confidence) / 2
    low, high = np.quantile(stats, [alpha, 1 - alpha])
    return estimate, float(low), float(high)
