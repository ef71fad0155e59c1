"""Held-out item retrieval built from review data (NSMC: a movie stands in for a product).

The rule, seeded and documented so anyone can rebuild the same split:
1. eligible items have at least `min_reviews` reviews with text;
2. `max_items` of them are drawn with `random.Random(seed)` from the id-sorted list (all when None);
3. from each drawn item, `per_item` reviews are drawn among those whose text has at least `min_query_chars`
   characters and occurs exactly once in the whole corpus (the corpus has exact duplicates, so a held-out
   text could otherwise still sit in the index under another id);
4. the held-out reviews become queries whose one relevant item is their own; everything else is indexable.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rag.records import Review


@dataclass(frozen=True)
class HeldOutQuery:
    query_id: str
    text: str
    item_id: str


@dataclass
class HeldOutSplit:
    queries: list[HeldOutQuery]
    index_reviews: list[Review]
    items: list[str]  # the drawn items
    rule: dict


def build_item_heldout(
    reviews: Sequence[Review],
    min_reviews: int = 20,
    per_item: int = 1,
    max_items: int | None = 1000,
    min_query_chars: int = 10,
    seed: int = 13,
    restrict_index_to_items: bool = False,
) -> HeldOutSplit:
    if per_item < 1:
        raise ValueError(f"per_item must be ≥ 1, got {per_item}")
    text_counts = Counter(r.text for r in reviews if r.text)
    by_item: dict[str, list[Review]] = defaultdict(list)
    for review in reviews:
        if review.text:
            by_item[review.product_id].append(review)
    eligible = sorted(item for item, revs in by_item.items() if len(revs) >= min_reviews)
    rng = random.Random(seed)
    items = eligible if max_items is None or max_items >= len(eligible) else sorted(rng.sample(eligible, max_items))
    held_ids: set[str] = set()
    queries: list[HeldOutQuery] = []
    for item in items:
        candidates = [r for r in by_item[item] if len(r.text) >= min_query_chars and text_counts[r.text] == 1]
        for review in rng.sample(candidates, min(per_item, len(candidates))):
            held_ids.add(review.review_id)
            queries.append(HeldOutQuery(f"q{review.review_id}", review.text, item))
    chosen = set(items)
    held_texts = {q.text for q in queries}
    index_reviews = [
        r
        for r in reviews
        if r.review_id not in held_ids
        and r.text not in held_texts
        and (not restrict_index_to_items or r.product_id in chosen)
    ]
    rule = {
        "min_reviews": min_reviews,
        "per_item": per_item,
        "max_items": max_items,
        "min_query_chars": min_query_chars,
        "seed": seed,
        "restrict_index_to_items": restrict_index_to_items,
        "eligible_items": len(eligible),
        "queries": len(queries),
        "index_reviews": len(index_reviews),
    }
    return HeldOutSplit(queries, index_reviews, items, rule)
