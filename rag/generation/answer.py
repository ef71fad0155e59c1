"""The answer a shopper reads, as data (for the UI and developers) and as plain Korean text.

Every number in it comes from the catalog; every quote is an exact sentence of a cited review.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..constraints import Constraints
from ..query import ParsedQuery
from . import templates as T
from .buying_guide import BuyingGuide
from .clarify import Clarify
from .compare import Comparison
from .decide import Picks
from .evidence import AspectPoint, BoughtTogether, Citation, Recommendation
from .guide_text import clarify_line
from .templates import say

__all__ = ["Answer", "AspectPoint", "BoughtTogether", "Citation", "Recommendation", "render_sections"]


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
