"""Raw rows → validated records, with a row-level report of everything that was wrong.

Errors skip the row (and are fatal under --strict); notices keep it. Every problem names the file, the
line, the bad value and what was expected, e.g. `reviews.jsonl line 17: rating "five" is not a number`.
Text is NFC-normalised and capped at LIMITS (a notice says so), so no row can make analysis or embedding
cost more than a stated bound.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from rag.records import EVENT_KINDS, Event, Product, Review

from .readers import RawRow, Source, read_rows

# reason → is it an error (row skipped) or a notice (row kept)
REASONS: dict[str, bool] = {
    "bad_row": True,  # unreadable JSON or a CSV row with the wrong number of fields
    "undecodable_line": True,  # a line that is not in the file's encoding: only that line is skipped
    "unclosed_quote": True,  # a CSV quote never closed: this row is skipped, the lines it took in are read
    "missing_field": True,
    "bad_value": True,
    "duplicate_id": True,
    "duplicate_review": True,  # the same user posted the same text for the same product again
    "unknown_product": True,
    "empty_text": False,  # kept: its rating counts in the statistics, there is nothing to search
    "duplicate_text": False,  # kept: the same words from another user or product; embedded once
    "truncated_text": False,  # kept: cut at LIMITS
    "file_notice": False,  # a whole file read in a way worth knowing: another encoding or delimiter
}

# The documented caps (README "Input data"): text beyond them is cut with a notice, ids beyond them are errors.
LIMITS: dict[str, int] = {
    "text": 5_000,  # review text, characters
    "description": 5_000,  # product description, characters
    "name": 300,  # product name, brand, category, option, characters
    "id": 200,  # product_id, review_id, user_id: an id is never cut (two ids could become one)
    "attributes": 50,  # attributes per product; each name ≤ 100 and value ≤ 300 characters
    "attribute_name": 100,
    "attribute_value": 300,
    "number": 10**12,  # prices (KRW) and counts: above 1조 a value is a typo or garbage
}
_ID_FIELDS = frozenset({"product_id", "review_id", "user_id"})
_CAP_OF = {"text": "text", "description": "description"}


class StrictModeError(ValueError):
    """A bad row under --strict."""


@dataclass
class Problem:
    reason: str
    where: str
    message: str

    @property
    def is_error(self) -> bool:
        return REASONS[self.reason]

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class RowProblem(ValueError):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class Validated:
    products: dict[str, Product] = field(default_factory=dict)
    reviews: list[Review] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: Counter = field(default_factory=Counter)
    unknown_products: Counter = field(default_factory=Counter)  # product ids that rejected rows referred to

    def counts_by_reason(self) -> dict[str, int]:
        return dict(Counter(p.reason for p in self.problems))

    def skipped(self) -> int:
        return sum(1 for p in self.problems if p.is_error)


# ---- field parsers: each raises RowProblem naming the value and what was expected ----

Notes = list[str]  # notices about a kept row (a cut text), filled by the parsers


def _show(value: object, width: int = 40) -> str:
    text = str(value)
    return text if len(text) <= width else f"{text[:width]}…"


def _text(data: dict, key: str, required: bool = False, notes: Notes | None = None) -> str:
    value = data.get(key)
    if type(value) is str:  # the common case, kept fast: NSMC calls this 4 million times
        text = value.strip()
    elif value is None:
        text = ""
    elif isinstance(value, bool) or not isinstance(value, int | float | str):
        # a list or object would be stored as its Python repr; say so instead
        raise RowProblem("bad_value", f"{key} must be text, got a {type(value).__name__}: {_show(value)}")
    else:
        text = str(value).strip()
    if not text:
        if required:
            raise RowProblem("missing_field", f"{key} is missing or empty")
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:  # JSON's "\ud800" escapes decode to a lone surrogate; SQLite refuses it
            raise RowProblem(
                "bad_value", f"{key} holds an unpaired surrogate (\\u{ord(text[exc.start]):04x}), not a character"
            ) from None
    if len(text) > LIMITS["id"]:  # the shortest limit: most values pass with this one comparison
        if key in _ID_FIELDS:
            raise RowProblem(
                "bad_value", f'{key} "{_show(text)}" has {len(text):,} characters; ids have at most {LIMITS["id"]}'
            )
        cap = LIMITS[_CAP_OF.get(key, "name")]
        if len(text) > cap:
            if notes is not None:
                notes.append(f"{key} has {len(text):,} characters: kept the first {cap:,} (the limit for {key})")
            text = text[:cap].rstrip()
    return text


# thousands separated by commas ("129,000") or nothing, an optional decimal part, optional 원 / ₩
_NUMBER = re.compile(r"[₩￦]?\s*([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?|[+-]?\.\d+)\s*원?")


def _number(data: dict, key: str, required: bool = False, integer: bool = False) -> float | int | None:
    value = data.get(key)
    if type(value) is str and value.isdigit() and value.isascii():  # the common case, kept fast
        number = int(value)
        if number > LIMITS["number"]:
            raise RowProblem("bad_value", f'{key} "{_show(value)}" is too large (at most {LIMITS["number"]:,})')
        return number if integer else float(number)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise RowProblem("missing_field", f"{key} is missing")
        return None
    if isinstance(value, bool):
        raise RowProblem("bad_value", f'{key} "{value}" is not a number')
    if isinstance(value, int | float):
        number = value
    elif isinstance(value, str):
        match = _NUMBER.fullmatch(value.strip())
        if not match:
            hint = " (commas only between thousands: 12,900)" if "," in value else ""
            raise RowProblem("bad_value", f'{key} "{_show(value)}" is not a number{hint}')
        number = float(match.group(1).replace(",", ""))
    else:
        raise RowProblem("bad_value", f"{key} must be a number, got a {type(value).__name__}: {_show(value)}")
    if isinstance(number, float) and not math.isfinite(number):
        raise RowProblem("bad_value", f'{key} "{value}" must be a finite number ≥ 0')
    if number < 0:
        raise RowProblem("bad_value", f'{key} "{value}" must be a number ≥ 0')
    if number > LIMITS["number"]:
        raise RowProblem("bad_value", f'{key} "{_show(value)}" is too large (at most {LIMITS["number"]:,})')
    if integer:
        if number != int(number):
            raise RowProblem("bad_value", f'{key} "{value}" must be a whole number')
        return int(number)
    return float(number)


_TRUE = {"true", "1", "yes", "y", "t", "o", "예", "네"}
_FALSE = {"false", "0", "no", "n", "f", "x", "아니오", ""}


def _bool(data: dict, key: str) -> bool | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if not isinstance(value, str | int | float):
        raise RowProblem("bad_value", f"{key} must be true/false, got a {type(value).__name__}")
    lowered = str(value).strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False if lowered else None
    raise RowProblem("bad_value", f'{key} "{_show(value)}" is not true/false')


def _date(data: dict, key: str) -> str:
    value = _text(data, key)
    if not value:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace(".", "-", 2)[:19])
    except ValueError:
        raise RowProblem("bad_value", f'{key} "{_show(value)}" is not a date (YYYY-MM-DD)') from None
    return parsed.date().isoformat() if len(value) <= 10 else parsed.isoformat()


def _attributes(data: dict, notes: Notes | None = None) -> dict:
    value = data.get("attributes")
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (json.JSONDecodeError, RecursionError):
            raise RowProblem("bad_value", f'attributes "{_show(value)}" is not a JSON object') from None
    if not isinstance(value, dict):
        raise RowProblem("bad_value", "attributes must be an object of name → value")
    out: dict = {}
    cut = 0
    for k, v in value.items():
        if len(out) == LIMITS["attributes"]:
            cut = len(value) - len(out)
            break
        if isinstance(v, float) and not math.isfinite(v):
            raise RowProblem("bad_value", f'attribute "{_show(k)}" is {v}, not a finite number')
        if not isinstance(v, str | int | float | bool):
            v = json.dumps(v, ensure_ascii=False)
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > LIMITS["number"]:
            v = str(v)  # SQLite stores integers up to 2^63; kept as written
        name = _text({"k": k}, "k")[: LIMITS["attribute_name"]]
        if isinstance(v, str):
            v = _text({"v": v}, "v")
            if len(v) > LIMITS["attribute_value"]:
                cut += 1
                v = v[: LIMITS["attribute_value"]]
        out[name] = v
    if cut and notes is not None:
        notes.append(
            f"attributes cut to the limits ({LIMITS['attributes']} attributes, values ≤ "
            f"{LIMITS['attribute_value']} characters)"
        )
    return out


# ---- row → record, per source format ----


def product_from_row(data: dict, notes: Notes | None = None) -> Product:
    return Product(
        product_id=_text(data, "product_id", required=True),
        name=_text(data, "name", required=True, notes=notes),
        category=_text(data, "category", notes=notes),
        brand=_text(data, "brand", notes=notes),
        price=_number(data, "price", integer=True),
        description=_text(data, "description", notes=notes),
        attributes=_attributes(data, notes),
        purchases=_number(data, "purchases", integer=True),
        views=_number(data, "views", integer=True),
        in_stock=_bool(data, "in_stock"),
    )


def review_from_row(
    data: dict, fmt: str, row: RawRow, scale: tuple[float, float], notes: Notes | None = None
) -> Review:
    if fmt == "nsmc":
        data = {
            "review_id": data["review_id"],
            "product_id": data["movie_id"],
            "rating": data["rating"],
            "text": data["review"],
            "created_at": data["date"],
            "user_id": data["author"],
        }
    elif fmt == "naver_shopping":
        stem = row.file.split(".")[0]
        data = {"review_id": f"{stem}-{row.line}", "product_id": stem, "rating": data["rating"], "text": data["review"]}
    rating = _number(data, "rating", required=True)
    low, high = scale
    if not low <= rating <= high:
        raise RowProblem("bad_value", f'rating "{data["rating"]}" is outside the scale {low:g}–{high:g}')
    return Review(
        review_id=_text(data, "review_id", required=True),
        product_id=_text(data, "product_id", required=True),
        rating=rating,
        text=_text(data, "text", notes=notes),
        created_at=_date(data, "created_at"),
        helpful=_number(data, "helpful", integer=True) or 0,
        repurchase=bool(_bool(data, "repurchase")),
        user_id=_text(data, "user_id"),
        option=_text(data, "option", notes=notes),
        rating_min=low,
        rating_max=high,
    )


def event_from_row(data: dict) -> Event:
    kind = _text(data, "event", required=True).lower()
    if kind not in EVENT_KINDS:
        raise RowProblem("bad_value", f'event "{kind}" is not one of {", ".join(EVENT_KINDS)}')
    return Event(
        user_id=_text(data, "user_id", required=True),
        product_id=_text(data, "product_id", required=True),
        event=kind,
        ts=_date(data, "ts"),
    )


SCALES: dict[str, tuple[float, float]] = {
    "nsmc": (1.0, 10.0),
    "naver_shopping": (1.0, 5.0),
    "jsonl": (1.0, 5.0),
    "json": (1.0, 5.0),
    "csv": (1.0, 5.0),
}


def validate(
    sources: Iterable[Source],
    known_products: dict[str, Product] | None = None,
    known_review_ids: set[str] | None = None,
    strict: bool = False,
) -> Validated:
    """Read and validate all sources; products first, so reviews and events can be checked against them.

    `known_products` and `known_review_ids` come from an existing index when updating it.
    """
    out = Validated()
    sources = sorted(sources, key=lambda s: ("products", "reviews", "events").index(s.kind))
    known = dict(known_products or {})
    seen_reviews = set(known_review_ids or ())
    seen_posts: set[tuple[str, str, str]] = set()
    seen_texts: set[str] = set()

    def report(reason: str, row: RawRow, message: str) -> None:
        problem = Problem(reason, row.where(), message)
        if strict and problem.is_error:
            raise StrictModeError(f"{problem} (--strict makes every bad row fatal; drop --strict to skip it)")
        out.problems.append(problem)

    for source in sources:
        for where, note in source.notes:
            out.problems.append(Problem("file_notice", where, note))
        for row in read_rows(source):
            out.rows_read[source.kind] += 1
            if row.error is not None:
                report(row.reason, row, row.error)
                continue
            notes: Notes = []
            try:
                if source.kind == "products":
                    product = product_from_row(row.data, notes)
                    if product.product_id in known or product.product_id in out.products:
                        raise RowProblem("duplicate_id", f'product_id "{product.product_id}" appears again')
                    out.products[product.product_id] = product
                elif source.kind == "reviews":
                    review = review_from_row(row.data, source.fmt, row, SCALES[source.fmt], notes)
                    if (
                        source.fmt in ("nsmc", "naver_shopping")
                        and review.product_id not in known
                        and review.product_id not in out.products
                    ):
                        out.products[review.product_id] = _item_product(review.product_id, source.fmt)
                    if review.product_id not in known and review.product_id not in out.products:
                        out.unknown_products[review.product_id] += 1
                        raise RowProblem(
                            "unknown_product",
                            f'product_id "{review.product_id}" is not in any '
                            "products file; add the product or fix the id",
                        )
                    if review.review_id in seen_reviews:
                        raise RowProblem("duplicate_id", f'review_id "{review.review_id}" appears again')
                    post = (review.product_id, review.user_id, review.text)
                    if review.text and review.user_id and post in seen_posts:
                        raise RowProblem(
                            "duplicate_review",
                            f'user "{review.user_id}" posted the same text for "{review.product_id}" again',
                        )
                    seen_reviews.add(review.review_id)
                    seen_posts.add(post)
                    if not review.text:
                        report("empty_text", row, "text is empty: kept for the rating statistics, not searchable")
                    elif review.text in seen_texts:
                        report("duplicate_text", row, "the same text occurs in an earlier review: kept, embedded once")
                    seen_texts.add(review.text)
                    out.reviews.append(review)
                else:
                    event = event_from_row(row.data)
                    if event.product_id not in known and event.product_id not in out.products:
                        out.unknown_products[event.product_id] += 1
                        raise RowProblem(
                            "unknown_product", f'product_id "{event.product_id}" is not in any products file'
                        )
                    out.events.append(event)
            except RowProblem as exc:
                report(exc.reason, row, str(exc))
                continue
            for note in notes:
                report("truncated_text", row, note)
    return out


def _item_product(item_id: str, fmt: str) -> Product:
    if fmt == "nsmc":
        # NSMC has no titles: the movie stands in for a product, named by its id
        return Product(product_id=item_id, name=f"영화 {item_id}", category="영화")
    return Product(product_id=item_id, name=f"{item_id} (상품 정보 없음)", category="미상")
