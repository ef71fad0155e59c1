"""Per-product behaviour statistics: pure functions over records, stored in the catalog.

Ratings keep their source scale for display (`rating_mean`), and are compared across sources on 0–1
(`rating_norm_mean`, `bayes_rating_norm`). The Bayesian rating shrinks a product with few reviews toward
the catalog mean: (C·m + Σ ratings) / (C + n) with C = `prior_weight`.
Recency is measured against the newest review in the catalog, not the wall clock, so stats are reproducible.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from .records import Event, Product, Review

# 재구매 / 또 샀어요 / 두번째 구매 / 쟁여 … ; a negation right after (재구매 의사 없음, 재구매는 안 할듯) cancels it.
_REPURCHASE = re.compile(
    r"(재\s?구매|재\s?주문|또\s?(?:샀|삽니다|사요|살|구매|주문|시켰)|다시\s?(?:샀|구매|주문|시켰)|"
    r"(?:두|세|네|2|3|4)\s?번\s?째\s?(?:구매|주문)|(?:두|세|2|3)\s?번\s?(?:샀|구매)|쟁여|재\s?구입)"
)
_NEGATED = re.compile(r"^[^.!?\n]{0,8}?(안\s?[할해함합삼살사]|않|없|no|x|글쎄|모르겠|생각\s?없)", re.IGNORECASE)


def mentions_repurchase(text: str) -> bool:
    """Does the review say the shopper bought (or will buy) it again? Negated mentions do not count."""
    for match in _REPURCHASE.finditer(text or ""):
        if not _NEGATED.match(text[match.end() :]):
            return True
    return False


@dataclass(frozen=True)
class StatsConfig:
    prior_weight: float = 5.0  # C of the Bayesian rating, in reviews
    recent_days: int = 90

    def __post_init__(self) -> None:
        if self.prior_weight < 0:
            raise ValueError(f"prior_weight must be ≥ 0, got {self.prior_weight}")
        if self.recent_days < 1:
            raise ValueError(f"recent_days must be ≥ 1, got {self.recent_days}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ProductStats:
    product_id: str
    review_count: int = 0
    text_review_count: int = 0
    rating_mean: float | None = None  # source scale
    rating_norm_mean: float | None = None  # 0–1
    bayes_rating_norm: float | None = None  # 0–1, shrunk toward the catalog mean
    bayes_rating: float | None = None  # the same on the source scale
    rating_scale: tuple[float, float] = (1.0, 5.0)
    rating_hist: dict[str, int] = field(default_factory=dict)  # rating value → count
    first_review_at: str = ""
    last_review_at: str = ""
    recent_review_count: int = 0  # in the last `recent_days` before the catalog's newest review
    helpful_total: int = 0
    repurchase_count: int = 0  # flagged by the source or mentioned in the text
    purchases: int | None = None  # the product file's own count
    views: int | None = None
    event_views: int = 0
    event_carts: int = 0
    event_purchases: int = 0
    event_buyers: int = 0

    def to_row(self) -> dict:
        row = asdict(self)
        row["rating_scale_min"], row["rating_scale_max"] = row.pop("rating_scale")
        return row


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _fmt_rating(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def compute_stats(
    products: Iterable[Product],
    reviews: Sequence[Review],
    events: Sequence[Event] = (),
    config: StatsConfig | None = None,
) -> dict[str, ProductStats]:
    config = config or StatsConfig()
    stats = {p.product_id: ProductStats(p.product_id, purchases=p.purchases, views=p.views) for p in products}
    by_product: dict[str, list[Review]] = defaultdict(list)
    for review in reviews:
        by_product[review.product_id].append(review)
    norms = [r.rating_norm for r in reviews]
    global_mean = sum(norms) / len(norms) if norms else 0.5
    days = [d for d in (_day(r.created_at) for r in reviews) if d]
    newest = max(days) if days else None
    for pid, revs in by_product.items():
        s = stats.setdefault(pid, ProductStats(pid))
        n = len(revs)
        s.review_count = n
        s.text_review_count = sum(1 for r in revs if r.text)
        s.rating_scale = (revs[0].rating_min, revs[0].rating_max)
        s.rating_mean = sum(r.rating for r in revs) / n
        norm_sum = sum(r.rating_norm for r in revs)
        s.rating_norm_mean = norm_sum / n
        s.bayes_rating_norm = (config.prior_weight * global_mean + norm_sum) / (config.prior_weight + n)
        low, high = s.rating_scale
        s.bayes_rating = low + s.bayes_rating_norm * (high - low)
        s.rating_hist = dict(sorted(Counter(_fmt_rating(r.rating) for r in revs).items(), key=lambda kv: float(kv[0])))
        dated = sorted(d for d in (_day(r.created_at) for r in revs) if d)
        if dated:
            s.first_review_at, s.last_review_at = dated[0].isoformat(), dated[-1].isoformat()
            cutoff = newest - dt.timedelta(days=config.recent_days)
            s.recent_review_count = sum(1 for d in dated if d > cutoff)
        s.helpful_total = sum(r.helpful for r in revs)
        s.repurchase_count = sum(1 for r in revs if r.repurchase or mentions_repurchase(r.text))
    buyers: dict[str, set[str]] = defaultdict(set)
    for event in events:
        s = stats.setdefault(event.product_id, ProductStats(event.product_id))
        if event.event == "view":
            s.event_views += 1
        elif event.event == "cart":
            s.event_carts += 1
        else:
            s.event_purchases += 1
            buyers[event.product_id].add(event.user_id)
    for pid, users in buyers.items():
        stats[pid].event_buyers = len(users)
    return stats
