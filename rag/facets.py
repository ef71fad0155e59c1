"""Product specs as typed facets: a catalog's free-form `attributes` → numbers with units, ranges, flags, options.

Typed at ingest by rules over the catalog's own keys and values (no per-product lists), stored in the catalog's
`facets` table, and read by query understanding (which dimensions a category has), hard spec constraints
(`SpecConstraint`), superlatives and contradictions (`AttributeRequirement(wanted=False)`).

    type_attributes("APP-005", {"소음": "최저 30dB / 최대 48dB", "무게": "1.1kg", "리모컨": "있음"})
    # [Facet(key="소음", kind="range", dimension="sound", low=30, high=48, ...),
    #  Facet(key="무게", kind="number", dimension="mass", low=1100, high=1100, ...),
    #  Facet(key="리모컨", kind="flag", flag=True, ...)]

A value the rules cannot type is kept as kind "text" (its raw string), never dropped, and counted in the ingest
summary. Three-valued matching: True (meets it), False (contradicts it), None (the product does not say).
"""

from __future__ import annotations

from dataclasses import dataclass

FACET_KINDS: tuple[str, ...] = ("number", "range", "flag", "enum", "text")


@dataclass(frozen=True)
class Facet:
    product_id: str
    key: str  # the catalog's attribute key as written: "소음"
    kind: str  # one of FACET_KINDS
    raw: str  # the value as written: "최저 30dB / 최대 48dB"
    dimension: str | None = None  # number/range: a key of rag.units.DIMENSIONS ("sound")
    unit: str | None = None  # the dimension's canonical unit ("dB")
    low: float | None = None  # number: low == high; range: the stated min and max, canonical units
    high: float | None = None
    flag: bool | None = None  # flag: True has it (있음/가능/지원/함유), False lacks it (없음/불가/무첨가/미지원)
    options: tuple[str, ...] = ()  # enum: the members the value names ("가열식", "초음파")
    qualifier: str = ""  # what the number is about, when the value says so ("한쪽", "최저", "1단 기준")
