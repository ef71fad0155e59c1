""" "Shoppers who bought this also bought": item-to-item co-behaviour, and when it is real enough to show.

Baskets. With purchase events, a user's purchases within `window_days` of the first one of a run are one basket
(one shopping trip; there are no order ids in the events), so a humidifier bought in March and rain boots bought
in July are not "bought together". Without purchase events (NSMC), a user's products rated in the top quarter of
the scale (rating_norm ≥ 0.75) are one basket: "liked together".

Counts are people: buyers(A) are the users with A in a basket, co(A, B) the users with a basket holding both, N the
users with a basket. lift(A → B) = (co / buyers(A)) / (buyers(B) / N): how much more often A's buyers took B than
shoppers at large did. `related` ranks by co / sqrt(buyers(A) · buyers(B)) (cosine on the user-item matrix, so a
best-seller is not related to everything; `eval.behaviour` measures it on NSMC); `together` is what a shopper is
shown, and keeps a pair only when the co-behaviour is real:
- support: co(A, B) ≥ `min_support` (3) people, and
- lift with a confidence bound: the Wilson lower bound (z = 1.96, 95 % two-sided) of co / buyers(A), divided by
  buyers(B) / N, is above 1; a pair whose share of A's buyers could be B's base rate by chance is not shown.
Both were chosen against a shuffled-baskets null (`shuffled`: every basket keeps its size, every product its
number of purchases, the products are dealt at random; `python -m eval.experiments.bought_together` prints the
table). On the demo's events the real baskets give 150 directed pairs at these thresholds and a shuffled catalog
1.3 on average (200 shuffles): under 1 % of what is shown could be chance. With support 2 a shuffled catalog shows
14 (7 %); with support 3 and no bound (lift > 1 only), 7.7; support 4 would lose 30 real pairs to save one.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .records import Event, Review

MIN_SUPPORT = 3  # people who bought both; see the module docstring for why
LIFT_Z = 1.96  # the Wilson bound's z: 95 % two-sided
WINDOW_DAYS = 7  # one shopping trip


@dataclass(frozen=True)
class Related:
    product_id: str
    score: float
    common_users: int  # co(A, B): people with a basket holding both
    buyers: int = 0  # buyers(A): people with a seed in a basket
    other_buyers: int = 0  # buyers(B)
    lift: float = 0.0
    lift_low: float = 0.0  # the Wilson lower bound of co / buyers(A), over buyers(B) / N


def wilson_low(k: int, n: int, z: float = LIFT_Z) -> float:
    """Lower end of the Wilson score interval of the share k/n."""
    if n <= 0:
        return 0.0
    p = min(k / n, 1.0)
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max((centre - spread) / (1 + z * z / n), 0.0)


def purchase_baskets(events: Iterable[Event], window_days: int = WINDOW_DAYS) -> list[tuple[str, frozenset[str]]]:
    """(user, products) per shopping trip: a user's purchases within `window_days` of the trip's first purchase."""
    if window_days < 0:
        raise ValueError(f"window_days must be ≥ 0, got {window_days}")
    bought: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for e in events:
        if e.event == "purchase" and e.user_id:
            bought[e.user_id].append((e.ts, e.product_id))
    baskets: list[tuple[str, frozenset[str]]] = []
    for user in sorted(bought):
        start: dt.date | None = None
        items: set[str] = set()
        for ts, pid in sorted(bought[user]):
            day = _day(ts)
            if items and (day is None or start is None or (day - start).days > window_days):
                baskets.append((user, frozenset(items)))
                items = set()
            if not items:
                start = day
            items.add(pid)
        if items:
            baskets.append((user, frozenset(items)))
    return baskets


def _day(ts: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(ts[:10])
    except ValueError:
        return None  # an undated purchase is a trip of its own


class CoBehaviour:
    def __init__(
        self,
        baskets: Iterable[tuple[str, Iterable[str]]],
        basis: str = "purchase",
        min_support: int = MIN_SUPPORT,
        z: float = LIFT_Z,
    ) -> None:
        """baskets: (user, products) pairs; basis: "purchase" (bought together) or "rating" (liked together)."""
        if basis not in ("purchase", "rating"):
            raise ValueError(f"basis must be 'purchase' or 'rating', got {basis!r}")
        if min_support < 1:
            raise ValueError(f"min_support must be ≥ 1, got {min_support}")
        self.basis, self.min_support, self.z = basis, min_support, z
        self.baskets: list[tuple[str, frozenset[str]]] = [(u, frozenset(items)) for u, items in baskets if items]
        self.user_baskets: dict[str, list[frozenset[str]]] = defaultdict(list)
        self.user_items: dict[str, set[str]] = defaultdict(set)
        self.item_users: dict[str, set[str]] = defaultdict(set)
        for user, items in self.baskets:
            self.user_baskets[user].append(items)
            self.user_items[user].update(items)
            for item in items:
                self.item_users[item].add(user)

    @classmethod
    def from_records(
        cls,
        reviews: Iterable[Review],
        events: Iterable[Event] = (),
        positive_rating: float = 0.75,
        window_days: int = WINDOW_DAYS,
        **thresholds,
    ) -> CoBehaviour:
        """Purchase baskets when the events hold purchases, else each user's well-rated products as one basket."""
        baskets = purchase_baskets(events, window_days)
        if baskets:
            return cls(baskets, "purchase", **thresholds)
        liked: dict[str, set[str]] = defaultdict(set)
        for review in reviews:
            if review.user_id and review.rating_norm >= positive_rating:
                liked[review.user_id].add(review.product_id)
        return cls(sorted(liked.items()), "rating", **thresholds)

    @property
    def shoppers(self) -> int:
        """N: the people with a basket."""
        return len(self.user_baskets)

    def _co_users(self, seed: str, skip: set[str]) -> Counter:
        """item → the number of the seed's buyers who had it in a basket with the seed."""
        common: Counter = Counter()
        for user in self.item_users.get(seed, ()):
            together: set[str] = set()
            for basket in self.user_baskets[user]:
                if seed in basket:
                    together.update(basket)
            common.update(item for item in together if item not in skip)
        return common

    def _pair(self, item: str, n: int, seed_buyers: int, z: float) -> Related:
        others = len(self.item_users[item])
        base = others / max(self.shoppers, 1)
        score = n / math.sqrt(max(seed_buyers, 1) * others)
        lift = (n / seed_buyers) / base if seed_buyers and base else 0.0
        low = wilson_low(n, seed_buyers, z) / base if base else 0.0
        return Related(item, score, n, seed_buyers, others, lift, low)

    def related(
        self, product_ids: str | Iterable[str], k: int = 5, exclude: Iterable[str] = (), min_common: int = 2
    ) -> list[Related]:
        """Products in the baskets of these, ranked by cosine; `min_common` users at least, so one shopper is no trend.
        No lift test: this is the recommender `eval.behaviour` measures, not what a shopper is told."""
        if k < 1:
            raise ValueError(f"k must be ≥ 1, got {k}")
        seeds = {product_ids} if isinstance(product_ids, str) else set(product_ids)
        skip = seeds | set(exclude)
        common: Counter = Counter()
        for seed in sorted(seeds):
            common.update(self._co_users(seed, skip))
        seed_likes = max(len(set().union(*(self.item_users.get(s, set()) for s in seeds))), 1)
        scored = [self._pair(item, n, seed_likes, self.z) for item, n in common.items() if n >= min_common]
        scored.sort(key=lambda r: (-r.score, -r.common_users, r.product_id))
        return scored[:k]

    def together(
        self,
        product_ids: str | Iterable[str],
        k: int = 2,
        exclude: Iterable[str] = (),
        min_support: int | None = None,
        z: float | None = None,
    ) -> list[Related]:
        """What a shopper is shown under a product (or a set of them): products that ≥ min_support of its buyers had
        in a basket with it, whose lift bound is above 1; the most co-buyers first. Each person counts once."""
        if k < 1:
            raise ValueError(f"k must be ≥ 1, got {k}")
        support = self.min_support if min_support is None else min_support
        z = self.z if z is None else z
        seeds = {product_ids} if isinstance(product_ids, str) else set(product_ids)
        skip = seeds | set(exclude)
        users = set().union(*(self.item_users.get(s, set()) for s in seeds))
        common: Counter = Counter()
        for user in users:
            together: set[str] = set()
            for basket in self.user_baskets[user]:
                if not seeds.isdisjoint(basket):
                    together.update(basket)
            common.update(together - skip)
        kept = []
        for item, n in common.items():
            if n < support:
                continue
            pair = self._pair(item, n, len(users), z)
            if pair.lift_low > 1.0:
                kept.append(pair)
        kept.sort(key=lambda r: (-r.common_users, -r.lift, r.product_id))
        return kept[:k]

    def shuffled(self, seed: int) -> CoBehaviour:
        """The null model: every basket keeps its size and every product its number of purchases, and the products
        are dealt to the baskets at random (a product dealt twice into one basket counts once; baskets are small)."""
        rng = random.Random(seed)
        pool = [item for _, items in self.baskets for item in sorted(items)]
        rng.shuffle(pool)
        dealt, at = [], 0
        for user, items in self.baskets:
            dealt.append((user, pool[at : at + len(items)]))
            at += len(items)
        return CoBehaviour(dealt, self.basis, self.min_support, self.z)

    def popular(self, k: int = 10, exclude: Iterable[str] = ()) -> list[Related]:
        """The most-liked products: the baseline a co-behaviour recommender must beat."""
        skip = set(exclude)
        counts = sorted(
            ((len(u), item) for item, u in self.item_users.items() if item not in skip), key=lambda t: (-t[0], t[1])
        )
        return [Related(item, float(n), 0) for n, item in counts[:k]]
