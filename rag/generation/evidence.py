"""The cited pieces an answer is built of: a review quote (Citation), a counted aspect (AspectPoint), a product bought
together (BoughtTogether) and one recommended product with all of these (Recommendation).

Their own module so that every answer kind (rag.generation.compare, decide, buying_guide, clarify) can build on them
without importing rag.generation.answer, which imports those kinds for the Answer's fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
