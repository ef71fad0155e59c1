"""The buying guide's and the clarifying question's sentences, rendered from their structured data.

The template strings belong in `rag.generation.templates` (sections `# --- buying guide ---` and `# --- clarify ---`);
this module fills them: one place that turns a `BuyingGuide` or a `Clarify` into the lines a shopper reads.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .templates import say

if TYPE_CHECKING:
    from .buying_guide import BuyingGuide, GuideDimension, GuideOption
    from .clarify import Clarify

SEP = " · "


def won_range(low: int | None, high: int | None) -> str:
    if low is None:
        return say("NO_PRICE")
    if low == high:
        return say("WON", price=low)
    return say("GUIDE_PRICE_RANGE", low=low, high=high)


def option_text(o: GuideOption) -> str:
    """'초음파 1종 29,900원'"""
    return say("GUIDE_OPTION", label=o.label, count=len(o.product_ids), prices=won_range(o.price_min, o.price_max))


def reviews_text(d: GuideDimension) -> str:
    """What reviewers of each option say: on the aspect the facet names ('소음 후기: 24dB 리뷰 34개 중 좋다 9 ·
    아쉽다 2, …'), else each option's most-discussed aspect; '' when no reviewer spoke."""
    said = [o for o in d.options if o.said is not None and o.said.mentions]
    if not said:
        return ""
    if d.aspect:
        parts = [say("GUIDE_OPTION_REVIEWS", label=o.label, **_counts(o)) for o in said]
        return say("GUIDE_REVIEWS", aspect=d.aspect, options=", ".join(parts))
    parts = [say("GUIDE_OPTION_TOPIC", label=o.label, aspect=o.said.aspect, **_counts(o)) for o in said]
    return say("GUIDE_TOPICS", options=", ".join(parts))


def dimension_lines(guide: BuyingGuide, dimensions: int = 3) -> list[tuple[GuideDimension, str, str]]:
    """(dimension, its options line, its reviews line or '') for the first `dimensions`. A reviews line that would
    repeat an earlier one (the same products grouped the same way, the same aspects) is '': in a small category every
    dimension splits the products alike."""
    out, told = [], set()
    for d in guide.dimensions[:dimensions]:
        options = say("GUIDE_DIMENSION", key=d.key, options=SEP.join(option_text(o) for o in d.options))
        said = [o for o in d.options if o.said is not None and o.said.mentions]
        signature = frozenset((o.product_ids, o.said.aspect) for o in said)
        reviews = reviews_text(d) if said and signature not in told else ""
        told.add(signature)
        out.append((d, options, reviews))
    return out


def guide_lines(guide: BuyingGuide, dimensions: int = 3) -> list[str]:
    """고려할 점: per dimension its options with prices, then what reviewers of each option say, then the open
    points ('예산·용량을 알려주시면 더 좁혀 드릴게요')."""
    out = [line for _, options, reviews in dimension_lines(guide, dimensions) for line in (options, reviews) if line]
    if guide.unsaid:
        out.append(unsaid_text(guide))
    return out


def unsaid_text(guide: BuyingGuide) -> str:
    """'예산·용량·가습방식을 알려주시면 더 좁혀 드릴게요.' ('' when the question said all of them)."""
    return say("GUIDE_UNSAID", keys="·".join(guide.unsaid[:3])) if guide.unsaid else ""


def _counts(o: GuideOption) -> dict[str, int]:
    return {"positive": o.said.positive, "negative": o.said.negative, "reviews": o.said.reviews}


def clarify_line(clarify: Clarify) -> str:
    """The clarifying question with its choices, as plain text ('어떤 가습방식을 원하세요? 고르기: 초음파 · 가열식'); an
    answer that only asks has the question as its headline already."""
    chips = SEP.join(c.label for c in clarify.chips)
    return (
        say("CLARIFY_CHOICES", chips=chips)
        if clarify.blocking
        else say("CLARIFY_LINE", question=clarify.question, chips=chips)
    )
