"""A side-by-side comparison of the products a shopper named: the table as data, and a verdict from its numbers.

    comparer = Comparer(view, catalog, analyzer)
    comparison = comparer.compare(["DIG-001", "DIG-003"], question, parsed)
    comparison.rows      # 가격, 평점, 리뷰 수, the facets every product states, review aspects with counts
    comparison.verdicts  # '노캔이 중요하면 소노릭 프로3: -45dB vs -35dB', '가격이면 소리온 에어 ANC: 54,900원 vs …'

Rows: price; rating mean and review count; each facet key every compared product states (`rag.facets`, typed values
with units; a flag with the number its value states, `있음 · -35dB`); the review aspects most discussed
(`rag.generation.aspects`: praise and complaint counts, with the quotes behind them).

Who wins a row, and by what numbers (`Verdict`): the lower price; the higher rating when the rounded means differ; a
facet the others lack (`있음 vs 없음`: "if you need it"); a number on a dimension whose better direction does not
depend on the shopper (`BETTER`: quieter, lighter, longer-lasting, bigger battery, stronger suction, more area; a
reduction written with a minus sign, `ANC -45dB`, is better when larger), or in the direction the question asks
(`더 가벼운`); an aspect whose net share of reviews (praise − complaint, over the product's reviews) is at least
`ASPECT_MARGIN` higher, with at least two reviews praising it. Other differences (용량, 가습방식) stay in the table
without a winner: which is better depends on the shopper. What the shopper said matters (an aspect word, a facet,
price, rating) leads the verdict. Every verdict names the row it rests on; aspect verdicts carry review citations.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..facets import Facet, describe
from ..index.catalog import CatalogReader
from ..query.intent import CompareRequest
from ..query.lexicon import ATTRIBUTES
from ..records import Product, Review
from ..stats import ProductStats
from ..units import format_quantity
from . import templates as T
from .aspects import AspectSummary, Mention, query_aspects, summarize
from .evidence import Citation
from .templates import say

if TYPE_CHECKING:  # rag.generation.answer imports this module for the Answer's fields
    from .answer import Answer

# the better direction of a dimension, when it does not depend on the shopper
BETTER: dict[str, str] = {"sound": "min", "mass": "min", "duration": "max", "charge": "max", "pressure": "max"}
BETTER["area"] = "max"
ASPECT_MARGIN = 0.10  # net share of reviews (praise − complaint) / reviews that makes one side better on an aspect
ASPECT_MIN_PRAISE = 3  # reviews praising the aspect, at least, for the winner: fewer is one or two opinions
RATING_MARGIN = 0.2  # rating means (source scale, rounded to 0.1) this far apart make one side better …
RATING_MIN_REVIEWS = 5  # … when every compared product has at least this many reviews
MAX_ASPECT_ROWS = 4  # most-discussed aspects in the table (plus any the shopper named)
MAX_VERDICTS = 6
_PRICE_WORDS = ("가격", "싼", "싸", "저렴", "가성비", "예산", "돈")
_RATING_WORDS = ("평점", "별점", "만족도")


@dataclass(frozen=True)
class ComparedProduct:
    product_id: str
    name: str
    short: str  # the name as the verdict says it: its first words, enough to tell the compared products apart
    brand: str
    category: str
    price: int | None
    rating_mean: float | None
    rating_max: float
    review_count: int
    in_stock: bool | None = None


@dataclass(frozen=True)
class Cell:
    text: str  # as shown: '54,900원', '있음 · -35dB(ANC 최대)', '정보 없음'
    value: float | None = None  # the number compared, in the dimension's canonical unit
    has: bool | None = None  # a facet: whether the product has the thing (False: states it lacks it)
    count: int | None = None  # an aspect: reviews praising it
    negative: int | None = None  # an aspect: reviews complaining about it
    number: str = ""  # the compared number as the verdict says it ('-45dB', '9시간'); '' when not numeric


@dataclass
class Row:
    key: str  # 'price', 'rating', 'reviews', 'facet:노이즈캔슬링', 'aspect:소음'
    label: str  # '가격', '노이즈캔슬링', '리뷰: 소음'
    kind: str  # 'price' | 'rating' | 'reviews' | 'facet' | 'aspect'
    cells: list[Cell]  # one per compared product, in `Comparison.products` order
    dimension: str | None = None  # facet rows: the compared number's dimension
    reduction: bool = False  # the number is a reduction written with a minus sign (ANC -45dB): larger is better
    citations: list[Citation] = field(default_factory=list)  # aspect rows: the quotes behind the counts
    aspect: str = ""  # aspect rows: the aspect ('소음')


@dataclass
class Verdict:
    row: str  # the Row.key the claim rests on: its citation for facet, price and rating claims
    label: str  # the dimension in the shopper's words when they said it ('노캔'), else the row's
    winner: str | None  # product id; None when no side wins on this row
    text: str
    focus: bool = False  # the shopper said this matters
    citations: list[Citation] = field(default_factory=list)  # aspect claims: the reviews counted

    @property
    def values(self) -> str:
        """The numbers the claim compares, winner first: '-45dB vs -35dB'."""
        return self.text.split(": ", 1)[-1]


@dataclass
class Comparison:
    products: list[ComparedProduct]
    rows: list[Row]
    verdicts: list[Verdict]
    focus: list[str] = field(default_factory=list)  # row keys the shopper said matter, in the order said
    mixed_categories: bool = False
    missing: list[str] = field(default_factory=list)  # what the shopper named that no product matched
    summary: str = ""  # the LLM's summary of the verdict, when one passed the checks
    summary_source: str = "grounded"  # "llm" when `summary` was written by the model

    def row(self, key: str) -> Row | None:
        return next((r for r in self.rows if r.key == key), None)

    def citations(self) -> list[Citation]:
        seen, out = set(), []
        for c in [c for r in self.rows for c in r.citations] + [c for v in self.verdicts for c in v.citations]:
            if c.review_id not in seen:
                seen.add(c.review_id)
                out.append(c)
        return out

    def to_text(self) -> str:
        """The table as aligned plain text, then the verdict, each claim with the row it rests on."""
        header = [T.COMPARE_COLUMN_ITEM, *(p.short for p in self.products)]
        body = [[r.label, *(c.text for c in r.cells)] for r in self.rows]
        widths = [max(_width(line[i]) for line in [header, *body]) for i in range(len(header))]
        lines = [" | ".join(_pad(x, w) for x, w in zip(line, widths, strict=True)).rstrip() for line in [header, *body]]
        lines.insert(1, "-+-".join("-" * w for w in widths))
        out = "\n".join(lines) + "\n\n"
        if self.summary:
            out += self.summary + "\n"
        if self.verdicts:
            out += (
                T.COMPARE_SECTION_VERDICT
                + "\n"
                + "\n".join(f"- {v.text} [{self._source(v)}]" for v in self.verdicts)
                + "\n"
            )
        return out + "\n"

    def _source(self, v: Verdict) -> str:
        row = self.row(v.row)
        parts = [say("COMPARE_SOURCE_ROW", row=row.label if row else v.row)]
        parts += [say("COMPARE_SOURCE_REVIEW", review_id=c.review_id) for c in v.citations]
        return ", ".join(parts)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# ---- building ----


@dataclass(frozen=True)
class _Evidence:
    product: Product
    stats: ProductStats
    facets: tuple[Facet, ...]
    summaries: tuple[AspectSummary, ...]
    reviews: dict[str, Review]


class Comparer:
    """Builds comparisons over one catalog. Aspect summaries per product are cached (the costly part)."""

    def __init__(
        self,
        products: Callable[[str], Product | None],
        stats: Callable[[str], ProductStats | None],
        facets: Callable[[str], Sequence[Facet]],
        catalog: CatalogReader,
        analyzer=None,
        summaries: Callable[[str], Sequence[AspectSummary]] | None = None,
    ) -> None:
        """summaries: product id → its aspect summaries, when the caller already caches them (the guide passes its
        composer's, so that a product's reviews are read once per process)."""
        self._product, self._stats, self._facets = products, stats, facets
        self.catalog, self.analyzer = catalog, analyzer
        self._reviews = lru_cache(maxsize=1024)(lambda pid: {r.review_id: r for r in catalog.reviews(pid)})
        self._summary = summaries or lru_cache(maxsize=1024)(
            lambda pid: tuple(summarize(list(self._reviews(pid).values()), self.analyzer))
        )

    @classmethod
    def from_view(cls, view, catalog: CatalogReader, analyzer=None, summaries=None) -> Comparer:
        """Over a `rag.catalog_view.CatalogView` (products, stats and facets in memory)."""

        def row(pid: str) -> int | None:
            return view.position.get(pid)

        return cls(
            lambda pid: None if row(pid) is None else view.products[row(pid)],
            lambda pid: None if row(pid) is None else view.stats[row(pid)],
            lambda pid: () if row(pid) is None else view.facets[row(pid)],
            catalog,
            analyzer,
            summaries,
        )

    def evidence(self, product_id: str) -> _Evidence | None:
        product = self._product(product_id)
        if product is None:
            return None
        stats = self._stats(product_id) or ProductStats(product_id)
        facets = tuple(self._facets(product_id))
        return _Evidence(product, stats, facets, tuple(self._summary(product_id)), self._reviews(product_id))

    def compare(self, product_ids: Sequence[str], question: str = "", parsed=None) -> Comparison:
        """The comparison of those products (unknown ids are skipped); `parsed` (the question's ParsedQuery) says
        what the shopper said matters: its attributes, specs and superlative, and the words of its spans."""
        items = [e for e in (self.evidence(pid) for pid in dict.fromkeys(product_ids)) if e is not None]
        return build_comparison(items, _without_names(question, [e.product for e in items]), parsed)

    def answer(self, request: CompareRequest, question: str, parsed=None) -> Answer:
        """The comparison answer: the table and verdict when two or more named products were found; otherwise a
        headline that says which name matched nothing (or several products), and no products."""
        from .answer import Answer  # at call time: answer imports this module

        comparison = self.compare(request.product_ids, question, parsed)
        missing = [m.said for m in request.unresolved if not m.candidates]
        ambiguous = [
            (m.said, [p.name for p in (self._product(c) for c in m.candidates) if p is not None])
            for m in request.unresolved
            if m.candidates and set(m.candidates) != set(request.product_ids)
        ]
        if len(comparison.products) < 2 or ambiguous:
            found = [p.name for p in comparison.products]
            return Answer(
                question,
                not_compared_headline(missing, ambiguous, found),
                [],
                [],
                [],
                [],
                found=False,
                suggestions=comparison_suggestions(found),
                parsed=parsed,
            )
        comparison.missing = missing
        return Answer(
            question,
            comparison_headline(comparison, request.from_history),
            [],
            [],
            [],
            comparison_follow_ups(comparison),
            parsed=parsed,
            comparison=comparison,
        )


def _without_names(question: str, products: Sequence[Product]) -> str:
    """The question without the words that name the compared products: '소리온' must not read as 소리 (소음)."""
    tokens = {t.lower() for p in products for t in f"{p.name} {p.brand}".split() if len(t) >= 2}
    return " ".join(w for w in question.split() if not any(w.lower().startswith(t) for t in tokens))


def _shorts(products: Sequence[Product]) -> list[str]:
    """The fewest first words of each name (at least 2, at most 4) that tell the products apart."""
    for n in range(2, 5):
        shorts = [" ".join(p.name.split()[:n]) for p in products]
        if len(set(shorts)) == len(shorts):
            return shorts
    return [p.name for p in products]


def build_comparison(items: Sequence[_Evidence], question: str = "", parsed=None) -> Comparison:
    shorts = _shorts([e.product for e in items])
    products = [
        ComparedProduct(
            e.product.product_id,
            e.product.name,
            short,
            e.product.brand,
            e.product.category,
            e.product.price,
            e.stats.rating_mean,
            e.stats.rating_scale[1],
            e.stats.review_count,
            e.product.in_stock,
        )
        for e, short in zip(items, shorts, strict=True)
    ]
    superlative = getattr(parsed, "superlative", None)
    rows = [_price_row(products), _rating_row(products), _reviews_row(products)]
    if any(p.in_stock is False for p in products):
        stock = [Cell(T.COMPARE_CELL_SOLD_OUT if p.in_stock is False else T.COMPARE_CELL_IN_STOCK) for p in products]
        rows.append(Row("stock", T.COMPARE_ROW_STOCK, "stock", stock))
    rows += _facet_rows(items)
    wanted_aspects = query_aspects(question) if question else []
    rows += _aspect_rows(items, wanted_aspects)
    focus, labels = _focus(question, parsed, rows, wanted_aspects)
    verdicts = _verdicts(products, rows, focus, labels, superlative)
    return Comparison(
        products,
        rows,
        verdicts,
        focus,
        mixed_categories=len({p.category for p in products}) > 1,
    )


def _won(price: int | None) -> str:
    return say("WON", price=price) if price is not None else T.NO_PRICE


def _price_row(products: Sequence[ComparedProduct]) -> Row:
    return Row(
        "price",
        T.COMPARE_ROW_PRICE,
        "price",
        [Cell(_won(p.price), None if p.price is None else float(p.price)) for p in products],
    )


def _rating_row(products: Sequence[ComparedProduct]) -> Row:
    cells = [
        Cell(say("COMPARE_CELL_RATING", rating=p.rating_mean, scale=p.rating_max), round(p.rating_mean, 1))
        if p.review_count and p.rating_mean is not None
        else Cell(T.COMPARE_CELL_NO_REVIEWS)
        for p in products
    ]
    return Row("rating", T.COMPARE_ROW_RATING, "rating", cells)


def _reviews_row(products: Sequence[ComparedProduct]) -> Row:
    return Row(
        "reviews",
        T.COMPARE_ROW_REVIEWS,
        "reviews",
        [Cell(say("COMPARE_CELL_REVIEWS", count=p.review_count), float(p.review_count)) for p in products],
    )


def _value_text(f: Facet) -> str:
    return describe(f)[len(f.key) + 1 :]


def _quantity(f: Facet) -> str:
    """The number alone, with its unit: '45dB', '9시간', '3L~5L' (no qualifier)."""
    low = format_quantity(f.low, f.dimension)
    high = format_quantity(f.high, f.dimension) if f.high is not None else low
    return low if low == high else f"{low}~{high}"


def _signed(f: Facet) -> bool:
    """The number is written as a reduction ('ANC 최대 -35dB')."""
    if f.low is None:
        return False
    number = f"{f.low:g}"
    return re.search(rf"[-−]\s*{re.escape(number)}(?![\d.])", f.raw) is not None


def _facet_cell(facets: Sequence[Facet]) -> tuple[Cell, str | None, bool]:
    """One product's facets under one key → (cell, the compared number's dimension, written as a reduction)."""
    main = [f for f in facets if not f.source] or list(facets)
    first = main[0]
    has = first.flag if first.kind == "flag" else True
    numbers = [f for f in [*main, *(f for f in facets if f.source)] if f.kind in ("number", "range") and f.dimension]
    parts = [] if first.kind in ("number", "range") and first.dimension else [_value_text(first)]
    reduction = False
    for f in numbers:
        signed = _signed(f)
        reduction = reduction or (signed and f is numbers[0])
        parts.append(("-" if signed else "") + _value_text(f))
    number = numbers[0] if numbers else None
    said = "" if number is None else ("-" if _signed(number) else "") + _quantity(number)
    cell = Cell(" · ".join(dict.fromkeys(parts)), None if number is None else number.low, has, number=said)
    return cell, number.dimension if number is not None else None, reduction


def _facet_rows(items: Sequence[_Evidence]) -> list[Row]:
    """One row per facet key every product states (derived facets join the row of the key they came from)."""
    per_product = []
    for e in items:
        by_key: dict[str, list[Facet]] = {}
        for f in e.facets:
            by_key.setdefault(f.source or f.key, []).append(f)
        per_product.append({k: v for k, v in by_key.items() if any(not f.source for f in v)})
    if not per_product:
        return []
    shared = [k for k in per_product[0] if all(k in d for d in per_product[1:])]
    rows = []
    for key in shared:
        read = [_facet_cell(d[key]) for d in per_product]
        dims = {dim for _, dim, _ in read}
        dimension = dims.pop() if len(dims) == 1 else None
        cells = [c if dimension else Cell(c.text, None, c.has) for c, _, _ in read]
        rows.append(Row(f"facet:{key}", key, "facet", cells, dimension, any(r for _, _, r in read)))
    return rows


def _citation(mention: Mention | None, reviews: dict[str, Review]) -> Citation | None:
    review = reviews.get(mention.review_id) if mention else None
    if review is None:
        return None
    return Citation(
        review.review_id, review.product_id, mention.clause, review.rating, review.rating_max, review.created_at
    )


def _aspect_rows(items: Sequence[_Evidence], wanted: Sequence[str]) -> list[Row]:
    by_product = [{s.aspect: s for s in e.summaries} for e in items]
    totals: dict[str, int] = {}
    for d in by_product:
        for aspect, s in d.items():
            totals[aspect] = totals.get(aspect, 0) + s.mentions
    chosen = [a for a in wanted if a in totals]
    chosen += [a for a in sorted(totals, key=lambda a: (-totals[a], a)) if a not in chosen][:MAX_ASPECT_ROWS]
    rows = []
    for aspect in chosen:
        cells, citations = [], []
        for e, d in zip(items, by_product, strict=True):
            s = d.get(aspect)
            n = e.stats.review_count
            if s is None or not s.mentions:
                cells.append(Cell(T.COMPARE_CELL_NOT_MENTIONED, 0.0, count=0))
                continue
            net = (s.positive - s.negative) / n if n else 0.0
            text = say("COMPARE_CELL_ASPECT", positive=s.positive, negative=s.negative)
            cells.append(Cell(text, net, count=s.positive, negative=s.negative))
            citations += [
                c for c in (_citation(s.best_positive, e.reviews), _citation(s.best_negative, e.reviews)) if c
            ]
        label = say("COMPARE_ROW_ASPECT", aspect=aspect)
        rows.append(Row(f"aspect:{aspect}", label, "aspect", cells, citations=citations, aspect=aspect))
    return rows


# ---- what the shopper said matters ----


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def _focus(question: str, parsed, rows: Sequence[Row], aspects: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """Row keys the question names, in the order it names them, and the shopper's own word for each."""
    found: list[tuple[int, str, str]] = []  # (position in the question, row key, the word said)
    q = question.lower()
    compact_q = _compact(question)
    spans = getattr(parsed, "spans", []) or []
    for start, end, label in spans:
        kind, _, value = label.partition(":")
        if kind == "attribute":
            row = next((r for r in rows if r.kind == "facet" and _compact(r.label) == _compact(value)), None)
            if row is None:
                row = next((r for r in rows if r.kind == "facet" and _compact(value) in _compact(r.label)), None)
            if row is not None:
                found.append((start, row.key, question[start:end]))
        elif kind in ("superlative", "comparative", "spec"):
            dimension = value.split(":")[0]
            row = next((r for r in rows if r.kind == "facet" and r.dimension == dimension), None)
            if row is not None:
                found.append((start, row.key, row.label))
        elif kind == "cheap":
            found.append((start, "price", "가격"))
    for r in rows:  # the lexicon's other words for a facet ('노캔' for 노이즈캔슬링), without a parsed query
        for label, (forms, extras) in ATTRIBUTES.items():
            if r.kind == "facet" and _compact(r.label) in {_compact(w) for w in (label, *forms)}:
                said = next((w for w in (*extras, label, *forms) if len(w) >= 2 and w in q), None)
                if said is not None:
                    found.append((q.index(said), r.key, question[q.index(said) : q.index(said) + len(said)]))
    for r in rows:
        if r.kind == "facet" and len(r.label) >= 2 and _compact(r.label) in compact_q:
            found.append((compact_q.index(_compact(r.label)), r.key, r.label))
    for word in _PRICE_WORDS:
        if word in q:
            found.append((q.index(word), "price", "가격"))
    for word in _RATING_WORDS:
        if word in q:
            found.append((q.index(word), "rating", "평점"))
    for aspect in aspects:
        if aspect == "가성비":
            found.append((len(q), "price", "가격"))
        key = f"aspect:{aspect}"
        if any(r.key == key for r in rows):
            found.append((len(q) + 1, key, aspect))
    found.sort(key=lambda x: x[0])
    keys, labels = [], {}
    for _, key, word in found:
        if key not in labels:
            keys.append(key)
            labels[key] = word
    return keys, labels


# ---- the verdict ----


def _direction(row: Row, superlative) -> str | None:
    if row.kind == "price":
        return "min"
    if row.kind in ("rating", "aspect"):
        return "max"
    if row.kind != "facet" or row.dimension is None:
        return None
    if superlative is not None and superlative.dimension == row.dimension:
        return superlative.direction
    better = BETTER.get(row.dimension)
    if row.reduction and better == "min":
        return "max"  # ANC -45dB reduces more than -35dB
    return better


def _winner(row: Row, products: Sequence[ComparedProduct], direction: str | None) -> int | None:
    """The index of the product that wins the row, or None."""
    if row.kind == "facet":
        has = [c.has for c in row.cells]
        if any(h is False for h in has) and any(h for h in has):
            having = [i for i, h in enumerate(has) if h]
            return having[0] if len(having) == 1 else None
    if direction is None:
        return None
    values = [c.value for c in row.cells]
    if any(v is None for v in values) or len(set(values)) < 2:
        return None
    best = (min if direction == "min" else max)(values)
    if values.count(best) > 1:
        return None
    i = values.index(best)
    if row.kind == "aspect":
        second = sorted(values, reverse=True)[1]
        return i if best - second >= ASPECT_MARGIN and (row.cells[i].count or 0) >= ASPECT_MIN_PRAISE else None
    if row.kind == "rating":
        second = sorted(values, reverse=True)[1]
        enough = all(p.review_count >= RATING_MIN_REVIEWS for p in products)
        return i if enough and best - second >= RATING_MARGIN - 1e-9 else None
    return i


def _said(row: Row, p: ComparedProduct, c: Cell, numeric: bool) -> str:
    if row.kind == "aspect":
        return say("COMPARE_SAID_ASPECT", cell=c.text, count=p.review_count)
    if row.kind == "rating":
        return say("COMPARE_SAID_RATING", cell=c.text, count=p.review_count)
    return c.number if numeric and c.number else c.text


def _verdict_text(row: Row, label: str, products: Sequence[ComparedProduct], i: int | None) -> str:
    """'노캔이 중요하면 소노릭 프로3: -45dB vs -35dB'; '가격이면 A: 54,900원 vs 169,000원'; with three or more
    products the others are named ('vs B 35dB vs C 없음')."""
    cells = list(zip(products, row.cells, strict=True))
    if i is None:
        values = " vs ".join(f"{p.short} {_said(row, p, c, True)}" for p, c in cells)
        return say("COMPARE_VERDICT_NO_WINNER", label=label, values=values)
    # a has/lacks difference is said as 있음/없음; a numeric one by its numbers
    numeric = not (row.kind == "facet" and any(c.has is False for c in row.cells))
    if row.kind == "price":
        lead = T.COMPARE_LEAD_PRICE
    elif row.kind == "rating":
        lead = T.COMPARE_LEAD_RATING
    elif not numeric:
        lead = say("COMPARE_LEAD_NEED", label=label)
    else:
        lead = say("COMPARE_LEAD_MATTERS", label=label)
    p, c = cells[i]
    others = [x for k, x in enumerate(cells) if k != i]
    named = len(others) > 1
    rest = " vs ".join((f"{q.short} " if named else "") + _said(row, q, d, numeric) for q, d in others)
    return say("COMPARE_VERDICT", lead=lead, product=p.short, mine=_said(row, p, c, numeric), rest=rest)


def _verdicts(
    products: Sequence[ComparedProduct], rows: Sequence[Row], focus: Sequence[str], labels: dict[str, str], superlative
) -> list[Verdict]:
    if len(products) < 2:
        return []
    out: list[Verdict] = []
    for row in rows:
        if row.kind in ("reviews", "stock"):
            continue
        i = _winner(row, products, _direction(row, superlative))
        said = row.key in focus
        if i is None and not said:
            continue
        label = labels.get(row.key) or row.aspect or row.label
        citations = []
        if row.kind == "aspect" and i is not None:
            citations = [c for c in row.citations if c.product_id == products[i].product_id][:1]
            citations += [c for c in row.citations if c.product_id != products[i].product_id][:1]
        out.append(Verdict(row.key, label, None if i is None else products[i].product_id,
                           _verdict_text(row, label, products, i), said, citations))  # fmt: skip
    facet_labels = {v.label for v in out if v.row.startswith("facet:")}
    out = [v for v in out if not (v.row.startswith("aspect:") and v.label in facet_labels and not v.focus)]
    order = {key: n for n, key in enumerate(focus)}
    out.sort(key=lambda v: (not v.focus, order.get(v.row, math.inf)))
    return out[:MAX_VERDICTS]


# ---- the answer: what the shopper reads around the table (moves to rag.generation.templates) ----


def _joined(names: Sequence[str]) -> str:
    """'A와 B', 'A · B · C 3개'."""
    if len(names) == 2:
        return say("COMPARE_NAMES_TWO", first=names[0], second=names[1])
    return say("COMPARE_NAMES_MANY", names=T.SEP.join(names), count=len(names))


def comparison_headline(comparison: Comparison, from_history: bool) -> str:
    names = [p.short for p in comparison.products]
    line = say("COMPARE_HEADLINE_SHOWN" if from_history else "COMPARE_HEADLINE", names=_joined(names))
    if comparison.mixed_categories:
        leaves = " · ".join(dict.fromkeys(p.category.split(">")[-1] for p in comparison.products))
        line += " " + say("COMPARE_MIXED", leaves=leaves)
    if comparison.missing:
        said = " · ".join(f"'{m}'" for m in comparison.missing)
        line += " " + say("COMPARE_LEFT_OUT", names=said)
    return line


def not_compared_headline(
    missing: Sequence[str], ambiguous: Sequence[tuple[str, Sequence[str]]], found: Sequence[str]
) -> str:
    """Why there is no table: a name matched nothing, or several products, or nothing was named."""
    parts = []
    if missing:
        said = " · ".join(f"'{m}'" for m in missing)
        parts.append(say("COMPARE_NOT_FOUND", names=said))
    for said, names in ambiguous:
        parts.append(say("COMPARE_AMBIGUOUS", said=said, names=T.SEP.join(names)))
    if found and (missing or ambiguous):
        parts.append(say("COMPARE_FOUND_ONLY", names=T.SEP.join(found)))
    if not parts:
        parts.append(T.COMPARE_ASK_WHICH)
    return " ".join(parts)


def comparison_suggestions(found: Sequence[str]) -> list[str]:
    out = [T.COMPARE_SUGGEST_NAMES]
    if found:
        out.append(say("COMPARE_SUGGEST_SIMILAR", product=found[0]))
    return out


def comparison_follow_ups(comparison: Comparison) -> list[str]:
    leaves = dict.fromkeys(p.category.split(">")[-1] for p in comparison.products if p.category)
    return [say("COMPARE_CHIP_CATEGORY", leaf=leaf) for leaf in list(leaves)[:2]]
