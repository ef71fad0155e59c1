"""Hard constraints: applied inside the searches as masks, never relaxed silently.

When nothing satisfies them, `explain_empty` says which constraint to loosen and how many products that
would bring back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from .catalog_view import CatalogView
from .query import AttributeRequirement, ParsedQuery, SpecConstraint, satisfies_attribute


@dataclass(frozen=True)
class Constraints:
    price_min: int | None = None  # KRW, inclusive
    price_max: int | None = None
    categories: tuple[str, ...] = ()  # category path prefixes; a product must be under one of them
    brands: tuple[str, ...] = ()
    attributes: tuple[AttributeRequirement, ...] = ()  # wanted=False: must not have it
    specs: tuple[SpecConstraint, ...] = ()  # hard numeric facet bounds ("500g 이하")
    in_stock_only: bool = True  # products known to be sold out are not recommended; unknown stock is kept
    exclude: tuple[str, ...] = field(default_factory=tuple)  # product ids already shown (follow-ups: "다른 거")
    product_ids: tuple[str, ...] = ()  # only these products (a follow-up about "두 번째 거")

    def __post_init__(self) -> None:
        for name in ("price_min", "price_max"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must be ≥ 0 KRW, got {value}")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError(f"price_min {self.price_min} is above price_max {self.price_max}; swap them")

    @classmethod
    def from_query(cls, parsed: ParsedQuery, **overrides) -> Constraints:
        """The constraints a question states; `overrides` (from the UI or the conversation) win."""
        base = cls(
            price_min=parsed.price_min,
            price_max=parsed.price_max,
            categories=tuple(parsed.categories),
            brands=tuple(parsed.brands),
            attributes=tuple(parsed.attributes),
            specs=tuple(parsed.specs),
        )
        return replace(base, **overrides) if overrides else base

    def labels(self) -> list[str]:
        """Short Korean labels for chips and for 'satisfied' lists."""
        out = []
        if self.price_min is not None and self.price_max is not None:
            out.append(f"{self.price_min:,}~{self.price_max:,}원")
        elif self.price_max is not None:
            out.append(f"{self.price_max:,}원 이하")
        elif self.price_min is not None:
            out.append(f"{self.price_min:,}원 이상")
        out += [c.split(">")[-1] for c in self.categories] + list(self.brands) + [a.label for a in self.attributes]
        if self.in_stock_only:
            out.append("재고 있음")
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    def is_empty(self) -> bool:
        return self == Constraints(in_stock_only=self.in_stock_only)


def product_mask(view: CatalogView, c: Constraints) -> np.ndarray:
    """Boolean per product row: does it satisfy every constraint?"""
    mask = np.ones(len(view), dtype=bool)
    if c.price_min is not None:
        mask &= np.nan_to_num(view.price, nan=-1) >= c.price_min
    if c.price_max is not None:
        mask &= np.nan_to_num(view.price, nan=np.inf) <= c.price_max
    if c.in_stock_only:
        mask &= view.in_stock != 0
    if c.product_ids:
        only = np.zeros(len(view), dtype=bool)
        only[[view.position[p] for p in c.product_ids if p in view.position]] = True
        mask &= only
    if c.categories or c.brands or c.attributes or c.exclude:
        excluded = set(c.exclude)
        for i, product in enumerate(view.products):
            if not mask[i]:
                continue
            if c.categories and not any(_under(product.category, prefix) for prefix in c.categories):
                mask[i] = False
            elif c.brands and product.brand not in c.brands:
                mask[i] = False
            elif c.attributes and not all(satisfies_attribute(product, a) for a in c.attributes):
                mask[i] = False
            elif product.product_id in excluded:
                mask[i] = False
    return mask


def _under(category: str, prefix: str) -> bool:
    return category == prefix or category.startswith(prefix.rstrip(">") + ">")


def explain_empty(view: CatalogView, c: Constraints) -> list[str]:
    """Which single constraint, loosened, would bring products back, with how many; best first."""
    options: list[tuple[int, str]] = []
    if c.price_min is not None or c.price_max is not None:
        n = int(product_mask(view, replace(c, price_min=None, price_max=None)).sum())
        if n:
            options.append((n, f"가격 조건({c.labels()[0]})을 풀면 {n}개 상품이 있어요"))
    if c.brands:
        n = int(product_mask(view, replace(c, brands=())).sum())
        if n:
            options.append((n, f"브랜드 조건({', '.join(c.brands)})을 풀면 {n}개 상품이 있어요"))
    for attr in c.attributes:
        n = int(product_mask(view, replace(c, attributes=tuple(a for a in c.attributes if a != attr))).sum())
        if n:
            options.append((n, f"'{attr.label}' 조건을 빼면 {n}개 상품이 있어요"))
    if c.in_stock_only:
        n = int(product_mask(view, replace(c, in_stock_only=False)).sum())
        if n:
            options.append((n, f"품절 상품까지 보면 {n}개 상품이 있어요"))
    if c.categories:
        n = int(product_mask(view, replace(c, categories=())).sum())
        if n:
            options.append(
                (n, f"카테고리 조건({', '.join(x.split('>')[-1] for x in c.categories)})을 풀면 {n}개 상품이 있어요")
            )
    return [text for _, text in sorted(options, key=lambda o: -o[0])]
