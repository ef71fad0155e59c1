"""Where the "bought together" thresholds come from: pairs shown on the real events against shuffled baskets.

    python -m eval.experiments.bought_together [--data DIR] [--rounds 200] [--seed 13]

The data (default: the bundled demo catalog) gives purchase baskets (`rag.related`: a user's purchases within a
week). The null model deals the same products into the same baskets at random (`CoBehaviour.shuffled`: basket
sizes and purchase counts kept, who bought what with what destroyed); a pair that a shuffled catalog shows is shown
by chance. For each (minimum support, z of the lift bound) the table gives the directed pairs shown on the real
events and, over `rounds` shuffles, how many a shuffled catalog shows (mean and maximum): the chance pairs to expect
among the real ones. On the demo, a leaf pair that `ingest.demo.make_events.COMPLEMENTS` does not list is counted as
well: that is co-behaviour the generator did not plant (browsing purchases), which must not be shown.
"""

from __future__ import annotations

import argparse
import statistics

from ingest.demo import DEMO_DATA
from ingest.demo.make_events import COMPLEMENTS, leaf
from ingest.readers import discover
from ingest.validate import validate
from rag.related import LIFT_Z, MIN_SUPPORT, CoBehaviour

SUPPORTS = (1, 2, 3, 4, 5)
ZS = (0.0, 1.645, 1.96)


def shown(model: CoBehaviour, products: list[str], support: int, z: float) -> list[tuple[str, str]]:
    return [(a, r.product_id) for a in products for r in model.together(a, k=10_000, min_support=support, z=z)]


def run(data: str, rounds: int, seed: int) -> list[dict]:
    d = validate(discover(data))
    model = CoBehaviour.from_records(d.reviews, d.events)
    products = sorted(d.products)
    leaves = {pid: leaf(p.category) for pid, p in d.products.items()}
    planted = {frozenset(pair) for pair in COMPLEMENTS}
    nulls = [model.shuffled(seed + i) for i in range(rounds)]
    rows = []
    for support in SUPPORTS:
        for z in ZS:
            real = shown(model, products, support, z)
            chance = [len(shown(n, products, support, z)) for n in nulls]
            rows.append(
                {
                    "support": support,
                    "z": z,
                    "shown": len(real),
                    "not planted": sum(frozenset((leaves[a], leaves[b])) not in planted for a, b in real),
                    "products with a pair": len({a for a, _ in real}),
                    "null mean": statistics.mean(chance),
                    "null max": max(chance),
                }
            )
    print(
        f"{data}: {model.shoppers} shoppers with a purchase, {len(model.baskets)} baskets, basis {model.basis}; "
        f"{rounds} shuffles (seed {seed}); default support {MIN_SUPPORT}, z {LIFT_Z}"
    )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=str(DEMO_DATA), help="a folder of products/reviews/events files")
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    rows = run(args.data, args.rounds, args.seed)
    keys = list(rows[0])
    print("| " + " | ".join(keys) + " |")
    print("|" + "---|" * len(keys))
    for row in rows:
        print("| " + " | ".join(f"{v:.2f}" if isinstance(v, float) else str(v) for v in row.values()) + " |")


if __name__ == "__main__":
    main()
