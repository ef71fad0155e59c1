"""What the catalog carries, as a parser, the composer and the app can ask it: categories with their product counts
and price ranges, and per category the facets its products state, with value ranges, options and flag counts.

    shape = CatalogShape.from_products(catalog.products(), catalog.facets())
    shape.dimensions("가전>계절가전")   # {"sound": ("소음",), "volume": ("용량",), ...}
    shape.flag_names()                 # every flag and option name: the query vocabulary's facet words

Built from the typed facets (`rag.facets`), so a user's catalog with other keys and units is described by the same
rules. A facet is listed per (key, kind group, dimension): a key stated as a number in one product and as an option
in another (사이즈: '26cm' / '퀸(1500x2000mm)') appears once per reading.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .facets import Facet
from .records import Product


@dataclass
class FacetShape:
    key: str
    kind: str  # "number" (numbers and ranges), "flag", "enum" or "text"
    dimension: str | None = None
    unit: str | None = None
    low: float | None = None  # the smallest value any product states (canonical unit)
    high: float | None = None
    options: dict[str, int] = field(default_factory=dict)  # enum member → products naming it
    flags: dict[str, int] = field(default_factory=lambda: {"true": 0, "false": 0})  # products with / without it
    products: int = 0  # products that state it
    derived: bool = False  # read from another attribute's value only ('고춧가루' from '맵기: … 고춧가루 무첨가')

    def to_dict(self) -> dict:
        out: dict = {"key": self.key, "kind": self.kind, "products": self.products}
        if self.kind == "number":
            out |= {"dimension": self.dimension, "unit": self.unit, "low": self.low, "high": self.high}
        if self.kind == "flag":
            out["flags"] = dict(self.flags)
        if self.kind == "enum":
            out["options"] = dict(self.options)
        if self.derived:
            out["derived"] = True
        return out


@dataclass
class CategoryShape:
    path: str  # as the products state it: "가전>계절가전>가습기"
    products: int = 0
    in_stock: int = 0  # products not known to be sold out
    price_min: int | None = None
    price_max: int | None = None
    facets: list[FacetShape] = field(default_factory=list)  # most products first

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "products": self.products,
            "in_stock": self.in_stock,
            "price_min": self.price_min,
            "price_max": self.price_max,
            "facets": [f.to_dict() for f in self.facets],
        }


def _group(f: Facet) -> str:
    return "number" if f.kind in ("number", "range") else f.kind


@dataclass
class CatalogShape:
    categories: list[CategoryShape]  # in path order

    @classmethod
    def from_products(
        cls, products: Iterable[Product], facets_by_product: Mapping[str, Sequence[Facet]]
    ) -> CatalogShape:
        by_path: dict[str, CategoryShape] = {}
        per_key: dict[str, dict[tuple, FacetShape]] = {}
        for product in products:
            path = ">".join(product.category_path())
            cat = by_path.setdefault(path, CategoryShape(path))
            cat.products += 1
            cat.in_stock += product.in_stock is not False
            if product.price is not None:
                cat.price_min = product.price if cat.price_min is None else min(cat.price_min, product.price)
                cat.price_max = product.price if cat.price_max is None else max(cat.price_max, product.price)
            shapes = per_key.setdefault(path, {})
            stated: set[tuple] = set()
            for f in facets_by_product.get(product.product_id, ()):
                ident = (f.key, _group(f), f.dimension)
                shape = shapes.setdefault(ident, FacetShape(f.key, _group(f), f.dimension, f.unit, derived=True))
                shape.derived &= bool(f.source)
                if ident in stated:
                    first_time = False
                else:
                    stated.add(ident)
                    shape.products += 1
                    first_time = True
                if f.low is not None:
                    shape.low = f.low if shape.low is None else min(shape.low, f.low)
                    high = f.high if f.high is not None else f.low
                    shape.high = high if shape.high is None else max(shape.high, high)
                if f.kind == "flag" and first_time and f.flag is not None:
                    shape.flags["true" if f.flag else "false"] += 1
                for option in f.options:
                    shape.options[option] = shape.options.get(option, 0) + 1
        for path, cat in by_path.items():
            cat.facets = sorted(per_key.get(path, {}).values(), key=lambda s: (-s.products, s.key, s.kind))
        return cls(sorted(by_path.values(), key=lambda c: c.path))

    def under(self, category_prefix: str = "") -> list[CategoryShape]:
        """Categories at or below a path prefix ("" for all): '가전' covers '가전>계절가전>가습기'."""
        prefix = category_prefix.strip().rstrip(">")
        return [c for c in self.categories if not prefix or c.path == prefix or c.path.startswith(prefix + ">")]

    def paths(self) -> list[str]:
        return [c.path for c in self.categories]

    def facet_keys(self, category_prefix: str = "") -> tuple[str, ...]:
        """Attribute keys stated under the prefix, most products first (derived flags' things excluded)."""
        counts: dict[str, int] = {}
        for cat in self.under(category_prefix):
            for f in cat.facets:
                if not f.derived:
                    counts[f.key] = counts.get(f.key, 0) + f.products
        return tuple(sorted(counts, key=lambda k: (-counts[k], k)))

    def dimensions(self, category_prefix: str = "") -> dict[str, tuple[str, ...]]:
        """Dimension → the keys stating it under the prefix, most products first: {"mass": ("무게", "최대하중")}."""
        counts: dict[str, dict[str, int]] = {}
        for cat in self.under(category_prefix):
            for f in cat.facets:
                if f.kind == "number" and f.dimension and not f.derived:
                    keys = counts.setdefault(f.dimension, {})
                    keys[f.key] = keys.get(f.key, 0) + f.products
        return {d: tuple(sorted(keys, key=lambda k: (-keys[k], k))) for d, keys in sorted(counts.items())}

    def usual_key(self, dimension: str, category_prefix: str = "") -> str | None:
        """The key most products under the prefix state the dimension with: a `key_hint` for a spec without one."""
        keys = self.dimensions(category_prefix).get(dimension, ())
        return keys[0] if keys else None

    def value_range(self, dimension: str, category_prefix: str = "", key: str = "") -> tuple[float, float] | None:
        """(smallest, largest) stated value of a dimension under the prefix (optionally for one key), canonical unit."""
        lows, highs = [], []
        for cat in self.under(category_prefix):
            for f in cat.facets:
                if f.kind == "number" and f.dimension == dimension and (not key or f.key == key) and f.low is not None:
                    lows.append(f.low)
                    highs.append(f.high if f.high is not None else f.low)
        return (min(lows), max(highs)) if lows else None

    def flag_names(self) -> tuple[str, ...]:
        """Every flag key (attribute keys and derived things) and enum option in the catalog: the words a question
        may use to name a facet ('기모', '고춧가루', '초음파', '버티컬')."""
        names: set[str] = set()
        for cat in self.categories:
            for f in cat.facets:
                if f.kind == "flag":
                    names.add(f.key)
                elif f.kind == "enum":
                    names.update(f.options)
        return tuple(sorted(n for n in names if n))

    def to_dict(self) -> dict:
        return {"categories": [c.to_dict() for c in self.categories]}

    def summary(self) -> dict:
        """A compact per-category view for the index manifest: counts, prices and each facet's key → what it is."""
        out = {}
        for c in self.categories:
            facets = {}
            for f in c.facets:
                if f.derived:
                    continue
                label = (f.dimension or "number") if f.kind == "number" else f.kind
                facets[f.key] = label if f.key not in facets else f"{facets[f.key]}|{label}"
            out[c.path] = {
                "products": c.products,
                "in_stock": c.in_stock,
                "price": [c.price_min, c.price_max],
                "facets": facets,
            }
        return out
