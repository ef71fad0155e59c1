"""Answer speed of the grounded composer: time to the first streamed piece and to the full answer.

    python -m eval.bench_answer --index indexes/demo [--repeat 3]

Runs every demo shopper question through `ShoppingGuide.stream` (the app's path) and prints p50/p95 of the
time to the first text piece and to the last, in one run.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from rag.guide import ShoppingGuide


def run(index: Path, questions: list[str], repeat: int = 3) -> dict:
    start = time.perf_counter()
    guide = ShoppingGuide.from_index(index)
    open_s = time.perf_counter() - start
    for q in questions[:3]:
        list(guide.stream(q))  # warm-up: caches of review summaries fill on first use
    first, full = [], []
    for _ in range(repeat):
        for q in questions:
            t = time.perf_counter()
            pieces = guide.stream(q)
            next(pieces)
            first.append((time.perf_counter() - t) * 1000)
            for _ in pieces:
                pass
            full.append((time.perf_counter() - t) * 1000)
    pct = lambda xs: (float(np.percentile(xs, 50)), float(np.percentile(xs, 95)))  # noqa: E731
    return {"open_s": open_s, "answers": len(full), "first": pct(first), "full": pct(full)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=Path("indexes/demo"))
    parser.add_argument("--queries", type=Path, default=Path("eval/data/demo_queries.jsonl"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    questions = [json.loads(x)["query"] for x in args.queries.read_text(encoding="utf-8").splitlines() if x.strip()]
    r = run(args.index, questions, args.repeat)
    print(f"guide opened in {r['open_s']:.2f} s; {r['answers']} answers (grounded composer)")
    print(f"first streamed piece: p50 {r['first'][0]:.1f} ms, p95 {r['first'][1]:.1f} ms")
    print(f"full answer:          p50 {r['full'][0]:.1f} ms, p95 {r['full'][1]:.1f} ms")


if __name__ == "__main__":
    main()
