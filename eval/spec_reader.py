"""The evaluation's own reading of raw attribute strings: quantities and polarity, deliberately simple and strict.

The spec question set's gold (`eval/spec_set.py`) and its violation and contradiction checks (`eval/specs.py`)
read product attributes with this module only. It never imports `rag.facets`, `rag.units` or `rag.query`: a gold
computed by the code under test would only compare that code with itself. Strict means: a value it is not sure
of is unreadable (None), and an unreadable value is neither a match nor a violation. The rule is written out in
`eval/data/spec_queries/README.md`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# unit → (dimension, factor to the dimension's canonical unit)
UNITS: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1000.0),
    "g": ("mass", 1.0),
    "ml": ("volume", 1.0),
    "L": ("volume", 1000.0),
    "mAh": ("charge", 1.0),
    "mm": ("length", 1.0),
    "cm": ("length", 10.0),
    "m": ("length", 1000.0),
    "W": ("power", 1.0),
    "dB": ("noise", 1.0),
    "Pa": ("pressure", 1.0),
    "㎡": ("area", 1.0),
    "시간": ("time", 60.0),
    "분": ("time", 1.0),
    "gsm": ("grammage", 1.0),
    "매": ("sheets", 1.0),
    "개": ("pieces", 1.0),
}
_UNIT_ALT = "|".join(sorted(UNITS, key=len, reverse=True))  # longest first: mAh before m, mm before m
_PAREN = re.compile(r"\([^)]*\)")
_QUANTITY = re.compile(rf"^(?:약|최대|최저)?\s*(\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)\s*({_UNIT_ALT})(?:\s+[^\d\s]+)?$")
_NEGATIVE = ("없음", "불가", "미지원", "사용 불가", "무첨가", "안 됨", "호환 안 됨")
_POSITIVE = ("있음", "가능", "지원", "사용 가능", "함유", "호환")


@dataclass(frozen=True)
class Quantity:
    value: float  # as written
    unit: str  # as written
    dimension: str
    canonical: float  # in the dimension's canonical unit (g, ml, mm, minutes …)


def read_quantity(raw: object) -> Quantity | None:
    """One number with a unit, or None: `420g(한쪽, 260mm)` → 420 g; `최저 30dB / 최대 48dB` → None."""
    if not isinstance(raw, str):
        return None
    text = _PAREN.sub(" ", raw).strip()
    match = _QUANTITY.match(text)
    if not match:
        return None
    value = float(match.group(1).replace(",", ""))
    unit = match.group(2)
    dimension, factor = UNITS[unit]
    return Quantity(value, unit, dimension, value * factor)


def _sign(key: str, raw: str) -> bool | None:
    """True/False for a value that says so by itself, None otherwise."""
    text = raw.strip()
    if text.startswith(_NEGATIVE) or text.startswith("무" + key):
        return False
    # "사용 가능" before "가능" does not matter: both positive; "사용 불가" was caught above
    if text.startswith(_POSITIVE):
        return True
    return None


def read_polarity(key: str, raw: object, binary: bool = False) -> bool | None:
    """Does the value state the feature (True), state its absence (False), or neither (None)?

    `binary`: the key is binary in the product's category (some product there reads negative), so any other
    non-empty value states the feature (`와이파이: 2.4GHz 전용` beside `없음 (버튼식)`).
    """
    if not isinstance(raw, str) or not raw.strip():
        return None
    sign = _sign(key, raw)
    if sign is None and binary:
        return True
    return sign


def binary_keys(attribute_sets: Sequence[Mapping[str, object]]) -> list[str]:
    """Keys (first-seen order) where one product reads negative and another states anything else."""
    keys = list(dict.fromkeys(k for attrs in attribute_sets for k in attrs))
    out = []
    for key in keys:
        values = [a[key] for a in attribute_sets if isinstance(a.get(key), str) and a[key].strip()]
        signs = [_sign(key, v) for v in values]
        if False in signs and any(s is not False for s in signs):
            out.append(key)
    return out


def numeric_keys(attribute_sets: Sequence[Mapping[str, object]]) -> list[str]:
    """Keys every product has, every value readable, all in one dimension (first-seen order)."""
    keys = list(dict.fromkeys(k for attrs in attribute_sets for k in attrs))
    out = []
    for key in keys:
        quantities = [read_quantity(a.get(key)) for a in attribute_sets]
        if all(q is not None for q in quantities) and len({q.dimension for q in quantities}) == 1:
            out.append(key)
    return out
