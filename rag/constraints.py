"""Hard constraints: applied inside the searches as masks, never relaxed silently.

Specs and requirements are judged on each product's typed facets (`rag.facets`, loaded once in the CatalogView),
three-valued: a product that meets them passes; one whose facet contradicts them (`match_spec` False, a
`wanted=False` requirement it has, a wanted one it lacks) never does; one that does not state the facet is
"unknown". Unknown is no contradiction, so for a numeric spec and for a "must not have" it passes the mask, but the
ranking puts it after every product that states a matching value and the answer says what it does not state
(`unknown_facets` → "무게 정보 없음"). A wanted requirement ("방수") still needs the product to say it has it, as
before: a product that does not mention 방수 is no waterproof product to recommend.

When nothing satisfies them, `explain_empty` says which constraint to loosen and what that brings back; for a
numeric spec, the nearest bound that would bring products back ("'500g 이하'를 '640g 이하'로 넓히면 1개 상품이
있어요").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from .catalog_view import CatalogView
from .facets import USUAL_KEYS, Facet, match_requirement, match_spec, spec_value
from .generation.templates import say
from .query import AttributeRequirement, ParsedQuery, SpecConstraint
from .records import Product, in_category
from .units import format_quantity


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
            out.append(say("LABEL_PRICE_RANGE", low=self.price_min, high=self.price_max))
        elif self.price_max is not None:
            out.append(say("LABEL_PRICE_MAX", high=self.price_max))
        elif self.price_min is not None:
            out.append(say("LABEL_PRICE_MIN", low=self.price_min))
        out += [c.split(">")[-1] for c in self.categories] + list(self.brands)
        out += [a.label if a.wanted else say("LABEL_WITHOUT", label=a.label) for a in self.attributes]
        out += [spec_label(s) for s in self.specs]
        if self.in_stock_only:
            out.append(say("LABEL_IN_STOCK"))
        return out

    def to_dict(self) -> dict:
        return asdict(self)

    def is_empty(self) -> bool:
        return self == Constraints(in_stock_only=self.in_stock_only)


def product_mask(view: CatalogView, c: Constraints) -> np.ndarray:
    """Boolean per product row: does it satisfy every constraint? (An unstated spec is no contradiction.)"""
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
    if c.categories or c.brands or c.attributes or c.specs or c.exclude:
        excluded = set(c.exclude)
        for i, product in enumerate(view.products):
            if not mask[i]:
                continue
            if c.categories and not any(in_category(product.category, prefix) for prefix in c.categories):
                mask[i] = False
            elif c.brands and product.brand not in c.brands:
                mask[i] = False
            elif product.product_id in excluded:
                mask[i] = False
            elif c.specs and any(match_spec(view.facets[i], spec) is False for spec in c.specs):
                mask[i] = False
            elif c.attributes and not all(meets(product, view.facets[i], a) is not False for a in c.attributes):
                mask[i] = False
    return mask


def meets(product: Product, facets: list[Facet], requirement: AttributeRequirement) -> bool | None:
    """True meets the requirement, False contradicts it, None does not say. A wanted requirement the product does
    not mention is False (it must say it has it); an unwanted one ('기모 없는') is contradicted only by having it."""
    has = match_requirement(product, facets, requirement)
    if requirement.wanted:
        return has is True
    return None if has is None else not has


def unknown_facets(view: CatalogView, row: int, c: Constraints) -> list[str]:
    """The facet names a product does not state among those the constraints ask about ('무게', '기모')."""
    out = []
    for spec in c.specs:
        if match_spec(view.facets[row], spec) is None:
            out.append(spec.key_hint or USUAL_KEYS.get(spec.dimension, (spec.dimension,))[0])
    for a in c.attributes:
        if not a.wanted and meets(view.products[row], view.facets[row], a) is None:
            out.append(a.label)
    return list(dict.fromkeys(out))


def spec_label(spec: SpecConstraint) -> str:
    """'500g 이하' as the shopper wrote it, else from the bound: '20,000mAh 이상'."""
    if spec.label:
        return spec.label
    words = {"<=": "이하", "<": "미만", ">=": "이상", ">": "초과"}
    return f"{format_quantity(spec.value, spec.dimension)} {words[spec.op]}"


def explain_empty(view: CatalogView, c: Constraints) -> list[str]:
    """Which single constraint, loosened, would bring products back, with how many; the smallest change to what
    was asked first (a spec bound moved to the nearest value, then stock, price, a requirement, the brand, and
    the category last: a shopper who asked for an air fryer wants an air fryer), more products first within one."""
    options: list[tuple[int, int, str]] = []
    rank = {"spec": 0, "stock": 1, "price": 2, "attribute": 3, "brand": 4, "category": 5}
    if c.price_min is not None or c.price_max is not None:
        n = int(product_mask(view, replace(c, price_min=None, price_max=None)).sum())
        if n:
            options.append((rank["price"], n, say("LOOSEN_PRICE", label=c.labels()[0], count=n)))
    if c.brands:
        n = int(product_mask(view, replace(c, brands=())).sum())
        if n:
            options.append((rank["brand"], n, say("LOOSEN_BRAND", brands=", ".join(c.brands), count=n)))
    for attr in c.attributes:
        n = int(product_mask(view, replace(c, attributes=tuple(a for a in c.attributes if a != attr))).sum())
        if n:
            label = attr.label if attr.wanted else say("LABEL_WITHOUT", label=attr.label)
            options.append((rank["attribute"], n, say("LOOSEN_ATTRIBUTE", label=label, count=n)))
    for spec in c.specs:
        others = replace(c, specs=tuple(s for s in c.specs if s != spec))
        loosened = _nearest_bound(view, product_mask(view, others), spec)
        if loosened is not None:
            n = int(product_mask(view, replace(others, specs=(*others.specs, loosened))).sum())
            name = "LOOSEN_SPEC_WIDER" if spec.op in ("<=", "<") else "LOOSEN_SPEC_LOWER"
            options.append((rank["spec"], n, say(name, asked=_quoted(spec), wider=_quoted(loosened), count=n)))
        else:
            n = int(product_mask(view, others).sum())
            if n:
                options.append((rank["spec"], n, say("LOOSEN_SPEC_DROP", asked=_quoted(spec), count=n)))
    if c.in_stock_only:
        n = int(product_mask(view, replace(c, in_stock_only=False)).sum())
        if n:
            options.append((rank["stock"], n, say("LOOSEN_STOCK", count=n)))
    if c.categories:
        n = int(product_mask(view, replace(c, categories=())).sum())
        if n:
            leaves = ", ".join(x.split(">")[-1] for x in c.categories)
            options.append((rank["category"], n, say("LOOSEN_CATEGORY", leaves=leaves, count=n)))
    return [text for _, _, text in sorted(options, key=lambda o: (o[0], -o[1]))]


def _quoted(spec: SpecConstraint) -> str:
    return "'" + spec_label(spec) + "'"


def _nearest_bound(view: CatalogView, allowed: np.ndarray, spec: SpecConstraint) -> SpecConstraint | None:
    """The bound closest to the asked one that the products allowed by every other constraint would meet: for
    '≤ 500 g' the lightest stated weight above 500 g; for '≥ 20,000 mAh' the largest capacity below it."""
    direction = "min" if spec.op in ("<=", "<") else "max"
    values = [
        v
        for i in np.flatnonzero(allowed)
        if (v := spec_value(view.facets[i], spec.dimension, spec.key_hint, direction)) is not None and not spec.holds(v)
    ]
    if not values:
        return None
    value = min(values) if direction == "min" else max(values)
    op = "<=" if direction == "min" else ">="
    return SpecConstraint(spec.dimension, op, value, spec.key_hint, "")
