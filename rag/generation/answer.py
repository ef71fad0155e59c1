"""The answer a shopper reads, as data (for the UI and developers) and as plain Korean text.

Every number in it comes from the catalog; every quote is an exact sentence of a cited review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..constraints import Constraints
from ..query import ParsedQuery
from . import templates as T
from .guide_text import clarify_line
from .templates import Fact, say


@dataclass(frozen=True)
class Citation:
    review_id: str
    product_id: str
    quote: str  # exact text from the review
    rating: float
    rating_max: float
    created_at: str = ""
    option: str = ""

    def stars(self) -> str:
        return say("STARS", rating=self.rating, scale=self.rating_max)


@dataclass
class AspectPoint:
    aspect: str  # 소음, 배송, 사이즈 …
    count: int  # reviews that say it
    of: int  # reviews of the product
    line: str  # one sentence, built from the count and the quote
    citation: Citation | None = None


@dataclass(frozen=True)
class BoughtTogether:
    """A product bought with this one in one shopping trip (basis "purchase"), or liked by the same people when the
    data has no purchases (basis "rating"); shown only when `rag.related` finds the co-behaviour real."""

    product_id: str
    name: str
    co_buyers: int  # people who bought both
    buyers: int  # people who bought the recommended product
    lift: float  # (co_buyers / buyers) / the other product's share of all shoppers
    basis: str = "purchase"

    def title(self) -> str:
        return say("LIKED_TOGETHER_TITLE" if self.basis == "rating" else "BOUGHT_TOGETHER_TITLE")

    def fact(self) -> Fact:
        """The sentence as data: its numbers are this pair's counts (for checks that read facts, not prose)."""
        template = "LIKED_TOGETHER" if self.basis == "rating" else "BOUGHT_TOGETHER"
        return Fact(template, {"buyers": self.buyers, "co_buyers": self.co_buyers, "product": self.name})

    def text(self) -> str:
        """'이 상품을 산 37명 중 9명이 …를 함께 샀어요' with this pair's own counts."""
        return self.fact().text()


@dataclass
class Recommendation:
    product_id: str
    name: str
    brand: str
    category: str
    price: int | None
    rating_mean: float | None  # source scale
    rating_max: float
    review_count: int
    reason: str
    pros: list[AspectPoint] = field(default_factory=list)
    cons: list[AspectPoint] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    satisfied: list[str] = field(default_factory=list)
    rating_hist: dict[str, int] = field(default_factory=dict)
    repurchase_count: int = 0
    related: list[BoughtTogether] = field(default_factory=list)  # bought together, with the counts
    reason_source: str = "grounded"  # "grounded" or "llm" (the LLM's text passed the checks)
    facts: list[Fact] = field(default_factory=list)  # the grounded reason as data: its text is these, rendered


@dataclass
class Answer:
    question: str
    headline: str  # the one-line take on the question and the constraints understood
    understood: list[str]  # constraint labels, for chips
    recommendations: list[Recommendation]
    considerations: list[str]  # 고려할 점
    follow_ups: list[str]  # what to ask next
    found: bool = True
    suggestions: list[str] = field(default_factory=list)  # which constraint to loosen when nothing fits
    notice: str | None = None  # e.g. the LLM was unreachable and the grounded answer is shown
    generator: str = "grounded"
    dropped: int = 0  # LLM statements removed by the checks
    parsed: ParsedQuery | None = None
    constraints: Constraints | None = None
    timings: dict[str, float] = field(default_factory=dict)
    not_carried: str | None = None  # the product type asked for that the catalog does not carry ("전기밥솥")
    nearest_categories: list[str] = field(default_factory=list)  # what it carries instead, when not_carried
    sold_out: list[str] = field(default_factory=list)  # product ids of best matches said to be sold out
    spec_unknown: dict[str, list[str]] = field(default_factory=dict)  # product id → facet keys it does not state
    guide: BuyingGuide | None = None  # 고려할 점 as data (considerations are its rendered lines)
    clarify: Clarify | None = None  # a question back to the shopper with choice chips (rag.generation.clarify)
    comparison: Comparison | None = None  # a comparison question's table and verdict (rag.generation.compare)
    picks: Picks | None = None  # top / budget / upgrade picks among the recommendations (rag.generation.decide)

    def citations(self) -> list[Citation]:
        return [c for r in self.recommendations for c in r.citations]

    def to_text(self) -> str:
        return "".join(render_sections(self))


def price_text(price: int | None) -> str:
    return say("WON", price=price) if price is not None else say("NO_PRICE")


def rating_text(r: Recommendation) -> str:
    if not r.review_count:
        return say("NO_REVIEWS_CARD")
    return say("RATING_CARD", rating=r.rating_mean, scale=r.rating_max, review_count=r.review_count)


def render_recommendation(i: int, r: Recommendation) -> str:
    lines = [say("CARD_HEADER", i=i, name=r.name, brand=r.brand, price=price_text(r.price), rating=rating_text(r))]
    lines.append(f"   {r.reason}")
    if r.pros:
        lines.append("   " + say("CARD_PROS", points=T.LIST_SEP.join(p.line for p in r.pros)))
    if r.cons:
        lines.append("   " + say("CARD_CONS", points=T.LIST_SEP.join(c.line for c in r.cons)))
    for c in r.citations:
        lines.append("   " + say("CARD_QUOTE", quote=c.quote, stars=c.stars(), review_id=c.review_id))
    return "\n".join(lines) + "\n\n"


def render_sections(answer: Answer, headline: bool = True):
    """The text in the order a shopper reads it; the app streams these pieces as they come."""
    if headline:
        yield answer.headline + "\n\n"
    if answer.notice:
        yield say("NOTICE_LINE", notice=answer.notice) + "\n\n"
    if not answer.found and answer.suggestions:
        yield say("SECTION_SUGGESTIONS", suggestions=T.LIST_SEP.join(answer.suggestions[:2])) + "\n\n"
    if answer.comparison is not None:
        yield answer.comparison.to_text()
    for i, rec in enumerate(answer.recommendations, start=1):
        yield render_recommendation(i, rec)
    if answer.picks is not None:
        yield answer.picks.to_text()
    if answer.considerations:
        yield say("SECTION_CONSIDERATIONS") + "\n" + "\n".join(f"- {c}" for c in answer.considerations) + "\n\n"
    if answer.clarify is not None:
        yield clarify_line(answer.clarify) + "\n\n"
    if answer.follow_ups:
        yield say("SECTION_FOLLOW_UPS", chips=T.SEP.join(answer.follow_ups)) + "\n"


# imported after the classes above, which they build on: the Answer's `guide` and `clarify` fields are typed with them
# (pydantic resolves the names when the runnable's output schema is built)
from .buying_guide import BuyingGuide  # noqa: E402
from .clarify import Clarify  # noqa: E402

# the structured parts of other answer kinds, imported last (they build on Citation and Recommendation above) and at
# run time, so that the Answer's type hints resolve (rag.runnable's pydantic schema reads them)
from .compare import Comparison  # noqa: E402
from .decide import Picks  # noqa: E402
