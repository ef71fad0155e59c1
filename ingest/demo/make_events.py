"""Write the demo catalog's events file (view/cart/purchase), seeded and reproducible.

    python -m ingest.demo.make_events        # rewrites ingest/demo/data/events.jsonl

The rule (seed `SEED`; the same catalog and seed give the same file, byte for byte):
1. Reviewers: every review's author viewed the product one to three times, carted it and bought it 2–14 days
   before the review date.
2. Quiet buyers: `QUIET_BUYERS` shoppers who bought one product and wrote no review (most buyers never do), the
   product drawn in proportion to the purchases it has left (below), a day drawn from the events' two years.
3. Complements: a purchase of a product whose leaf category has complements in `COMPLEMENTS` takes one along in
   the same trip (0–2 days later) with probability `COMPLEMENT_RATE`: a complement leaf drawn uniformly, a product
   of it drawn in proportion to the purchases it has left, never one the shopper already bought. `COMPLEMENTS` is a
   small hand-written table between the catalog's leaf categories (a tent is bought with a camping chair, a
   stroller with a baby carrier; a humidifier with an air purifier, for the same dry winter bedroom); a leaf with
   no obvious complement in this catalog (김치, 수납장 …) has none. The table is checked against the catalog: a
   leaf it names must exist.
4. Browsing around it: before a purchase the shopper compared one or two products of the same leaf (views);
   afterwards they browsed their top category (views, some carts, now and then a purchase 3–60 days later):
   co-behaviour that is not a complement, which "bought together" must not mistake for one.
5. Shoppers who only browsed: 60 users with views and a few carts, no purchase.
Event purchases never exceed a product's `purchases` (the product file's count of all its sales): a draw only
picks products with purchases left, and step 1 is checked first.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter, defaultdict
from pathlib import Path

from . import DEMO_DATA

SEED = 20261201
FIRST_DAY, LAST_DAY = dt.date(2024, 11, 20), dt.date(2026, 11, 20)
QUIET_BUYERS = 600
COMPLEMENT_RATE = 0.45

# Leaf categories (the last part of a category path) bought together in one shopping trip, both ways.
COMPLEMENTS: tuple[tuple[str, str], ...] = (
    ("텐트", "캠핑의자"),
    ("유모차", "아기띠"),
    ("유모차", "아기물티슈"),
    ("기저귀", "아기물티슈"),
    ("러닝화", "무선이어폰"),
    ("러닝화", "선크림"),  # the catalog's sports sunscreen says 러닝
    ("등산화", "등산스틱"),
    ("레인부츠", "레인코트"),
    ("가습기", "공기청정기"),
    ("사무용의자", "책상"),
    ("무선마우스", "책상"),
    ("사료", "배변패드"),
    ("사료", "자동급식기"),
    ("고양이모래", "자동급식기"),
    ("선크림", "클렌징폼"),
    ("수분크림", "클렌징폼"),
    ("에어프라이어", "닭가슴살"),
    ("요가매트", "닭가슴살"),
    ("원두커피", "텀블러"),
    ("맨투맨/후드티", "청바지"),
    ("청바지", "스니커즈"),
    ("무선이어폰", "보조배터리"),
)


def leaf(category: str) -> str:
    return category.split(">")[-1]


def complement_leaves(leaves: set[str]) -> dict[str, list[str]]:
    """leaf → its complement leaves (sorted), from `COMPLEMENTS`; a leaf the catalog lacks is an error."""
    unknown = sorted({x for pair in COMPLEMENTS for x in pair} - leaves)
    if unknown:
        raise ValueError(f"COMPLEMENTS names leaf categories the catalog does not have: {', '.join(unknown)}")
    table: dict[str, set[str]] = defaultdict(set)
    for a, b in COMPLEMENTS:
        table[a].add(b)
        table[b].add(a)
    return {k: sorted(v) for k, v in table.items()}


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
        by_leaf[leaf(p["category"])].append(p["product_id"])
        by_top[p["category"].split(">")[0]].append(p["product_id"])
    category = {p["product_id"]: p["category"] for p in products}
    complements = complement_leaves(set(by_leaf))
    left = {p["product_id"]: int(p.get("purchases") or 0) for p in products}
    reviewed = Counter(r["product_id"] for r in reviews)
    over = sorted(pid for pid, n in reviewed.items() if n > left.get(pid, 0))
    if over:
        raise ValueError(f"more reviews than purchases for {', '.join(over)}: raise their `purchases`")
    for pid, n in reviewed.items():
        left[pid] -= n
    events: list[dict] = []
    bought: dict[str, set[str]] = defaultdict(set)

    def add(user: str, pid: str, kind: str, day: dt.date) -> None:
        day = min(max(day, FIRST_DAY), LAST_DAY)
        events.append({"user_id": user, "product_id": pid, "event": kind, "ts": _ts(day, rng)})

    def buy(user: str, pid: str, day: dt.date, visits: int) -> None:
        for offset in range(visits, 0, -1):  # a few visits before deciding
            add(user, pid, "view", day - dt.timedelta(days=offset))
        add(user, pid, "cart", day)
        add(user, pid, "purchase", day)
        bought[user].add(pid)

    def draw(candidates: list[str], user: str) -> str | None:
        """A product with purchases left that the user has not bought, in proportion to the purchases left."""
        open_ = [pid for pid in candidates if left[pid] > 0 and pid not in bought[user]]
        if not open_:
            return None
        pid = rng.choices(open_, weights=[left[x] for x in open_])[0]
        left[pid] -= 1
        return pid

    primary: list[tuple[str, str, dt.date]] = []  # (user, product, day) of purchases that may take a complement
    for r in reviews:
        day = dt.date.fromisoformat(r["created_at"]) - dt.timedelta(days=rng.randint(2, 14))
        buy(r["user_id"], r["product_id"], day, rng.randint(1, 3))
        primary.append((r["user_id"], r["product_id"], day))
    all_products = [p["product_id"] for p in products]
    span = (LAST_DAY - FIRST_DAY).days
    for n in range(QUIET_BUYERS):
        user = f"q{n + 1:04d}"
        pid = draw(all_products, user)
        if pid is not None:
            day = FIRST_DAY + dt.timedelta(days=rng.randint(14, span))
            buy(user, pid, day, rng.randint(1, 3))
            primary.append((user, pid, day))
    for user, pid, day in primary:
        options = complements.get(leaf(category[pid]), [])
        if options and rng.random() < COMPLEMENT_RATE:
            other = draw(by_leaf[rng.choice(options)], user)
            if other is not None:
                buy(user, other, day + dt.timedelta(days=rng.randint(0, 2)), rng.randint(0, 2))
    for user, pid, day in primary:
        here = by_leaf[leaf(category[pid])]
        # compared alternatives of the same kind before buying
        for other in rng.sample(here, k=min(len(here), rng.randint(1, 3))):
            if other != pid:
                add(user, other, "view", day - dt.timedelta(days=rng.randint(0, 5)))
        # browsed the rest of the category afterwards; sometimes carted, now and then bought
        for other in rng.sample(by_top[category[pid].split(">")[0]], k=rng.randint(0, 2)):
            later = day + dt.timedelta(days=rng.randint(3, 60))
            add(user, other, "view", later)
            if rng.random() < 0.3:
                add(user, other, "cart", later)
                if rng.random() < 0.4 and other not in bought[user] and left[other] > 0:
                    left[other] -= 1
                    add(user, other, "purchase", later)
                    bought[user].add(other)
    # shoppers who only browsed
    for n in range(401, 461):
        user = f"u{n:04d}"
        pid = rng.choice(products)["product_id"]
        day = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
        for other in [pid, *rng.sample(by_leaf[leaf(category[pid])], k=min(2, len(by_leaf[leaf(category[pid])])))]:
            add(user, other, "view", day)
        if rng.random() < 0.25:
            add(user, pid, "cart", day)
    events.sort(key=lambda e: (e["ts"], e["user_id"], e["product_id"], e["event"]))
    return events


def render(events: list[dict]) -> str:
    """The file's text: one JSON object a line, keys in their fixed order."""
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in events)


def main() -> None:
    events = make_events()
    out = Path(DEMO_DATA) / "events.jsonl"
    out.write_text(render(events), encoding="utf-8")
    kinds = Counter(e["event"] for e in events)
    print(f"{out}: {len(events)} events by {len({e['user_id'] for e in events})} users, {dict(kinds)}")


if __name__ == "__main__":
    main()
