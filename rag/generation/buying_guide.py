"""고려할 점 per category, from the catalog's own facets: which specs really differ, their options with price ranges,
what reviewers of each option say, and which of them the question left open.

    guides = BuyingGuides(products, facets_by_product, reviews_of, summary_of, analyzer)
    guide = guides.for_question("가전>계절가전>가습기", parsed, constraints, question)
    guide.dimensions[0].key, [(o.label, o.price_min, o.price_max) for o in guide.dimensions[0].options]
    # '용량', [('3L', 29900, 29900), ('5.5L', 89000, 89000)]
    guide.unsaid  # ('예산', '용량', '가습방식'): what the shopper could tell to narrow it down

The rule (fixed before looking at which categories it selects):
- Scope: the category's products not known to be sold out (what a shopper can buy); a guide needs ≥ 2 of them.
- A facet is a *dimension* of the category when at least half of those products state it (its main reading, not a
  flag derived from another attribute) and the stated values differ: an option list or flag with ≥ 2 distinct
  values (an enum's value is its first option: '복합식(가열+초음파)' is 복합식), or numbers whose spread a shopper
  notices — the largest at least `RATIO_SPREAD` (1.25) × the smallest, or for sound levels, which are logarithmic,
  at least `DB_SPREAD` (3 dB, a doubling of sound power and the usual just-noticeable step for everyday noise).
  Below a quarter apart, capacities, weights and durations are inside the catalog's rounding and model-to-model
  variation; a guide that lists them tells the shopper nothing.
- Order: the position sellers give the key in the products' attribute lists (they list what matters first:
  용량, 가습방식, 소음 …), then more products stating it.
- Options: an enum's or a flag's values; numbers in value bands — each distinct value when there are at most 3,
  else three bands of near-equal size (equal values never split). Each with its products' price range.
- Reviews per option, counted over the reviews of that option's products (`rag.generation.aspects` polarity), with
  one quote: when the facet's own name names an aspect (소음 → 소음, 무게 → 무게, 방수등급 → 방수, 향 → 냄새·향, matched
  on morphemes) that aspect for every option, so the options compare on it; otherwise what each option's reviewers
  talk about most (no link between the facet and the aspect is claimed).
- Left open (`unsaid`): the dimensions — and 예산 when the category's prices differ by the same ratio — that the
  question does not constrain, name or order by.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from ..facets import Facet
from ..query import ParsedQuery
from ..records import Product, Review
from ..units import format_quantity
from .aspects import ASPECT_MORPHEMES, AspectSummary, Mention
from .evidence import Citation

RATIO_SPREAD = 1.25  # numbers differ when the largest is ≥ 1.25 × the smallest
DB_SPREAD = 3.0  # sound levels differ when ≥ 3 dB apart
MIN_SHARE = 0.5  # a dimension is stated by at least half the category's products
MAX_BANDS = 3
BUDGET = "예산"  # the name of the price dimension in `unsaid`


@dataclass(frozen=True)
class OptionReviews:
    """What reviewers of one option's products say about one aspect."""

    aspect: str
    positive: int
    negative: int
    mentions: int
    reviews: int  # reviews of the option's products
    citation: Citation | None = None  # a quote of the larger side (praise on a tie)


@dataclass(frozen=True)
class GuideOption:
    label: str  # '초음파', '5.5L', '3L~5.5L', '있음'
    product_ids: tuple[str, ...]
    price_min: int | None
    price_max: int | None
    low: float | None = None  # a number band's bounds, canonical unit
    high: float | None = None
    said: OptionReviews | None = None


@dataclass(frozen=True)
class GuideDimension:
    key: str  # the catalog's attribute key: '가습방식'
    kind: str  # 'enum', 'flag' or 'number'
    dimension: str | None  # numbers: a rag.units dimension ('volume'); None otherwise
    stated: int  # products that state it
    options: tuple[GuideOption, ...]
    aspect: str | None = None  # the aspect the facet names, compared across the options (None: each option's own)


@dataclass(frozen=True)
class BuyingGuide:
    category: str  # the category path
    products: int  # products it describes (in stock)
    price_min: int | None
    price_max: int | None
    reviews: int
    dimensions: tuple[GuideDimension, ...]
    budget_differs: bool = False  # the category's prices differ (same ratio rule as numbers)
    unsaid: tuple[str, ...] = ()  # dimension keys (and 예산) the question left open, in guide order

    @property
    def leaf(self) -> str:
        return self.category.split(">")[-1]

    def dimension(self, key: str) -> GuideDimension | None:
        return next((d for d in self.dimensions if d.key == key), None)

    def lines(self, dimensions: int = 3) -> list[str]:
        """The rendered 고려할 점 (Answer.considerations)."""
        from .guide_text import guide_lines

        return guide_lines(self, dimensions)


# ---- reading facets ----


def _group(f: Facet) -> str:
    return "number" if f.kind in ("number", "range") else f.kind


@dataclass
class _Stated:
    key: str
    kind: str
    dimension: str | None
    values: dict[str, object] = field(default_factory=dict)  # product id → option label / flag / number
    positions: list[int] = field(default_factory=list)  # the key's position in each product's facet list


def _stated(products: Sequence[Product], facets_of: Mapping[str, Sequence[Facet]]) -> list[_Stated]:
    """Per (key, kind): each product's main value (first reading), in first-seen order."""
    out: dict[tuple, _Stated] = {}
    for p in products:
        position = 0
        for f in facets_of.get(p.product_id, ()):
            if f.source or f.kind == "text":
                continue
            kind = _group(f)
            ident = (f.key, kind, f.dimension if kind == "number" else None)
            s = out.setdefault(ident, _Stated(f.key, kind, ident[2]))
            if p.product_id in s.values:
                continue
            if kind == "enum":
                value: object = f.options[0] if f.options else f.raw
            elif kind == "flag":
                if f.flag is None:
                    continue
                value = f.flag
            else:
                if f.low is None:
                    continue
                value = f.low
            s.values[p.product_id] = value
            s.positions.append(position)
            position += 1
    return list(out.values())


def spread_noticeable(values: Iterable[float], dimension: str | None) -> bool:
    values = list(values)
    if len(values) < 2:
        return False
    low, high = min(values), max(values)
    if dimension == "sound":
        return high - low >= DB_SPREAD
    if low <= 0:
        return high > 0
    return high / low >= RATIO_SPREAD


def _differs(s: _Stated, n: int) -> bool:
    if len(s.values) < max(2, math.ceil(n * MIN_SHARE)):
        return False
    if s.kind == "number":
        return spread_noticeable(s.values.values(), s.dimension)
    return len(set(s.values.values())) >= 2


def _value_label(value: object) -> str:
    return "있음" if value is True else "없음" if value is False else str(value)


def _quantity(value: float, dimension: str | None) -> str:
    return format_quantity(value, dimension) if dimension else f"{value:,g}"


def _bands(values: Mapping[str, float], dimension: str | None) -> list[tuple[str, float, float, tuple[str, ...]]]:
    """(label, low, high, product ids): each distinct value when ≤ MAX_BANDS, else near-equal thirds."""
    ordered = sorted(values.items(), key=lambda kv: (kv[1], kv[0]))
    distinct = sorted(set(values.values()))
    if len(distinct) <= MAX_BANDS:
        groups = [[pid for pid, v in ordered if v == d] for d in distinct]
    else:
        groups, size = [], len(ordered) / MAX_BANDS
        start = 0
        for k in range(1, MAX_BANDS + 1):
            end = len(ordered) if k == MAX_BANDS else max(start + 1, round(size * k))
            while 0 < end < len(ordered) and ordered[end][1] == ordered[end - 1][1]:
                end += 1  # equal values stay in one band
            if start < end:
                groups.append([pid for pid, _ in ordered[start:end]])
            start = end
    out = []
    for group in groups:
        low, high = min(values[p] for p in group), max(values[p] for p in group)
        a, b = _quantity(low, dimension), _quantity(high, dimension)
        out.append((a if a == b else f"{a}~{b}", low, high, tuple(group)))
    return out


# ---- reviews per option ----


def _best(mentions: Iterable[Mention]) -> Mention | None:
    """The same preference as rag.generation.aspects' representative quote, over the products' own best ones."""
    usable = [m for m in mentions if m is not None and m.quotable]
    if not usable:
        return None
    return min(usable, key=lambda m: (not m.explicit, len(m.clause) < 10, -m.helpful, len(m.clause), m.review_id))


def _key_aspects(key: str, analyzer) -> list[str]:
    """Aspects the facet's own name names: a morpheme of the key is one of the aspect's single-morpheme cues."""
    forms = {t.form.lower() for t in analyzer.tokens(key) if t.tag.startswith(("NN", "XR", "SL", "VA", "VV"))}
    out = []
    for aspect, patterns in ASPECT_MORPHEMES.items():
        cues = {p.split("/")[0].lower() for p in patterns if "+" not in p}
        if forms & cues:
            out.append(aspect)
    return out


class BuyingGuides:
    """Buying guides of a catalog's categories, each built once and cached (the question's open points are added per
    call). `reviews_of` and `summary_of` are the composer's cached per-product readers."""

    def __init__(
        self,
        products: Iterable[Product],
        facets_of: Mapping[str, Sequence[Facet]],
        reviews_of: Callable[[str], Sequence[Review]],
        summary_of: Callable[[str], Sequence[AspectSummary]],
        analyzer,
    ) -> None:
        self.by_category: dict[str, list[Product]] = {}
        for p in products:
            self.by_category.setdefault(p.category, []).append(p)
        self.facets_of, self.reviews_of, self.summary_of = facets_of, reviews_of, summary_of
        self.analyzer = analyzer
        self.guide = lru_cache(maxsize=512)(self._build)

    def _build(self, category: str) -> BuyingGuide | None:
        products = [p for p in self.by_category.get(category, []) if p.in_stock is not False]
        if len(products) < 2:
            return None
        prices = [p.price for p in products if p.price is not None]
        stated = [s for s in _stated(products, self.facets_of) if _differs(s, len(products))]
        stated.sort(key=lambda s: (sum(s.positions) / len(s.positions), -len(s.values), s.key))
        by_id = {p.product_id: p for p in products}
        summaries = {p.product_id: {x.aspect: x for x in self.summary_of(p.product_id)} for p in products}
        dimensions = []
        for s in stated:
            options = self._options(s, by_id)
            aspect = self._aspect(s.key, options, summaries)
            options = [
                replace(o, said=self._said(o, a, summaries)) if (a := aspect or self._top_aspect(o, summaries)) else o
                for o in options
            ]
            dimensions.append(GuideDimension(s.key, s.kind, s.dimension, len(s.values), tuple(options), aspect))
        return BuyingGuide(
            category,
            len(products),
            min(prices) if prices else None,
            max(prices) if prices else None,
            sum(len(self.reviews_of(p.product_id)) for p in products),
            tuple(dimensions),
            budget_differs=spread_noticeable(prices, None),
        )

    def _options(self, s: _Stated, by_id: Mapping[str, Product]) -> list[GuideOption]:
        if s.kind == "number":
            groups = [(label, low, high, ids) for label, low, high, ids in _bands(s.values, s.dimension)]
        else:
            counts: dict[object, list[str]] = {}
            for pid, value in s.values.items():
                counts.setdefault(value, []).append(pid)

            def cheapest(ids: list[str]) -> float:
                return min((by_id[p].price for p in ids if by_id[p].price is not None), default=math.inf)

            ordered = sorted(counts.items(), key=lambda kv: (cheapest(kv[1]), str(kv[0])))  # cheapest option first
            groups = [(_value_label(v), None, None, tuple(ids)) for v, ids in ordered]
        out = []
        for label, low, high, ids in groups:
            prices = [by_id[p].price for p in ids if by_id[p].price is not None]
            out.append(
                GuideOption(label, ids, min(prices) if prices else None, max(prices) if prices else None, low, high)
            )
        return out

    def _aspect(self, key: str, options: Sequence[GuideOption], summaries) -> str | None:
        """The aspect the facet's own name names, if reviewers of these products mention it."""
        mentioned = {a for o in options for p in o.product_ids for a in summaries[p]}
        return next((a for a in _key_aspects(key, self.analyzer) if a in mentioned), None)

    @staticmethod
    def _top_aspect(option: GuideOption, summaries) -> str | None:
        """What this option's reviewers talk about most (more mentions, then the aspect's name)."""
        totals: dict[str, int] = {}
        for p in option.product_ids:
            for aspect, x in summaries[p].items():
                totals[aspect] = totals.get(aspect, 0) + x.mentions
        return min(totals, key=lambda a: (-totals[a], a)) if totals else None

    def _said(self, option: GuideOption, aspect: str, summaries) -> OptionReviews:
        xs = [summaries[p][aspect] for p in option.product_ids if aspect in summaries[p]]
        pos, neg = sum(x.positive for x in xs), sum(x.negative for x in xs)
        best = _best(x.best_positive if pos >= neg else x.best_negative for x in xs)
        citation = None
        if best is not None:
            review = next(r for p in option.product_ids for r in self.reviews_of(p) if r.review_id == best.review_id)
            citation = Citation(
                review.review_id,
                review.product_id,
                best.clause,
                review.rating,
                review.rating_max,
                review.created_at,
                review.option,
            )
        reviews = sum(len(self.reviews_of(p)) for p in option.product_ids)
        return OptionReviews(aspect, pos, neg, sum(x.mentions for x in xs), reviews, citation)

    # ---- per question ----

    def for_question(
        self, category: str, parsed: ParsedQuery | None, constraints=None, question: str = ""
    ) -> BuyingGuide | None:
        """The category's guide with `unsaid`: its dimensions the question does not constrain, name or order by."""
        guide = self.guide(category)
        if guide is None:
            return None
        return replace(guide, unsaid=tuple(unsaid(guide, parsed, constraints, question)))


def _compact(text: str) -> str:
    return "".join(text.split()).lower()


def said(dimension: GuideDimension, parsed: ParsedQuery | None, constraints=None, question: str = "") -> bool:
    """Does the question (or the conversation's constraints) speak to this dimension?"""
    text = _compact(question or (parsed.text if parsed else ""))
    if _compact(dimension.key) in text:
        return True
    if dimension.kind == "enum" and any(len(o.label) >= 2 and _compact(o.label) in text for o in dimension.options):
        return True
    specs = list(parsed.specs if parsed else ()) + list(getattr(constraints, "specs", ()) or ())
    if dimension.kind == "number" and any(s.dimension == dimension.dimension for s in specs):
        return True
    sup = parsed.superlative if parsed else None
    if dimension.kind == "number" and sup is not None and sup.dimension == dimension.dimension:
        return True
    requirements = list(parsed.attributes if parsed else ()) + list(getattr(constraints, "attributes", ()) or ())
    names = {_compact(dimension.key)} | {_compact(o.label) for o in dimension.options}
    return any(_compact(t) in names for a in requirements for t in (a.label, *a.terms))


def budget_said(parsed: ParsedQuery | None, constraints=None) -> bool:
    if constraints is not None and (constraints.price_min is not None or constraints.price_max is not None):
        return True
    if parsed is None:
        return False
    prices = (parsed.price_min, parsed.price_max, parsed.price_target)
    return any(v is not None for v in prices) or parsed.cheap or parsed.sort in ("price_asc", "price_desc", "value")


def unsaid(guide: BuyingGuide, parsed: ParsedQuery | None, constraints=None, question: str = "") -> list[str]:
    out = [BUDGET] if guide.budget_differs and not budget_said(parsed, constraints) else []
    return out + [d.key for d in guide.dimensions if not said(d, parsed, constraints, question)]
