"""Describe the demo catalog: counts per category, review-length and rating distributions, sample reviews.

python -m ingest.demo.describe [--sample 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

from ingest.readers import discover
from ingest.validate import validate

from . import DEMO_DATA

LENGTH_BINS = ((0, 10), (11, 30), (31, 60), (61, 100), (101, 200), (201, 10_000))


def describe(sample: int = 20, seed: int = 7) -> str:
    data = validate(discover(str(DEMO_DATA)))
    top = {pid: p.category_path()[0] for pid, p in data.products.items()}
    lines = [
        f"products {len(data.products)}, reviews {len(data.reviews)}, events {len(data.events)}, "
        f"bad rows {data.skipped()}"
    ]
    reviews_per_cat = Counter(top[r.product_id] for r in data.reviews)
    per_product = Counter(r.product_id for r in data.reviews)
    lines.append(f"{'category':12s} {'products':>8s} {'reviews':>8s} {'no reviews':>10s} {'max/product':>11s}")
    for cat, n in sorted(Counter(top.values()).items()):
        pids = [p for p, c in top.items() if c == cat]
        lines.append(
            f"{cat:12s} {n:8d} {reviews_per_cat[cat]:8d} {sum(per_product[p] == 0 for p in pids):10d} "
            f"{max(per_product[p] for p in pids):11d}"
        )
    lengths = [len(r.text) for r in data.reviews]
    lines.append(
        "review length (chars): "
        + ", ".join(
            f"{lo}–{hi if hi < 10_000 else ''}: {sum(lo <= n <= hi for n in lengths)}" for lo, hi in LENGTH_BINS
        )
        + f"; mean {sum(lengths) / len(lengths):.1f}, max {max(lengths)}"
    )
    ratings = Counter(int(r.rating) for r in data.reviews)
    lines.append(
        "ratings: " + ", ".join(f"{k}★ {ratings[k]} ({ratings[k] / len(data.reviews):.0%})" for k in (5, 4, 3, 2, 1))
    )
    lines.append(
        f"repurchase flags {sum(r.repurchase for r in data.reviews)}, "
        f"helpful ≥ 10: {sum(r.helpful >= 10 for r in data.reviews)}, "
        f"dates {min(r.created_at for r in data.reviews)} – {max(r.created_at for r in data.reviews)}"
    )
    rng = random.Random(seed)
    lines.append(f"{sample} random reviews (seed {seed}):")
    for r in rng.sample(data.reviews, sample):
        lines.append(f"  [{r.review_id} ★{r.rating:g} {r.created_at} {r.option or '-'}] {r.text}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(describe(args.sample, args.seed))


if __name__ == "__main__":
    main()
