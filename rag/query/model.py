"""The structured query: what a shopper's question asks for, as the UI shows it and the shopper corrects it.

Specs are typed against the catalog's facets (`rag.facets`): a `SpecConstraint` is a hard numeric bound on one
dimension ("500g 이하" → mass ≤ 500 g), a `Superlative` orders the candidates by one dimension ("가장 가벼운"),
and an `AttributeRequirement` with `wanted=False` is a hard "must not have" ("기모 없는").
Values are in the canonical unit of their dimension (`rag.units.DIMENSIONS`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SORTS: tuple[str, ...] = ("value", "popular", "rating", "recent", "price_asc", "price_desc")
RELATIVES: tuple[str, ...] = ("cheaper", "pricier")
SPEC_OPS: tuple[str, ...] = ("<=", "<", ">=", ">")
DIRECTIONS: tuple[str, ...] = ("min", "max")


@dataclass(frozen=True)
class AttributeRequirement:
    label: str  # canonical, e.g. "방수"
    terms: tuple[str, ...]  # surface forms that satisfy it in a product's attributes or name
    wanted: bool = True  # False: the product must NOT have it ("기모 없는", "와이파이 없는")


@dataclass(frozen=True)
class SpecConstraint:
    """A hard bound on a numeric facet.

    '두께 5mm 이하' → SpecConstraint("length", "<=", 5.0, "두께", "두께 5mm 이하")
    """

    dimension: str  # a key of rag.units.DIMENSIONS
    op: str  # one of SPEC_OPS
    value: float  # in the dimension's canonical unit
    key_hint: str = ""  # the question's word that picks the facet among several of the dimension ("두께", "한쪽")
    label: str = ""  # as the shopper wrote it, for chips: "5mm 이하"

    def __post_init__(self) -> None:
        if self.op not in SPEC_OPS:
            raise ValueError(f"op must be one of {SPEC_OPS}, got {self.op!r}")

    def holds(self, value: float) -> bool:
        return {
            "<=": value <= self.value,
            "<": value < self.value,
            ">=": value >= self.value,
            ">": value > self.value,
        }[self.op]


@dataclass(frozen=True)
class Superlative:
    """'가장 가벼운' → Superlative("mass", "min", "가장 가벼운"): order the relevant candidates by the facet."""

    dimension: str
    direction: str  # "min" | "max"
    label: str = ""
    key_hint: str = ""
    comparative: bool = False  # '더 가벼운 거': relative to the previous answer's top pick (rag.query.followups)
    explicit: bool = True  # False: an unmarked wish ('가벼운 청소기'), a ranking nudge rather than an ordering
    context: str = ""  # the situation words it was implied by ('들고 다니기 편한'), when no quality was named

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")


@dataclass
class ParsedQuery:
    text: str
    keywords: str = ""  # the text left for retrieval once price, sort and follow-up phrases are removed
    price_min: int | None = None  # KRW, inclusive
    price_max: int | None = None
    price_target: int | None = None  # a soft wish around an amount ("5만원 안팎"): ranking, never a filter
    cheap: bool = False  # a soft wish (저렴한, 싼): ranking, never a filter
    categories: list[str] = field(default_factory=list)  # catalog category path prefixes
    brands: list[str] = field(default_factory=list)
    attributes: list[AttributeRequirement] = field(default_factory=list)
    specs: list[SpecConstraint] = field(default_factory=list)  # hard numeric facet bounds
    superlative: Superlative | None = None
    sort: str | None = None  # one of SORTS
    negations: list[str] = field(default_factory=list)  # aspects the shopper does not want: "냄새 안 나는" → 냄새
    relative: str | None = None  # one of RELATIVES, for follow-ups: "더 싼 건 없어?"
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, "kind:value") for UI chips

    def to_dict(self) -> dict:
        data = asdict(self)
        data["attributes"] = [{"label": a.label, "terms": list(a.terms), "wanted": a.wanted} for a in self.attributes]
        data["spans"] = [list(s) for s in self.spans]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ParsedQuery:
        data = dict(data)
        if data.get("sort") not in (None, *SORTS):
            raise ValueError(f"sort must be one of {SORTS} or None, got {data['sort']!r}")
        if data.get("relative") not in (None, *RELATIVES):
            raise ValueError(f"relative must be one of {RELATIVES} or None, got {data['relative']!r}")
        data["attributes"] = [
            AttributeRequirement(a["label"], tuple(a["terms"]), a.get("wanted", True))
            for a in data.get("attributes", [])
        ]
        data["specs"] = [SpecConstraint(**s) for s in data.get("specs", [])]
        data["superlative"] = Superlative(**data["superlative"]) if data.get("superlative") else None
        data["spans"] = [tuple(s) for s in data.get("spans", [])]
        return cls(**data)
