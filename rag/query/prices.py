"""Price phrases as shoppers mean them: hard bounds, ranges, decades and soft targets, in KRW.

- bounds: '5만원 이하/이내/까지/안쪽', '3만원 정도까지' (at most 30,000: 정도 softens the wording, not the limit),
  '5만원 미만' (< 50,000), '10만원 이상/넘는', a refused bound flips ('10만원 넘는 건 부담돼요' = at most 100,000);
- ranges: '3~5만원', '3만원에서 5만원 사이'; decades: '10만원대' = 100,000–199,999, '1~2만원대' = 10,000–29,999;
- soft targets: '5만원 안팎/정도/쯤/내외/전후' and a bare amount ('5만원짜리', '15,000원') name a price point, not a
  limit, so they become `price_target` (a ranking signal) and no product is filtered out for missing it by a little.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .bounds import HARD_KINDS, bound_after, bound_before, flip, refused

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_HANGUL_NUM = r"(?<![가-힣])[일이삼사오육칠팔구십백천만]*[십백천만]"  # 만오천, 삼만; ends in a unit: 이하 is no 2
_AMOUNT = rf"(?:{_NUM}\s*(?:만(?:\s*\d+\s*천|\s*[일이삼사오육칠팔구]?천)?|천)?|{_HANGUL_NUM})"
_PRICE_RE = re.compile(
    rf"(?P<a>{_AMOUNT})\s*(?P<won>원(?![두룸래형단료산목조])|won\b|krw\b)?"
    rf"(?:\s*(?:~|-|–|〜|에서|부터)\s*(?P<b>{_AMOUNT})\s*(?P<won2>원|won\b)?\s*(?:사이)?)?",
    re.IGNORECASE,
)
_HANGUL_DIGITS = dict(zip("일이삼사오육칠팔구", range(1, 10), strict=True))
_HANGUL_UNITS = {"십": 10, "백": 100, "천": 1000}
MIN_PRICE = 1000  # no shop sells below 1,000 KRW; smaller amounts are counts, not prices


@dataclass(frozen=True)
class PricePhrase:
    start: int
    end: int
    low: int | None  # KRW, inclusive
    high: int | None
    target: int | None = None  # a soft wish: '5만원 안팎'

    @property
    def label(self) -> str:
        return f"price_target:{self.target}" if self.target is not None else f"price:{self.low or ''}~{self.high or ''}"


def amount(text: str) -> float:
    """'만오천' → 15000, '1.5만' → 15000, '15,000' → 15000, '5만5천' → 55000."""
    total, section, number = 0.0, 0.0, None
    for piece in re.findall(r"\d+(?:\.\d+)?|[일이삼사오육칠팔구십백천만]", text.replace(",", "")):
        if piece in _HANGUL_UNITS:
            section += (number if number is not None else 1) * _HANGUL_UNITS[piece]
            number = None
        elif piece == "만":
            total += (section + (number or 0) or 1) * 10000
            section, number = 0.0, None
        else:
            number = float(_HANGUL_DIGITS.get(piece, 0) or piece)
    return total + section + (number or 0)


def _unit(text: str) -> int:
    """The multiplier an amount ends with, which a bare left end of a range borrows: '3~5만원' is 30000–50000."""
    return 10000 if "만" in text else 1000 if "천" in text else 1


def _decade(value: int) -> tuple[int, int]:
    """10만원대 → 100000–199999, 15만원대 → 150000–159999."""
    step = 10 ** (len(str(value)) - len(str(value).rstrip("0")))
    return value, value + step - 1


def _hard(value: int, kind: str) -> tuple[int | None, int | None]:
    return {"max": (None, value), "below": (None, value - 1), "min": (value, None), "above": (value + 1, None)}[kind]


def price_phrases(text: str) -> list[PricePhrase]:
    """Every price phrase of `text`, in reading order."""
    out = []
    for m in _PRICE_RE.finditer(text):
        a, b = m["a"], m["b"]
        if not re.search(r"\d|[만천]", a):
            continue
        after = bound_after(text, m.end())
        before = bound_before(text, m.start())
        kind = before[0] if before else after[0] if after else None
        has_unit = bool(m["won"] or m["won2"] or re.search("[만천]", a + (b or "")))
        if not has_unit and kind not in HARD_KINDS:
            continue  # "300인데", "4인용", "10시간 이상": not money
        if not re.search(r"\d", a) and not (m["won"] or after):
            continue  # "만족", "천연": hangul digits that are just syllables
        end = after[1] if after else m.end()
        if not (m["won"] or m["won2"] or after or before) and not re.match(r"\s*(?:[?.!,~]|$)", text[end:]):
            continue  # without 원 or a qualifier only a clause-final amount is a price: not "5천mAh", "30만 화소"
        start = before[1] if before else m.start()
        target = None
        if b:
            high = round(amount(b))
            low = round(amount(a) * (_unit(b) if not re.search("[만천]", a) and not m["won"] else 1))
            low, high = min(low, high), max(low, high)
            if kind == "decade":
                high = _decade(high)[1]
        else:
            value = round(amount(a))
            if kind == "decade":
                low, high = _decade(value)
            elif kind in HARD_KINDS:
                low, high = _hard(value, flip(kind) if refused(text, end) else kind)
            else:
                low, high, target = None, None, value
        if max(low or 0, high or 0, target or 0) < MIN_PRICE:
            continue
        out.append(PricePhrase(start, len(text[:end].rstrip()), low, high, target))
    return out
