"""Product specs as typed facets: a catalog's free-form `attributes` → numbers with units, ranges, flags, options.

Typed at ingest by rules over the catalog's own keys and values (no per-product lists), stored in the catalog's
`facets` table, and read by query understanding (which dimensions a category has), hard spec constraints
(`SpecConstraint`), superlatives and contradictions (`AttributeRequirement(wanted=False)`).

    type_attributes("APP-005", {"소음": "최저 30dB / 최대 48dB", "무게": "1.1kg", "리모컨": "있음"})
    # [Facet(key="소음", kind="range", dimension="sound", low=30, high=48, qualifier="최저/최대", ...),
    #  Facet(key="무게", kind="number", dimension="mass", low=1100, high=1100, ...),
    #  Facet(key="리모컨", kind="flag", flag=True, ...)]

How a value is read (`type_attributes`), first rule that applies:
- flag: the value states presence or absence — a polarity word at its end (`있음`, `없음 (버튼식)`, `사용 불가`,
  `가능(37Wh)`, `호환 안 됨`, `함유`, `무첨가`, `O`/`X`, `yes`/`no`), or the key itself with 무/비 (`향: 무향`,
  `실리콘: 무실리콘`, `밀폐: 비밀폐`) or without (`방수: 완전방수`, `무염: 무염`).
- number / range: the value is quantities with a few words around them (`약 12시간(약 모드)`, `PB 15mm`). One
  quantity is a number; `44~53cm`, `4~5인` and same-dimension quantities joined by `/` (`최저 23dB / 최대 52dB`,
  `24cm / 26cm / 28cm`, `숏 98cm / 롱 104cm`) are a range over what the product offers; `1200x600x740mm` is one
  length per axis (qualifier 가로/세로/높이, or the W/D/H written); `100g x 20팩` is the total (2,000 g, qualifier 총)
  plus the pack size and the count. The words around a number are its qualifier (`330g(한쪽, 250mm)` → 한쪽, 250mm).
  A bare number takes its key's unit when the key is or ends with one (`DPI: 800/1200/1600`, `무게(kg): 1.2`);
  otherwise a value that is only a number is a number without a dimension (`필파워: 800`).
- enum: short options (`화이트 / 그레이`, `복합식(가열+초음파)` → 복합식, 가열, 초음파; `보통`, `메쉬`).
- text: anything else (a sentence such as `물 부족 시 자동 정지`), raw kept, counted in the ingest summary.

Besides that main reading (`source == ""`), a value yields derived facets (`source` = the attribute's key):
flags for things it names as present or absent (`맵기: 안 매움 (고춧가루 무첨가)` → 고춧가루=False,
`성분: 정제수 99.1%, 판테놀 함유` → 판테놀=True, `배송형태: 완제품(조립 불필요)` → 조립=False), and quantities
stated in a parenthesis of a flag or beside the main number (`기내반입: 가능(37Wh)` → 37 Wh,
`용량: 7L (약 2.8kg)` → 2,800 g). Derived numbers are used only when a spec names their key or qualifier.

Three-valued matching: True (meets it), False (contradicts it), None (the product does not say).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from .units import DIMENSIONS, canonical_unit, parse_quantities, parse_ranges, parse_sizes, unit_dimension

if TYPE_CHECKING:  # only for hints: rag.query imports this module's callers, not the other way round
    from .query.model import AttributeRequirement, SpecConstraint
    from .records import Product

FACET_KINDS: tuple[str, ...] = ("number", "range", "flag", "enum", "text")


@dataclass(frozen=True)
class Facet:
    product_id: str
    key: str  # the catalog's attribute key as written: "소음"; for a derived flag, the thing's name ("고춧가루")
    kind: str  # one of FACET_KINDS
    raw: str  # the value as written: "최저 30dB / 최대 48dB"
    dimension: str | None = None  # number/range: a key of rag.units.DIMENSIONS ("sound"); None for a bare number
    unit: str | None = None  # the dimension's canonical unit ("dB")
    low: float | None = None  # number: low == high; range: the stated min and max, canonical units
    high: float | None = None
    flag: bool | None = None  # flag: True has it (있음/가능/지원/함유), False lacks it (없음/불가/무첨가/미지원)
    options: tuple[str, ...] = ()  # enum: the members the value names ("가열식", "초음파")
    qualifier: str = ""  # what the number is about, when the value says so ("한쪽", "최저", "1단 기준")
    source: str = ""  # "" for the value's main reading; else the attribute key a derived facet was read from


# --- reading one value ------------------------------------------------------------------------------------------
_POSITIVE = ("있음", "있는 편", "있어요", "가능", "지원", "포함", "함유", "호환", "동봉", "내장", "적용", "완료")
_NEGATIVE = ("없음", "없는 편", "없어요", "불가능", "불가", "미지원", "미포함", "불포함", "무첨가", "불필요", "미적용")
_NEGATIVE += ("안 됨", "안됨")
_POLAR_WORDS = {w: True for w in _POSITIVE} | {w: False for w in _NEGATIVE}
_POLAR_ALT = "|".join(re.escape(w) for w in sorted(_POLAR_WORDS, key=len, reverse=True))
_POLAR_END = re.compile(rf"^(?P<pre>.*?)\s*(?P<word>{_POLAR_ALT})$")
_BARE_POLAR = dict.fromkeys(("o", "y", "yes", "true", "유", "예", "있다"), True) | dict.fromkeys(
    ("x", "n", "no", "false", "무", "아니오", "없다"), False
)
# a thing the value names as present or absent: '고춧가루 무첨가', '쌀·옥수수 포함', '물세탁 불가', 'LDAC 지원'
_THING_RE = re.compile(
    rf"(?<![\w·-])(?P<thing>(?:[가-힣A-Za-z][\w-]*·)*[가-힣A-Za-z][\w-]*)\s*(?P<word>{_POLAR_ALT})(?![가-힣])"
)
_GENERIC_THINGS = frozenset(
    {"사용", "지원", "약간", "거의", "조금", "많이", "전혀", "모두", "일부", "항상"}
)  # not things
_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_BARE_NUMBER_RE = re.compile(rf"(?<![\w.])(?P<a>{_NUMBER})(?:\s*[~〜–-]\s*(?P<b>{_NUMBER}))?(?![\w.%])")
_KEY_UNIT_RE = re.compile(r"(?:[\(\[_\s]\s*|^)(?P<unit>[^\s\(\)\[\]_]+?)\s*[\)\]]?$")
_TIMES_RE = re.compile(r"^\s*[x×X*]\s*$")
_FILLER = frozenset({"약", "최대", "최소", "최저", "총", "기준", "이상", "이하", "~"})
_MAX_OPTION_WORDS = 3
_MAX_OPTION_CHARS = 20
_AXES = {2: ("가로", "세로"), 3: ("가로", "세로", "높이")}
_AXIS_NAMES = {"W": "가로(W)", "D": "깊이(D)", "H": "높이(H)", "L": "길이(L)"}


@dataclass
class _Item:
    """One quantity, range or size read from a value, with its span in the main text."""

    start: int
    end: int
    dimension: str | None
    low: float
    high: float
    parts: int = 1  # quantities it joins (a range from '/' parts keeps their qualifiers)
    qualifier: str = ""


def _split_details(value: str) -> tuple[str, list[str]]:
    """'480g(한쪽, 240mm)' → ('480g', ['한쪽, 240mm']): the main statement and its parentheses."""
    details = [d.strip() for d in re.findall(r"\(([^()]*)\)", value) if d.strip()]
    main = re.sub(r"\s*\([^()]*\)\s*", " ", value)
    return " ".join(main.replace("(", " ").replace(")", " ").split()), details


def _key_unit(key: str) -> str | None:
    """A unit the key itself names: 'DPI', '무게(kg)', 'battery_mAh', '용량 ml'."""
    m = _KEY_UNIT_RE.search(key.strip())
    if m and unit_dimension(m["unit"]):
        return m["unit"]
    return None


def _polarity(key: str, main: str) -> tuple[bool, str] | None:
    """(flag, qualifier) when the main statement says the product has or lacks the key's thing."""
    low = main.lower()
    if low in _BARE_POLAR:
        return _BARE_POLAR[low], ""
    m = _POLAR_END.match(main)
    if m and not re.search(r"[/,;+]", m["pre"]):  # '5.4 / LDAC 지원' is a list whose last item is a flag
        return _POLAR_WORDS[m["word"]], m["pre"].strip()
    compact_key = re.sub(r"\s+", "", key)
    # '향: 무향', '실리콘: 무실리콘', '밀폐: 비밀폐'; a key that itself starts so ('무염: 무염') is an option
    if (
        compact_key
        and not compact_key.startswith(("무", "비"))
        and main.startswith((f"무{compact_key}", f"비{compact_key}"))
    ):
        return False, main[len(compact_key) + 1 :].strip()
    return None


def _derived_flags(product_id: str, key: str, raw: str) -> list[Facet]:
    out, seen = [], {key}
    for m in _THING_RE.finditer(raw):
        for thing in m["thing"].split("·"):
            if thing in seen or thing in _GENERIC_THINGS or len(thing) < 2 or thing in _POLAR_WORDS:
                continue
            seen.add(thing)
            out.append(Facet(product_id, thing, "flag", raw, flag=_POLAR_WORDS[m["word"]], qualifier=key, source=key))
    return out


def _items(text: str, key_unit: str | None, money: bool = True) -> list[_Item]:
    """Sizes, then ranges, then quantities, then bare numbers (in the key's unit, or without a dimension)."""
    items: list[_Item] = []

    def free(start: int, end: int) -> bool:
        return all(end <= it.start or start >= it.end for it in items)

    for s in parse_sizes(text):
        labels = s.labels if any(s.labels) else _AXES.get(len(s.values), ("",) * len(s.values))
        for i, v in enumerate(s.values):
            name = _AXIS_NAMES.get(labels[i], labels[i])
            items.append(_Item(s.start, s.end if i == len(s.values) - 1 else s.start, "length", v, v, qualifier=name))
        items[-len(s.values)].end = s.end  # the whole span belongs to the size's first axis; others are empty
    for r in parse_ranges(text, money=money):
        if free(r.start, r.end):
            items.append(_Item(r.start, r.end, r.dimension, r.low, r.high))
    for q in parse_quantities(text, money=money):
        if free(q.start, q.end):
            items.append(_Item(q.start, q.end, q.dimension, q.value, q.value))
    for m in _BARE_NUMBER_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
        a = float(m["a"].replace(",", ""))
        b = float(m["b"].replace(",", "")) if m["b"] else a
        dim, factor = None, 1.0
        if key_unit:
            dim = unit_dimension(key_unit)
            factor = DIMENSIONS[dim][1][key_unit.lower()]
        items.append(_Item(m.start(), m.end(), dim, min(a, b) * factor, max(a, b) * factor, parts=1 + bool(m["b"])))
        items[-1].qualifier = "" if dim else "bare"
    items.sort(key=lambda it: it.start)
    return _joined(text, items)


def _joined(text: str, items: list[_Item]) -> list[_Item]:
    """'1분 30초' → 1.5 분 (a larger unit then a smaller one of the same dimension, adjacent); '1팩 23g' → 23 g
    qualified '1팩' (a count of one before another quantity says what that quantity is per)."""
    out: list[_Item] = []
    for it in items:
        prev = out[-1] if out else None
        between = text[prev.end : it.start] if prev else ""
        if prev and not between.strip() and prev.dimension == it.dimension == "duration" and prev.low > it.low:
            out[-1] = _Item(prev.start, it.end, "duration", prev.low + it.low, prev.high + it.high)
        elif prev and not between.strip() and prev.dimension == "count" and prev.low == prev.high == 1 and it.dimension:
            out[-1] = _Item(prev.start, it.end, it.dimension, it.low, it.high, qualifier=text[prev.start : prev.end])
        else:
            out.append(it)
    return out


def _segments(text: str, items: list[_Item]) -> list[tuple[int, int, str]]:
    """Split at list separators (',', '/', ' + ', ';') outside the items: (start, end, separator before)."""
    cuts = []
    for m in re.finditer(r"(?<!\d),|,(?!\d{3})|/|\s\+\s|;|、", text):
        if all(not (it.start <= m.start() < it.end) for it in items):
            cuts.append((m.start(), m.end(), m.group(0).strip()))
    out, pos, sep = [], 0, ""
    for start, end, s in cuts:
        out.append((pos, start, sep))
        pos, sep = end, s
    out.append((pos, len(text), sep))
    return out


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"\s+", text.strip(" ,/+~·")) if w and w not in ("/", "+", "~")]


def _numeric(pid: str, key: str, raw: str, main: str, details: list[str], key_unit: str | None) -> list[Facet] | None:
    """The main statement as numbers, ranges and sizes, or None when it is more words than numbers."""
    items = _items(main, key_unit)
    if not items:
        return None
    segments = _segments(main, items)
    per_segment: list[tuple[list[_Item], list[str], str]] = []
    wordy = 0
    for start, end, sep in segments:
        inside = [it for it in items if start <= it.start < end]
        rest = main[start:end]
        for it in sorted(inside, key=lambda it: -it.start):
            rest = rest[: it.start - start] + " " + rest[it.end - start :]
        words = _words(rest)
        if not inside:
            wordy += 1
        per_segment.append((inside, words, sep))
    numbered = [s for s in per_segment if s[0]]
    if wordy > 1 or any(len([x for x in w if x not in _FILLER]) > 2 for _, w, _ in numbered):
        return None
    if all(it.dimension is None for it in items) and any(w for _, w, _ in per_segment):
        return None  # a bare number among words ('알루미늄 7075', 'USB-C 1 + USB-A 1') is a name, not a spec
    detail = ", ".join(details)
    extra_words = " ".join(w for s in per_segment if not s[0] for w in s[1])
    facets: list[Facet] = []

    def qualifier(*parts: str) -> str:
        return ", ".join(p for p in parts if p)

    # same-dimension items of different '/'-segments: one range over what the product offers
    by_dim: dict[str | None, list[tuple[_Item, list[str]]]] = {}
    for inside, words, _ in numbered:
        for it in inside:
            by_dim.setdefault(it.dimension, []).append((it, words if len(inside) == 1 else []))
    slash = any(sep == "/" for _, _, sep in per_segment[1:])
    for dim, entries in by_dim.items():
        unit = canonical_unit(dim) if dim else None
        sized = [e for e in entries if e[0].qualifier and e[0].qualifier != "bare"]
        if slash and len(entries) > 1 and not sized:
            low = min(it.low for it, _ in entries)
            high = max(it.high for it, _ in entries)
            labels = "/".join(" ".join(w) for _, w in entries if w)
            facets.append(Facet(pid, key, "range", raw, dim, unit, low, high, qualifier=qualifier(labels, extra_words)))
            continue
        for it, words in entries:
            kind = "range" if it.low != it.high else "number"
            own = it.qualifier if it.qualifier != "bare" else ""
            words_q = qualifier(own, " ".join(words), extra_words)
            facets.append(Facet(pid, key, kind, raw, dim, unit, it.low, it.high, qualifier=words_q))
    facets = _multiplied(pid, key, raw, main, items, facets)
    if detail:  # about the first reading ('330g(한쪽, 250mm)', '5kg (10kg 옵션)'); later ones are other numbers
        facets[0] = replace(facets[0], qualifier=qualifier(facets[0].qualifier, detail))
    return facets


def _multiplied(pid: str, key: str, raw: str, main: str, items: list[_Item], facets: list[Facet]) -> list[Facet]:
    """'100g x 20팩' → 2,000 g 총 first (the main reading), then 100 g per pack (derived) and 20 packs."""
    for a, b in itertools.pairwise(items):
        if (
            b.dimension != "count"
            or a.dimension is None
            or a.low != a.high
            or not _TIMES_RE.match(main[a.end : b.start])
        ):
            continue
        for i, f in enumerate(facets):
            if f.dimension == a.dimension and f.low == a.low and f.kind == "number":
                per = "1" + re.sub(r"^[\d.,\s]+", "", main[b.start : b.end]) + "당"  # '20g x 30봉' → 1봉당
                total = Facet(
                    pid, key, "number", raw, f.dimension, f.unit, a.low * b.low, a.low * b.low, qualifier="총"
                )
                facets[i : i + 1] = [
                    total,
                    replace(f, qualifier=", ".join(x for x in (per, f.qualifier) if x), source=key),
                ]
                break
    return facets


def _options(main: str, details: list[str]) -> tuple[str, ...] | None:
    parts = [p.strip() for p in re.split(r"\s*(?:/|,|·|、|;|\s\+\s|(?<=[가-힣])\+(?=[가-힣]))\s*", main) if p.strip()]
    if not parts or any(len(p.split()) > _MAX_OPTION_WORDS or len(p) > _MAX_OPTION_CHARS for p in parts):
        return None
    for d in details:  # '복합식(가열+초음파)', '중간(보통)': short digit-free members or aliases
        members = [m.strip() for m in re.split(r"\s*(?:/|,|·|\+)\s*", d) if m.strip()]
        if all(not re.search(r"\d", m) and 2 <= len(m) <= 10 and len(m.split()) <= 2 for m in members):
            parts += [m for m in members if m not in parts]
    return tuple(dict.fromkeys(parts))


def _typed_value(pid: str, key: str, value: object) -> list[Facet]:
    """The facets of one attribute value: its main reading first, then derived facets."""
    if isinstance(value, bool):
        return [Facet(pid, key, "flag", str(value), flag=value)]
    key_unit = _key_unit(key)
    if isinstance(value, int | float) and math.isfinite(value):
        dim = unit_dimension(key_unit) if key_unit else None
        v = float(value) * (DIMENSIONS[dim][1][key_unit.lower()] if dim and key_unit else 1.0)
        return [Facet(pid, key, "number", str(value), dim, canonical_unit(dim) if dim else None, v, v)]
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value) and value:
        return [Facet(pid, key, "enum", ", ".join(map(str, value)), options=tuple(str(v).strip() for v in value))]
    if not isinstance(value, str):
        return [Facet(pid, key, "text", str(value))]
    raw = value.strip()
    if not raw:
        return [Facet(pid, key, "text", raw)]
    main, details = _split_details(raw)
    polar = _polarity(key, main)
    if polar is not None:
        flag, words = polar
        main_facets = [Facet(pid, key, "flag", raw, flag=flag, qualifier=", ".join(x for x in (words, *details) if x))]
    else:
        main_facets = _numeric(pid, key, raw, main, details, key_unit) or []
        if not main_facets:
            options = _options(main, details)
            main_facets = [Facet(pid, key, "enum" if options else "text", raw, options=options or ())]
    derived: list[Facet] = []
    for d in details:  # '가능(37Wh)', '7L (약 2.8kg)', '자동(40~70%)': numbers a detail states, about something else
        for f in _numeric(pid, key, raw, d, [], None) or []:
            if f.dimension == "count" and f.low == 1:
                continue  # '280g(1개)': says what the number is per, already in the qualifier
            if not any(_same(f, g) for g in main_facets + derived):
                derived.append(replace(f, source=key, qualifier=f.qualifier or d))
    derived += _derived_flags(pid, key, raw)
    return main_facets + [f for f in derived if not any(_same(f, g) for g in main_facets)]


def _same(a: Facet, b: Facet) -> bool:
    """Two readings of one quantity ('20㎡(약 6평)'): the same dimension within 5 %."""
    if a.kind == "flag" or b.kind == "flag" or a.dimension != b.dimension or a.low is None or b.low is None:
        return a.kind == "flag" and b.kind == "flag" and a.key == b.key
    return math.isclose(a.low, b.low, rel_tol=0.05) and math.isclose(a.high or 0, b.high or 0, rel_tol=0.05)


def type_attributes(product_id: str, attributes: Mapping[str, object]) -> list[Facet]:
    """Every attribute value as facets, in the attributes' order: each value's main reading (kind "text" when no
    rule types it; never dropped), then the facets derived from it (see the module docstring)."""
    out: list[Facet] = []
    for key, value in (attributes or {}).items():
        out += _typed_value(product_id, str(key).strip(), value)
    return out


# --- the ingest summary -----------------------------------------------------------------------------------------
@dataclass
class FacetSummary:
    """Counts over attribute values (one main reading each) and facets, for the ingest summary and the manifest."""

    values: int = 0  # attribute values read
    typed: int = 0  # values whose main reading is a number, range, flag or enum
    text: int = 0  # values kept as text
    by_kind: dict[str, int] = field(default_factory=dict)  # main readings per kind
    derived: int = 0  # derived facets (flags for named things, numbers in details)
    text_values: list[tuple[str, str, str]] = field(default_factory=list)  # (product_id, key, raw) kept as text

    def to_dict(self) -> dict:
        return {
            "values": self.values,
            "typed": self.typed,
            "text": self.text,
            "by_kind": dict(self.by_kind),
            "derived": self.derived,
        }


def summarize(facets: Sequence[Facet]) -> FacetSummary:
    summary = FacetSummary(by_kind=dict.fromkeys(FACET_KINDS, 0))
    seen: set[tuple[str, str, str]] = set()
    for f in facets:
        if f.source:
            summary.derived += 1
            continue
        value = (f.product_id, f.key, f.raw)
        if value in seen:  # a size or a pack reading is several facets of one value
            continue
        seen.add(value)
        summary.values += 1
        summary.by_kind[f.kind] += 1
        if f.kind == "text":
            summary.text += 1
            summary.text_values.append(value)
        else:
            summary.typed += 1
    return summary


# --- matching -------------------------------------------------------------------------------------------------
# the key a dimension is usually stated under, when a product states the dimension under several keys (무게 beside
# 최대하중, 용량 beside 먼지통); matched as a part of the key ('제품무게'). Small and generic on purpose.
USUAL_KEYS: dict[str, tuple[str, ...]] = {
    "mass": ("무게", "중량", "weight"),
    "volume": ("용량", "capacity", "volume"),
    "charge": ("용량", "배터리", "battery", "capacity"),
    "power": ("출력", "소비전력", "power"),
    "sound": ("소음", "noise"),
    "duration": ("사용시간", "재생시간", "연속사용", "배터리"),
    "area": ("면적",),
    "pressure": ("흡입력",),
    "people": ("인원",),
    "count": ("매수", "수량", "구성"),
}
# keys that state what a product bears or suits rather than what it is ('최대하중 100kg' is no weight of the chair,
# '사용연령 ~36개월, 20kg' no weight of the carrier): used for a spec only when the spec's hint names them
_NOT_OWN = ("하중", "허용", "권장", "대상", "연령")
_NUMERIC_KINDS = ("number", "range")


def _hint_matches(f: Facet, hint: str) -> bool:
    key = re.sub(r"\s+", "", f.key)
    return hint in key or (len(key) >= 2 and key in hint)


def _candidates(facets: Sequence[Facet], dimension: str, key_hint: str) -> list[Facet] | None:
    """The facets a spec on `dimension` is about, or None when the product does not state it.

    A hint picks facets by key ('두께', '내수압'), else by qualifier ('한쪽', '케이스 포함'); a hint that names
    nothing in this product counts as unstated, unless it is one of the dimension's usual keys ('무게' on a
    product that says 중량). Without a hint: the main readings under the dimension's usual key, else all main
    readings of the dimension except under keys of what it bears or suits (`_NOT_OWN`); derived readings (the 35 dB
    of 'ANC 최대 -35dB') and those keys are used only when a hint names them."""
    found = [f for f in facets if f.kind in _NUMERIC_KINDS and f.dimension == dimension and f.low is not None]
    hint = re.sub(r"\s+", "", key_hint or "")
    if hint:
        by_key = [f for f in found if _hint_matches(f, hint)]
        if by_key:
            return by_key
        by_qualifier = [f for f in found if hint in re.sub(r"\s+", "", f.qualifier)]
        if by_qualifier:
            return by_qualifier
        if not any(hint in word or word in hint for word in USUAL_KEYS.get(dimension, ())):
            return None
    main = [f for f in found if not f.source and not any(word in f.key for word in _NOT_OWN)]
    usual = [f for f in main if any(word in f.key.lower() for word in USUAL_KEYS.get(dimension, ()))]
    return usual or main or None


def _closest(facets: list[Facet], value: float) -> Facet:
    """Main readings before derived ones; then the one closest in magnitude (log ratio) to the asked value, so that
    '1kg 이상' on '100g x 20팩' reads the 2 kg total and '1200mm 이상' on '1200x600x740mm' reads the width."""

    def distance(f: Facet) -> float:
        mid = ((f.low or 0) + (f.high if f.high is not None else f.low or 0)) / 2
        if mid <= 0 or value <= 0:
            return abs(mid - value)
        return abs(math.log(mid / value))

    return min(facets, key=lambda f: (bool(f.source), distance(f)))


def match_spec(facets: Sequence[Facet], spec: SpecConstraint) -> bool | None:
    """Does the product meet a numeric spec? True meets it, False contradicts it, None: it does not state it.

    Facet choice: see `_candidates`, then `_closest`. Ranges ('44~53cm', '최저 30dB / 최대 48dB', '24cm / 26cm /
    28cm') state what the product can do — a setting, an adjustment, an option to order — so a range meets a
    bound when some value in it does: '≤ X' / '< X' look at its low end, '≥ X' / '> X' at its high end. '40dB 이하'
    therefore holds for a fan whose quietest setting is 38 dB (the figure shops and shoppers quote for quietness),
    '높이 110cm 이상' for a desk that rises to 118 cm, '3인 이상' for a 3~4인 tent; the answer can show the range.
    """
    chosen = _candidates(facets, spec.dimension, spec.key_hint)
    if not chosen:
        return None
    f = _closest(chosen, spec.value)
    if spec.op in ("<=", "<"):
        return spec.holds(f.low)
    return spec.holds(f.high if f.high is not None else f.low)


def spec_value(facets: Sequence[Facet], dimension: str, key_hint: str = "", direction: str = "min") -> float | None:
    """The product's value on a dimension for ordering by a superlative ('가장 가벼운' → mass, "min"), None when it
    does not state it. Same facet choice as `match_spec`; when several keys remain (length as 두께 and 크기, no
    hint) the product's value is ambiguous and None. For a range, the end in the asked direction (the quietest
    setting for "min" on noise, the largest option for "max"), consistent with `match_spec`."""
    if direction not in ("min", "max"):
        raise ValueError(f"direction must be 'min' or 'max', got {direction!r}")
    chosen = _candidates(facets, dimension, key_hint)
    if not chosen:
        return None
    main = [f for f in chosen if not f.source] or chosen
    if len({f.key for f in main}) > 1:
        return None
    f = main[0]  # a value's first reading: the total of '100g x 20팩', the width of a size
    return f.low if direction == "min" else (f.high if f.high is not None else f.low)


# --- requirements ('방수', '기모 없는') -----------------------------------------------------------------------------
_NEGATIVE_RAW = re.compile(
    r"\s*(?:없음|없|미지원|미포함|불가|아님|아니|x\b|×|no\b|해당\s*없|안\s*됨|(?:사용|지원|착용|반입|세척)\s*(?:불가|안\s*됨))",
    re.IGNORECASE,
)


def _mentions(text: str, term: str) -> bool:
    """ASCII terms match whole words (a trailing 'x' allowed: IPX4); Korean terms match anywhere."""
    text, term = text.lower(), term.lower()
    if term.isascii():
        return re.search(rf"(?<![a-z]){re.escape(term)}(?![a-wyz])", text) is not None
    return term in text


def _denied(text: str, term: str) -> bool:
    """'비방수', '방수 불가', '무향', '고춧가루 무첨가': the term is there, but denied in place."""
    t = re.escape(term)
    return re.search(rf"[비무]{t}|{t}\s*(?:없음|없는|불가|미지원|미포함|무첨가|안\s*됨|x\b)", text, re.I) is not None


def _keyed_has(f: Facet, terms: Sequence[str]) -> bool:
    """What a facet under a key naming the requirement says: a flag its polarity; any other value has it unless it
    opens with a denial ('없음(통기 메쉬)') or is the term with 비/무 ('비방수')."""
    if f.kind == "flag":
        return bool(f.flag)
    return not _NEGATIVE_RAW.match(f.raw) and not any(f.raw.startswith((f"비{t}", f"무{t}")) for t in terms)


def match_requirement(product: Product, facets: Sequence[Facet], requirement: AttributeRequirement) -> bool | None:
    """Does the product have the required thing? True has it, False states it lacks it, None: nothing says.

    Keyed facets are authoritative (as in rag.query.parser.satisfies_attribute): a facet whose key names one of the
    requirement's terms — an attribute key ('방수', '방수등급') or a derived flag's thing ('고춧가루' from '고춧가루
    무첨가') — decides; keys equal to a term win over keys that contain one ('무선' is not decided by '무선충전').
    Otherwise a mention in a value or the name counts (True), unless every mention is denied in place ('비방수',
    '물세탁 불가', '무향' → False); no mention is None.

    `requirement.wanted` is not applied here: a wanted requirement is met when this is True; a `wanted=False`
    requirement ('기모 없는') is judged by the caller as `not has` — contradicted only when this is True (None, the
    product not saying, is no contradiction).
    """
    terms = [t for t in requirement.terms if t] or [requirement.label]
    compact = [re.sub(r"\s+", "", t).lower() for t in terms]
    keyed = [f for f in facets if re.sub(r"\s+", "", f.key).lower() in compact]
    if not keyed:
        keyed = [f for f in facets if not f.source or f.kind == "flag"]
        keyed = [f for f in keyed if any(_mentions(f.key, t) for t in terms)]
    if keyed:
        return any(_keyed_has(f, terms) for f in keyed)
    values = dict.fromkeys([f.raw for f in facets] + [str(v) for v in product.attributes.values()])
    texts = [*values, product.name]
    mentioned = [(x, t) for x in texts for t in terms if _mentions(x, t)]
    if not mentioned:
        return None
    return any(not _denied(x, t) for x, t in mentioned)
