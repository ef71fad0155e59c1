"""Run systems over a query set and score them: ranking metrics with bootstrap intervals, constraint
satisfaction, no-answer handling, latency.

Rules (also written into every report):
- ranking metrics (Recall@1/5/10, MRR@10, nDCG@10 with the grades as gains) are over answerable queries only;
- constraint satisfaction = share of shown products (the top `shown`) that meet every gold constraint, over the
  queries that state one (no-answer ones included: anything shown there breaks a constraint), resampled by query;
- no-answer detection = share of no-answer queries where the system returns nothing or flags it; the false-alarm
  rate is the same share over answerable queries;
- 95 % percentile bootstrap intervals, `resamples` resamples of the queries, one seed for every system, so the
  resampled query sets are the same across systems (and paired differences are meaningful).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.index.build import ProgressFactory, no_progress
from rag.records import Product

from .datasets import EvalQuery, satisfies
from .metrics import bootstrap_interval, mrr_at_k, ndcg_at_k, recall_at_k
from .systems import System

logger = logging.getLogger(__name__)

RANKING_METRICS: tuple[str, ...] = ("recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10")


@dataclass
class QueryRun:
    query_id: str
    items: list[str]
    flagged: bool
    ms: float


@dataclass
class SystemRuns:
    key: str
    runs: list[QueryRun]
    subsample: dict | None = None  # set when a time budget stopped the system before every query
    build_seconds: float | None = None


@dataclass
class ScoreSettings:
    k: int = 10
    shown: int = 5
    resamples: int = 1000
    seed: int = 13
    confidence: float = 0.95


def run_system(
    system: System,
    queries: Sequence[EvalQuery],
    k: int = 10,
    progress: ProgressFactory = no_progress,
    budget_seconds: float | None = None,
    seed: int = 13,
) -> SystemRuns:
    """Answer every query; with a time budget, go through a seeded shuffle and stop once the budget is spent."""
    order = list(queries)
    if budget_seconds is not None:
        random.Random(seed).shuffle(order)
    runs: list[QueryRun] = []
    bar = progress(len(order), system.key)
    start = time.perf_counter()
    for query in order:
        answer = system.answer(query, k)
        runs.append(QueryRun(query.query_id, answer.items[:k], answer.flagged, answer.ms))
        bar.update(1)
        if budget_seconds is not None and time.perf_counter() - start > budget_seconds and len(runs) < len(order):
            break
    bar.close()
    subsample = None
    if len(runs) < len(order):
        subsample = {
            "queries": len(runs),
            "of": len(order),
            "rule": f"the first {len(runs)} queries of a shuffle seeded {seed}, where a {budget_seconds:.0f} s "
            "time budget ran out",
        }
        logger.warning("%s: time budget spent after %d of %d queries", system.key, len(runs), len(order))
    return SystemRuns(system.key, runs, subsample)


def _interval(values: Sequence[float], settings: ScoreSettings, weights: Sequence[float] | None = None) -> dict:
    mean, low, high = bootstrap_interval(
        values, weights, n_resamples=settings.resamples, confidence=settings.confidence, seed=settings.seed
    )
    return {"mean": mean, "low": low, "high": high}


def per_query_ranking(query: EvalQuery, items: Sequence[str]) -> dict[str, float]:
    return {
        "recall@1": recall_at_k(items, query.relevant, 1),
        "recall@5": recall_at_k(items, query.relevant, 5),
        "recall@10": recall_at_k(items, query.relevant, 10),
        "mrr@10": mrr_at_k(items, query.relevant, 10),
        "ndcg@10": ndcg_at_k(items, query.relevant, 10),
    }


def score_runs(
    queries: Sequence[EvalQuery],
    runs: SystemRuns,
    settings: ScoreSettings,
    product: Callable[[str], Product | None] | None = None,
) -> dict:
    """The summary of one system on one query set; `product` looks items up for the constraint check."""
    by_id = {q.query_id: q for q in queries}
    answered = [(by_id[r.query_id], r) for r in runs.runs]
    ranked = [(q, r) for q, r in answered if q.answerable]
    per_query = [per_query_ranking(q, r.items) for q, r in ranked]
    out: dict = {
        "queries": len(answered),
        "answerable": len(ranked),
        "metrics": {m: _interval([p[m] for p in per_query], settings) for m in RANKING_METRICS},
    }
    if product is not None and any(q.has_constraints() for q, _ in answered):
        sat, shown_n = [], []
        for q, r in answered:
            if not q.has_constraints():
                continue
            shown = [product(item) for item in r.items[: settings.shown]]
            shown_n.append(len(shown))
            sat.append(sum(p is not None and satisfies(p, q.constraints) for p in shown) / len(shown) if shown else 0.0)
        out["constraint_satisfaction"] = {
            **_interval(sat, settings, shown_n),
            "queries": len(sat),
            "shown": int(sum(shown_n)),
        }
    no_answer = [r.flagged or not r.items for q, r in answered if q.no_answer]
    false_alarm = [r.flagged or not r.items for q, r in answered if q.answerable]
    out["no_answer"] = {
        "queries": len(no_answer),
        "detected": _interval([float(x) for x in no_answer], settings),
        "false_alarm": _interval([float(x) for x in false_alarm], settings),
    }
    ms = [r.ms for r in runs.runs]
    out["latency_ms"] = {
        "p50": float(np.percentile(ms, 50)) if ms else None,
        "p95": float(np.percentile(ms, 95)) if ms else None,
    }
    kinds = sorted({q.kind for q, _ in ranked if q.kind})
    if kinds:
        out["by_kind"] = {
            kind: {
                "queries": sum(1 for q, _ in ranked if q.kind == kind),
                **{
                    m: float(np.mean([p[m] for (q, _), p in zip(ranked, per_query, strict=True) if q.kind == kind]))
                    for m in ("recall@10", "mrr@10", "ndcg@10")
                },
            }
            for kind in kinds
        }
    if runs.subsample:
        out["subsample"] = runs.subsample
    if runs.build_seconds is not None:
        out["build_seconds"] = runs.build_seconds
    return out


def paired_differences(
    queries: Sequence[EvalQuery],
    a: SystemRuns,
    b: SystemRuns,
    settings: ScoreSettings,
    metrics: Sequence[str] = ("mrr@10", "ndcg@10"),
) -> dict:
    """a − b on the answerable queries both answered, with a paired bootstrap interval."""
    by_id = {q.query_id: q for q in queries}
    a_items = {r.query_id: r.items for r in a.runs}
    b_items = {r.query_id: r.items for r in b.runs}
    common = [by_id[qid] for qid in a_items if qid in b_items and by_id[qid].answerable]
    out: dict = {"queries": len(common)}
    for m in metrics:
        diffs = [
            per_query_ranking(q, a_items[q.query_id])[m] - per_query_ranking(q, b_items[q.query_id])[m] for q in common
        ]
        out[m] = _interval(diffs, settings)
    return out


@dataclass
class SetResult:
    summaries: dict[str, dict] = field(default_factory=dict)  # system key → score_runs output
    runs: dict[str, SystemRuns] = field(default_factory=dict)
    comparisons: dict[str, dict] = field(default_factory=dict)  # "a - b" → paired_differences output
    subsample: dict | None = None  # every system scored on a budget-limited system's subset


def compare(
    queries: Sequence[EvalQuery],
    runs: dict[str, SystemRuns],
    settings: ScoreSettings,
    product: Callable[[str], Product | None] | None = None,
    reference: str | None = None,
) -> SetResult:
    """Scores of every system, paired differences of `reference` against each other, and a same-subset table
    when a system ran on fewer queries than the others."""
    result = SetResult(runs=runs)
    for key, system_runs in runs.items():
        result.summaries[key] = score_runs(queries, system_runs, settings, product)
    if reference in runs:
        for key in runs:
            if key != reference:
                result.comparisons[f"{reference} - {key}"] = paired_differences(
                    queries, runs[reference], runs[key], settings
                )
    limited = [key for key, r in runs.items() if r.subsample]
    if limited:
        subset = {r.query_id for r in runs[limited[0]].runs}
        sub_queries = [q for q in queries if q.query_id in subset]
        result.subsample = {
            "system": limited[0],
            "rule": runs[limited[0]].subsample["rule"],
            "systems": {
                key: score_runs(
                    sub_queries, SystemRuns(key, [x for x in r.runs if x.query_id in subset]), settings, product
                )["metrics"]
                for key, r in runs.items()
            },
        }
    return result
