"""Quantities with units, as shop listings and shoppers write them: '500g', '1.2kg', '2만mAh', '5L', '최저 23dB'.

One home for unit normalisation, shared by ingest (typing product attributes into facets, `rag.facets`) and query
understanding (`30dB 이하`, `만mAh 이상`), so that both sides convert '1kg' and '1000g' to the same number.

    parse_quantities("무게 1.2kg, 배터리 2만mAh")
    # [Quantity(1200.0, 'g', 'mass', ...), Quantity(20000.0, 'mAh', 'charge', ...)]

Every dimension has one canonical unit (the first of its table row); values are converted to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# dimension → (canonical unit, {surface unit (lower-case) → factor to the canonical unit})
DIMENSIONS: dict[str, tuple[str, dict[str, float]]] = {
    # the one-character forms (㎏ ㎎ ㎝ ㎜ ㏈ …) are how many Korean listings type units
    "mass": (
        "g",
        {"g": 1, "그램": 1, "kg": 1000, "㎏": 1000, "킬로": 1000, "킬로그램": 1000, "mg": 0.001, "㎎": 0.001},
    ),
    "volume": ("ml", {"ml": 1, "mℓ": 1, "㎖": 1, "밀리리터": 1, "cc": 1, "l": 1000, "ℓ": 1000, "리터": 1000}),
    "charge": ("mAh", {"mah": 1, "ah": 1000}),
    "energy": ("Wh", {"wh": 1, "kwh": 1000}),
    "power": ("W", {"w": 1, "와트": 1, "kw": 1000, "㎾": 1000}),
    "sound": ("dB", {"db": 1, "㏈": 1, "데시벨": 1}),
    "length": (
        "mm",
        {"mm": 1, "㎜": 1, "cm": 10, "㎝": 10, "m": 1000, "km": 1_000_000, "㎞": 1_000_000, "센치": 10, "센티": 10}
        | {"인치": 25.4, "inch": 25.4},
    ),
    "area": ("㎡", {"㎡": 1, "m2": 1, "m²": 1, "평": 3.3058}),
    "pressure": ("Pa", {"pa": 1, "kpa": 1000}),
    "duration": ("분", {"분": 1, "min": 1, "시간": 60, "h": 60, "hr": 60, "초": 1 / 60, "sec": 1 / 60}),
    # months: warranty, shelf life, child age ('36개월', '4세', '10년'); '일' is left out ('1일 최대 10회' is a rate)
    "period": ("개월", {"개월": 1, "년": 12, "세": 12, "주": 7 / 30, "주일": 7 / 30}),
    "temperature": ("℃", {"℃": 1, "°c": 1}),
    # listings write angles with 도 ('최대 165도', '약 110도'); temperatures come with ℃ ('70℃ 이상')
    "angle": ("°", {"°": 1, "도": 1}),
    # pieces, sheets, packs …: one dimension, so '100매 x 10팩' multiplies within it
    "count": (
        "개",
        dict.fromkeys(
            ("개", "매", "팩", "입", "개입", "롤", "장", "구", "알", "포", "봉", "봉지", "캔", "병", "세트", "켤레"), 1
        ),
    ),
    "servings": ("인분", {"인분": 1, "회분": 1}),
    "people": ("인", {"인": 1, "인용": 1, "명": 1}),
    "times": ("회", {"회": 1}),  # '1일 최대 10회'
    "levels": ("단", {"단": 1, "겹": 1, "층": 1}),  # '풍량 12단', '5단 서랍', '흡수층 4겹'
    "percent": ("%", {"%": 1}),
    "grammage": ("gsm", {"gsm": 1, "g/㎡": 1, "g/m2": 1}),
    "breathability": ("g/㎡/24h", {"g/㎡/24h": 1, "g/m2/24h": 1}),  # 투습: before grammage, the longer unit wins
    "calories": ("kcal", {"kcal": 1}),
    "resolution": ("DPI", {"dpi": 1}),
    "frequency": ("Hz", {"hz": 1, "khz": 1000, "mhz": 1_000_000, "ghz": 1_000_000_000}),
    "speed": ("rpm", {"rpm": 1}),
    "voltage": ("V", {"v": 1}),
    "current": ("A", {"a": 1, "ma": 0.001}),
    "storage": ("GB", {"mb": 1 / 1024, "gb": 1, "tb": 1024}),
    "luminous_flux": ("lm", {"lm": 1, "루멘": 1}),
    # read only when asked (parse_quantities(money=True)): a question's prices are the query parser's job
    "price": ("원", {"원": 1}),
}
# surface unit → (dimension, factor); longest first so 'mAh' is not read as 'm', 'kg' not as 'g'
_UNITS: dict[str, tuple[str, float]] = {
    unit: (dim, factor) for dim, (_, table) in DIMENSIONS.items() for unit, factor in table.items()
}
_UNIT_ALT = "|".join(re.escape(u) for u in sorted(_UNITS, key=len, reverse=True))
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
# '2만mAh', '만mAh', '1.5만 mAh': Korean 만/천 multipliers before a unit
_QUANTITY_RE = re.compile(
    rf"(?P<num>{_NUMBER})?\s*(?P<mult>만|천)?\s*(?P<unit>{_UNIT_ALT})(?![a-zA-Z])(?!월|국|년|일)",
    re.IGNORECASE,
)
_MULTIPLIERS = {"만": 10_000, "천": 1_000}


@dataclass(frozen=True)
class Quantity:
    value: float  # in the dimension's canonical unit
    unit: str  # the canonical unit ("g", "dB" …)
    dimension: str  # a key of DIMENSIONS
    start: int  # span in the text it was read from
    end: int
    surface: str  # as written: "1.2kg"
    surface_number: float = 0.0  # the number as written, before the unit's factor: 1.2 for "1.2kg"


def canonical_unit(dimension: str) -> str:
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; choose from {', '.join(DIMENSIONS)}")
    return DIMENSIONS[dimension][0]


def unit_dimension(unit: str) -> str | None:
    """'kg' → 'mass'; None for a word that is no unit."""
    found = _UNITS.get(unit.strip().lower())
    return found[0] if found else None


def parse_quantities(text: str, *, money: bool = False) -> list[Quantity]:
    """Every number-with-unit in `text`, converted to canonical units, in reading order.

    A multiplier without a number counts as one ('만mAh' = 10,000 mAh); a unit without any number is not a
    quantity ('인용', '시간이'); '1,024개' reads 1024. Amounts of money ('19,900원') only with `money=True`
    (a listing's 교체필터가격); a calendar year ('2024년') is no period.
    """
    out = []
    for m in _QUANTITY_RE.finditer(text):
        num, mult, unit = m["num"], m["mult"], m["unit"]
        if num is None and (mult is None or not unit.isascii()):
            continue  # '만mAh' is a quantity; '천장', '만명' without a digit are words
        value = float(num.replace(",", "")) if num is not None else 1.0
        if mult:
            value *= _MULTIPLIERS[mult]
        dimension, factor = _UNITS[unit.lower()]
        if not _is_unit_boundary(text, m.start(), num is not None):
            continue
        if dimension == "price" and not money:
            continue
        if unit == "년" and value >= 1900:
            continue  # '2024년형': a year, not 24,288 months
        if unit == "세" and text[m.end() : m.end() + 1] == "대":
            continue  # '3세대': a generation
        if len(unit) == 1 and not unit.isascii() and not _ends_word(text, m.end()):
            continue  # '9.5 알칼리성', '3구간': a one-syllable unit glued to a word is part of that word
        out.append(
            Quantity(
                value * factor,
                canonical_unit(dimension),
                dimension,
                m.start(),
                m.end(),
                text[m.start() : m.end()],
                value,
            )
        )
    return out


_RANGE_RE = re.compile(rf"(?P<a>{_NUMBER})\s*(?P<unit_a>{_UNIT_ALT})?\s*(?:~|-|–|〜|에서)\s*$")


@dataclass(frozen=True)
class QuantityRange:
    low: float  # canonical units
    high: float
    unit: str
    dimension: str
    start: int
    end: int
    surface: str  # "44~53cm"


def parse_ranges(text: str, *, money: bool = False) -> list[QuantityRange]:
    """'44~53cm' → 440–530 mm, '4~5인' → 4–5 people, '1kg~1.5kg' → 1000–1500 g, '6개월~4세' → 6–48 months: a bare
    left number borrows the right one's unit. Quantities that are not the right end of a range are not returned
    (see parse_quantities)."""
    out = []
    for q in parse_quantities(text, money=money):
        m = _RANGE_RE.search(text[max(0, q.start - 24) : q.start])
        if not m:
            continue
        factor = q.value / float(q.surface_number) if q.surface_number else 1.0
        if m["unit_a"]:
            dim_a, factor_a = _UNITS[m["unit_a"].lower()]
            if dim_a != q.dimension:
                continue
            low = float(m["a"].replace(",", "")) * factor_a
        else:
            low = float(m["a"].replace(",", "")) * factor
        start = q.start - (len(text[max(0, q.start - 24) : q.start]) - m.start())
        lo, hi = min(low, q.value), max(low, q.value)
        out.append(QuantityRange(lo, hi, q.unit, q.dimension, start, q.end, text[start : q.end]))
    return out


@dataclass(frozen=True)
class Size:
    """'1200x600x740mm', 'W545 x D420 x H1050mm', '60 x 45cm': lengths in mm, one per axis, in the order written."""

    values: tuple[float, ...]  # canonical units (mm)
    labels: tuple[str, ...]  # the axis names as written ('W', 'D', 'H', '가로', '폭'), '' where none
    start: int
    end: int
    surface: str
    unit: str = "mm"
    dimension: str = "length"


_LENGTH_UNITS = "|".join(
    re.escape(u) for u in sorted(DIMENSIONS["length"][1], key=len, reverse=True) if u.isascii() or u == "인치"
)


_AXIS_WORDS = "가로|세로|높이|깊이|길이|두께|폭|[WDHLwdhl]"


def _axis(i: int) -> str:
    return rf"(?:(?P<a{i}>{_AXIS_WORDS})\s*:?\s*)?(?P<n{i}>{_NUMBER})\s*(?P<u{i}>{_LENGTH_UNITS})?"


_BY = r"\s*[x×X*]\s*"
_SIZE_RE = re.compile(rf"(?<![\w.]){_axis(0)}{_BY}{_axis(1)}(?:{_BY}{_axis(2)})?(?![a-zA-Z0-9])", re.IGNORECASE)


def parse_sizes(text: str) -> list[Size]:
    """Sizes written as axes joined by x or ×, the unit once at the end or on every axis, axes named or not:
    '33 x 38 x 40cm' → (330, 380, 400) mm, '가로 120cm x 세로 60cm' → (1200, 600). A size without any length unit
    ('2 x 3') is not returned."""
    out = []
    for m in _SIZE_RE.finditer(text):
        axes = [i for i in range(3) if m[f"n{i}"] is not None]
        units = [m[f"u{i}"] for i in axes]
        last = next((u for u in reversed(units) if u), None)
        if last is None:
            continue
        values = []
        for i, unit in zip(axes, units, strict=True):
            factor = DIMENSIONS["length"][1][(unit or last).lower()]
            values.append(float(m[f"n{i}"].replace(",", "")) * factor)
        labels = tuple((m[f"a{i}"] or "").upper() for i in axes)
        out.append(Size(tuple(values), labels, m.start(), m.end(), m.group(0)))
    return out


# what may follow a one-syllable Korean unit in the same word: particles, bounds and suffixes ('2인이상', '3단으로')
_AFTER_UNIT = frozenset("이미초정쯤내안까부짜당씩용형급기가는은을를의에도로으과와만대간째짜")


def _ends_word(text: str, end: int) -> bool:
    nxt = text[end : end + 1]
    return not ("가" <= nxt <= "힣") or nxt in _AFTER_UNIT


# a model code's letters and hyphen right before the number: 'AR-500W', 'SF-500C', 'BX-10' (letters, then optional
# letters or digits, as a word of its own); '10-20W' is a range and '최대-' no code
_MODEL_CODE_BEFORE = re.compile(r"(?<![0-9A-Za-z])[A-Za-z][A-Za-z0-9]*-$")


def _is_unit_boundary(text: str, start: int, has_number: bool) -> bool:
    """A quantity starts a token: not inside another number or a model code ('AR-H800', 'AR-500W' are no 800 or
    500 W of anything)."""
    if start == 0:
        return True
    before = text[start - 1]
    if not has_number:
        return not before.isalnum()
    glued = before.isalnum() and before.isascii()
    return not glued and not _MODEL_CODE_BEFORE.search(text[max(0, start - 24) : start])


def format_quantity(value: float, dimension: str) -> str:
    """A canonical value as a shopper reads it: 1200 g → '1.2kg', 20000 mAh → '20,000mAh', 45 분 → '45분'."""
    unit = canonical_unit(dimension)
    if dimension == "mass" and value >= 1000:
        return f"{value / 1000:g}kg"
    if dimension == "volume" and value >= 1000:
        return f"{value / 1000:g}L"
    if dimension == "duration" and value >= 60 and value % 60 == 0:
        return f"{value / 60:g}시간"
    if dimension == "length" and value >= 1000:
        return f"{value / 1000:g}m"
    if dimension == "length" and value >= 100 and value % 10 == 0:
        return f"{value / 10:g}cm"
    number = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return f"{number}{unit}"
