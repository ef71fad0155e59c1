""" "Shoppers who bought this also bought": item-to-item co-behaviour.

A user "likes" a product when they bought or carted it (events) or rated it in the top quarter of its scale
(reviews; NSMC has 21k users with ≥ 5 reviews). Two products are related by the users who like both,
normalised by popularity: score = common / sqrt(likes_a · likes_b) (cosine on the user-item matrix), so a
best-seller is not related to everything. `popular` is the baseline that ignores the user.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .records import Event, Review

POSITIVE_EVENTS = ("purchase", "cart")


@dataclass(frozen=True)
class Related:
    product_id: str
    score: float
    common_users: int


class CoBehaviour:
    def __init__(self, user_items: dict[str, set[str]]) -> None:
        self.user_items = user_items
        self.item_users: dict[str, set[str]] = defaultdict(set)
        for user, items in user_items.items():
            for item in items:
                self.item_users[item].add(user)

    @classmethod
    def from_records(
        cls, reviews: Iterable[Review], events: Iterable[Event] = (), positive_rating: float = 0.75
    ) -> CoBehaviour:
        user_items: dict[str, set[str]] = defaultdict(set)
        for event in events:
            if event.event in POSITIVE_EVENTS and event.user_id:
                user_items[event.user_id].add(event.product_id)
        for review in reviews:
            if review.user_id and review.rating_norm >= positive_rating:
                user_items[review.user_id].add(review.product_id)
        return cls(dict(user_items))

    def related(
        self, product_ids: str | Iterable[str], k: int = 5, exclude: Iterable[str] = (), min_common: int = 2
    ) -> list[Related]:
        """Products liked by the users who liked these; `min_common` users at least, so one shopper is no trend."""
        if k < 1:
            raise ValueError(f"k must be ≥ 1, got {k}")
        seeds = {product_ids} if isinstance(product_ids, str) else set(product_ids)
        skip = seeds | set(exclude)
        common: Counter = Counter()
        for seed in seeds:
            for user in self.item_users.get(seed, ()):
                common.update(item for item in self.user_items[user] if item not in skip)
        seed_likes = max(len(set().union(*(self.item_users.get(s, set()) for s in seeds))), 1)
        scored = [
            Related(item, n / math.sqrt(seed_likes * len(self.item_users[item])), n)
            for item, n in common.items()
            if n >= min_common
        ]
        scored.sort(key=lambda r: (-r.score, -r.common_users, r.product_id))
        return scored[:k]

    def popular(self, k: int = 10, exclude: Iterable[str] = ()) -> list[Related]:
        """The most-liked products: the baseline a co-behaviour recommender must beat."""
        skip = set(exclude)
        counts = sorted(
            ((len(u), item) for item, u in self.item_users.items() if item not in skip), key=lambda t: (-t[0], t[1])
        )
        return [Related(item, float(n), 0) for n, item in counts[:k]]
