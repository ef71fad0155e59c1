"""Answer speed of comparisons and of help-me-decide picks, in one run (the machine may be shared: compare ratios).

    python -m eval.bench_compare --index indexes/demo [--repeat 3]

- comparison questions made from the catalog itself: for each category, its first two products named by their
  first two name words (`A랑 B 중 뭐가 나아?`), and `둘 차이` after a recommendation of that category;
- the demo shopper questions with help-me-decide picks, and the same questions with picks switched off (the answer
  as before this feature), alternating question by question so that load on the machine hits both alike.
Prints p50/p95 of the full answer (`ShoppingGuide.ask`) for each.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

import rag.guide
from rag.guide import ShoppingGuide, Turn


def comparison_questions(guide: ShoppingGuide) -> list[str]:
    by_category = defaultdict(list)
    for p in guide.searcher.view.products:
        by_category[p.category].append(p)
    out = []
    for products in by_category.values():
        if len(products) >= 2:
            a, b = (" ".join(p.name.split()[:2]) for p in products[:2])
            out.append(f"{a}랑 {b} 중 뭐가 나아?")
    return out


def _ms(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def run(index: Path, questions: list[str], repeat: int = 3) -> dict:
    guide = ShoppingGuide.from_index(index)
    compare = comparison_questions(guide)
    leaves = sorted({p.category.split(">")[-1] for p in guide.searcher.view.products})
    for q in questions[:3] + compare[:3]:
        guide.ask(q)  # warm-up
    named, shown, with_picks, without_picks = [], [], [], []
    decide = rag.guide.decide
    for _ in range(repeat):
        for q in compare:
            named.append(_ms(lambda q=q: guide.ask(q)))
        for leaf in leaves:
            first = guide.ask(f"{leaf} 추천해줘")
            shown.append(_ms(lambda first=first, leaf=leaf: guide.ask("둘 차이", [Turn(f"{leaf} 추천해줘", first)])))
        for q in questions:
            with_picks.append(_ms(lambda q=q: guide.ask(q)))
            rag.guide.decide = lambda recs, comparer=None: None  # the answer without picks
            try:
                without_picks.append(_ms(lambda q=q: guide.ask(q)))
            finally:
                rag.guide.decide = decide
    pct = lambda xs: (float(np.percentile(xs, 50)), float(np.percentile(xs, 95)))  # noqa: E731
    return {
        "named": pct(named),
        "named_n": len(named),
        "shown": pct(shown),
        "shown_n": len(shown),
        "with_picks": pct(with_picks),
        "without_picks": pct(without_picks),
        "questions": len(questions),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("indexes/demo"))
    parser.add_argument("--queries", type=Path, default=Path("eval/data/demo_queries.jsonl"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questions = [json.loads(x)["query"] for x in args.queries.read_text(encoding="utf-8").splitlines() if x.strip()]
    r = run(args.index, questions, args.repeat)
    for key, what in (("named", "named products"), ("shown", "'둘 차이' after a recommendation")):
        p50, p95 = r[key]
        print(f"comparison, {what} ({r[key + '_n']} answers): p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    w, wo = r["with_picks"], r["without_picks"]
    print(f"demo questions ({r['questions']} × repeat), with picks:    p50 {w[0]:.1f} ms, p95 {w[1]:.1f} ms")
    print(f"demo questions ({r['questions']} × repeat), without picks: p50 {wo[0]:.1f} ms, p95 {wo[1]:.1f} ms")
    print(f"ratio with/without picks: p50 {w[0] / wo[0]:.2f}, p95 {w[1] / wo[1]:.2f}")


if __name__ == "__main__":
    main()
