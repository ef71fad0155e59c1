"""Write the demo catalog's events file (view/cart/purchase), seeded and reproducible.

    python -m ingest.demo.make_events        # rewrites ingest/demo/data/events.jsonl

Consistent with the reviews: every reviewer viewed, carted and bought the product a few days before the
review. Around that, each user browses more products of the categories they buy in (views, some carts, a
few extra purchases), so "bought together" has real co-behaviour to learn from. Seeded: the same catalog
gives the same file, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from pathlib import Path

from . import DEMO_DATA

SEED = 20261129
FIRST_DAY, LAST_DAY = dt.date(2024, 11, 20), dt.date(2026, 11, 20)


def _load(kind: str) -> list[dict]:
    rows: list[dict] = []
    for path in sorted(DEMO_DATA.glob(f"*.{kind}.jsonl")):
        rows.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return rows


def _ts(day: dt.date, rng: random.Random) -> str:
    return dt.datetime(day.year, day.month, day.day, rng.randint(7, 23), rng.randint(0, 59)).isoformat()


def make_events(seed: int = SEED) -> list[dict]:
    rng = random.Random(seed)
    products = _load("products")
    reviews = _load("reviews")
    by_leaf: dict[str, list[str]] = defaultdict(list)
    by_top: dict[str, list[str]] = defaultdict(list)
    for p in products:
        by_leaf[p["category"]].append(p["product_id"])
        by_top[p["category"].split(">")[0]].append(p["product_id"])
    category = {p["product_id"]: p["category"] for p in products}
    events: list[dict] = []

    def add(user: str, pid: str, kind: str, day: dt.date) -> None:
        day = min(max(day, FIRST_DAY), LAST_DAY)
        events.append({"user_id": user, "product_id": pid, "event": kind, "ts": _ts(day, rng)})

    bought: dict[str, list[tuple[str, dt.date]]] = defaultdict(list)
    for r in reviews:
        day = dt.date.fromisoformat(r["created_at"]) - dt.timedelta(days=rng.randint(2, 14))
        user, pid = r["user_id"], r["product_id"]
        for offset in range(rng.randint(1, 3), 0, -1):  # a few visits before deciding
            add(user, pid, "view", day - dt.timedelta(days=offset))
        add(user, pid, "cart", day)
        add(user, pid, "purchase", day)
        bought[user].append((pid, day))
    for user in sorted(bought):
        for pid, day in bought[user]:
            leaf, top = category[pid], category[pid].split(">")[0]
            # compared alternatives of the same kind before buying
            for other in rng.sample(by_leaf[leaf], k=min(len(by_leaf[leaf]), rng.randint(1, 3))):
                if other != pid:
                    add(user, other, "view", day - dt.timedelta(days=rng.randint(0, 5)))
            # browsed the rest of the category afterwards; sometimes carted, now and then bought
            for other in rng.sample(by_top[top], k=rng.randint(0, 2)):
                later = day + dt.timedelta(days=rng.randint(3, 60))
                add(user, other, "view", later)
                if rng.random() < 0.3:
                    add(user, other, "cart", later)
                    if rng.random() < 0.4:
                        add(user, other, "purchase", later)
    # shoppers who only browsed
    for n in range(401, 461):
        user = f"u{n:04d}"
        pid = rng.choice(products)["product_id"]
        day = FIRST_DAY + dt.timedelta(days=rng.randint(0, (LAST_DAY - FIRST_DAY).days))
        for other in [pid, *rng.sample(by_leaf[category[pid]], k=min(2, len(by_leaf[category[pid]])))]:
            add(user, other, "view", day)
        if rng.random() < 0.25:
            add(user, pid, "cart", day)
    events.sort(key=lambda e: (e["ts"], e["user_id"], e["product_id"], e["event"]))
    return events


def main() -> None:
    events = make_events()
    out = Path(DEMO_DATA) / "events.jsonl"
    out.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events), encoding="utf-8")
    kinds = defaultdict(int)
    for e in events:
        kinds[e["event"]] += 1
    print(f"{out}: {len(events)} events by {len({e['user_id'] for e in events})} users, {dict(kinds)}")


if __name__ == "__main__":
    main()
