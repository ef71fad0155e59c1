"""PNG plots of the report (matplotlib, Agg backend). Labels are English: the machine may have no CJK font."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

logger = logging.getLogger(__name__)

METRIC_LABELS = {"recall@1": "R@1", "recall@5": "R@5", "recall@10": "R@10", "mrr@10": "MRR@10", "ndcg@10": "nDCG@10"}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _bars(ax, groups: list[str], series: Mapping[str, list[dict | None]], title: str) -> None:
    """Grouped bars with bootstrap error bars; `series` maps a system label → one interval per group."""
    n = max(len(series), 1)
    width = 0.8 / n
    for i, (label, cells) in enumerate(series.items()):
        xs = [g + (i - (n - 1) / 2) * width for g in range(len(groups))]
        means = [c["mean"] if c and c.get("mean") is not None else 0.0 for c in cells]
        lows = [
            max(m - (c.get("low") if c and c.get("low") is not None else m), 0)
            for m, c in zip(means, cells, strict=True)
        ]
        highs = [
            max((c.get("high") if c and c.get("high") is not None else m) - m, 0)
            for m, c in zip(means, cells, strict=True)
        ]
        ax.bar(xs, means, width, yerr=[lows, highs], capsize=2, label=label)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.grid(axis="y", alpha=0.3)


def plot_query_set(name: str, dataset: Mapping, labels: Mapping[str, str], path: Path) -> Path:
    plt = _pyplot()
    summaries = dataset["systems"]
    extras = [k for k in ("constraint_satisfaction",) if any(k in s for s in summaries.values())]
    has_no_answer = any(s["no_answer"]["queries"] for s in summaries.values())
    panels = 2 if extras or has_no_answer else 1
    fig, axes = plt.subplots(1, panels, figsize=(11 if panels == 2 else 8, 4.2), squeeze=False)
    metrics = list(METRIC_LABELS)
    n = dataset["counts"]["answerable"]
    _bars(
        axes[0][0],
        [METRIC_LABELS[m] for m in metrics],
        {labels.get(k, k): [s["metrics"][m] for m in metrics] for k, s in summaries.items()},
        f"{name}: ranking, {n} answerable queries (95% CI)",
    )
    if panels == 2:
        groups, cells = [], {labels.get(k, k): [] for k in summaries}
        if extras:
            groups.append("constraints ok (top 5)")
            for k, s in summaries.items():
                cells[labels.get(k, k)].append(s.get("constraint_satisfaction"))
        if has_no_answer:
            groups += ["no-answer detected", "false alarm"]
            for k, s in summaries.items():
                cells[labels.get(k, k)] += [s["no_answer"]["detected"], s["no_answer"]["false_alarm"]]
        _bars(axes[0][1], groups, cells, f"{name}: constraints and no-answer")
    axes[0][0].legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_behaviour(behaviour: Mapping, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    systems = behaviour["systems"]
    _bars(
        ax,
        ["Recall@10", "nDCG@10"],
        {k: [s["metrics"]["recall@10"], s["metrics"]["ndcg@10"]] for k, s in systems.items()},
        "",
    )
    top = max((c["high"] or 0) for s in systems.values() for c in s["metrics"].values())
    ax.set_ylim(0, max(top * 1.3, 0.01))
    ax.set_title(f"NSMC behaviour task, {behaviour['rule']['cases']} users (95% CI)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_latency(speed: Mapping, path: Path) -> Path:
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(7, 4.2))
    rows = speed.get("latency_vs_size") or []
    if rows:
        xs = [r["reviews"] for r in rows]
        ax.plot(xs, [r["search_ms"]["p50"] for r in rows], "o-", label="hybrid search p50")
        ax.plot(xs, [r["search_ms"]["p95"] for r in rows], "o--", label="hybrid search p95")
        ax.plot(xs, [r["rest_ms"]["p50"] for r in rows], "s:", label="all but query embedding, p50")
        ax.plot(xs, [r["embed_ms"]["p50"] for r in rows], "^:", label="query embedding p50")
    bm25 = speed.get("bm25_only") or []
    if bm25:
        xs = [r["reviews"] for r in bm25]
        ax.plot(xs, [r["search_ms"]["p50"] for r in bm25], "D", label="BM25 only p50")
        ax.plot(xs, [r["search_ms"]["p95"] for r in bm25], "d", label="BM25 only p95")
    ax.set_xscale("log")
    ax.set_xlabel("NSMC reviews indexed")
    ax.set_ylabel("ms per query")
    ax.set_title("Search latency against corpus size")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
