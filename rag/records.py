"""The catalog's records: what ingest validates and the index stores."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

EVENT_KINDS: tuple[str, ...] = ("view", "cart", "purchase")


def in_category(category: str, prefix: str) -> bool:
    """`category` (a path, 'A>B>C') is `prefix` or lies under it; a trailing '>' on the prefix is allowed."""
    return category == prefix or category.startswith(prefix.rstrip(">") + ">")


@dataclass
class Product:
    product_id: str
    name: str
    category: str = ""  # a path such as "가전>계절가전>가습기"
    brand: str = ""
    price: int | None = None  # KRW
    description: str = ""
    attributes: dict = field(default_factory=dict)
    purchases: int | None = None
    views: int | None = None
    in_stock: bool | None = None

    def category_path(self) -> list[str]:
        return [p.strip() for p in self.category.split(">") if p.strip()]

    def document_text(self) -> str:
        """The product's own searchable text: name, category, brand, description and attributes."""
        attrs = " ".join(f"{k} {v}" for k, v in self.attributes.items())
        parts = [self.name, " ".join(self.category_path()), self.brand, self.description, attrs]
        return " ".join(p for p in parts if p).strip()

    def has_own_text(self) -> bool:
        return bool(self.description or self.attributes)

    def attributes_json(self) -> str:
        return json.dumps(self.attributes, ensure_ascii=False, sort_keys=True)


@dataclass
class Review:
    review_id: str
    product_id: str
    rating: float
    text: str
    created_at: str = ""  # ISO date (YYYY-MM-DD) or datetime
    helpful: int = 0
    repurchase: bool = False  # the source's own flag
    user_id: str = ""
    option: str = ""
    rating_min: float = 1.0  # the source's scale, kept so ratings display as the shop showed them
    rating_max: float = 5.0

    @property
    def rating_norm(self) -> float:
        """Rating on 0–1, comparable across sources with different scales."""
        span = self.rating_max - self.rating_min
        return (self.rating - self.rating_min) / span if span > 0 else 0.0


@dataclass
class Event:
    user_id: str
    product_id: str
    event: str  # one of EVENT_KINDS
    ts: str = ""
