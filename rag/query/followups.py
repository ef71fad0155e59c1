"""A question in a conversation: what carries over from the previous answer, and what a follow-up points at.

- Unstated conditions carry over (category, requirements, price, specs) unless the UI passed its own constraints.
- "더 싼 건?" is cheaper than the previous top pick (cheaper ones shown lower may come back); "더 좋은 거" pricier.
- "더 가벼운 거" / "더 조용한 건?" is a bound from the previous top pick's own facet value ('lighter than the 5.9 kg
  stroller' → mass < 5900 g), read through the vocabulary's facets; a top pick that does not state the dimension
  leaves the comparative as a plain superlative (the lightest first).
- "두 번째 거" focuses on that recommendation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from ..constraints import Constraints
from ..facets import spec_value
from ..generation.templates import say
from ..records import in_category
from .model import ParsedQuery, SpecConstraint
from .specs import spec_text
from .vocabulary import QueryVocabulary

if TYPE_CHECKING:
    from ..generation.answer import Answer

ORDINAL = re.compile(
    r"(첫\s?번째|첫번|1\s?번째?|두\s?번째|2\s?번째?|세\s?번째|3\s?번째?|네\s?번째|4\s?번째?|다섯\s?번째|5\s?번째?)"
)
ORDINAL_INDEX = {"첫": 0, "1": 0, "두": 1, "2": 1, "세": 2, "3": 2, "네": 3, "4": 3, "다": 4, "5": 4}


class _Turn(Protocol):  # rag.guide.Turn; a protocol so that this module does not import the guide
    question: str
    answer: Answer | None


@dataclass(frozen=True)
class FollowUp:
    """What the guide searches for this turn (rag.guide.Plan is this class)."""

    parsed: ParsedQuery
    constraints: Constraints
    search_text: str
    focus: str | None  # product id a follow-up points at ("두 번째 거")
    note: str  # what was carried over, said in the headline
    empty: str = ""  # the headline when nothing fits ("앞서 추천한 X가 가장 싸요"), when the plan knows why


def follow_up(
    parsed: ParsedQuery,
    question: str,
    history: Sequence[_Turn] = (),
    constraints: Constraints | None = None,
    vocabulary: QueryVocabulary | None = None,
) -> FollowUp:
    prev = next((t.answer for t in reversed(history) if t.answer is not None and t.answer.constraints), None)
    if constraints is not None or prev is None:
        return FollowUp(parsed, constraints or Constraints.from_query(parsed), parsed.keywords or question, None, "")
    pc, changes, notes = prev.constraints, {}, []
    if not parsed.categories and pc.categories:
        changes["categories"] = pc.categories
    # requirements are about the previous product type: '노이즈캔슬링' of earphones says nothing of a humidifier
    if not parsed.attributes and pc.attributes and _same_type(parsed.categories, pc.categories):
        changes["attributes"] = pc.attributes
    if parsed.price_min is None and parsed.price_max is None:
        changes["price_min"], changes["price_max"] = pc.price_min, pc.price_max
    stated = {s.dimension for s in parsed.specs}  # specs carry over within the same product type only
    carried_specs = () if parsed.categories else tuple(s for s in pc.specs if s.dimension not in stated)
    # "더 싼 건?" means cheaper than the top recommendation (cheaper ones shown lower may come back)
    top = next((r for r in prev.recommendations if r.price is not None), None)
    top_price, empty = (top.price if top else None), ""
    if parsed.relative == "cheaper" and top_price is not None:
        changes.update(price_min=None, price_max=top_price - 1)
        notes.append(say("NOTE_CHEAPER", price=top_price - 1))
        empty = say("EMPTY_CHEAPER", name=top.name, price=top_price)
    elif parsed.relative == "pricier" and top_price is not None:
        changes.update(price_min=top_price + 1, price_max=None)
        notes.append(say("NOTE_PRICIER", price=top_price + 1))
        empty = say("EMPTY_PRICIER", name=top.name, price=top_price)
    sup = parsed.superlative
    if sup is not None and sup.comparative and prev.recommendations and vocabulary is not None:
        first = prev.recommendations[0]
        value = spec_value(vocabulary.facets.get(first.product_id, ()), sup.dimension, sup.key_hint, sup.direction)
        if value is not None:
            op = "<" if sup.direction == "min" else ">"
            bound = SpecConstraint(sup.dimension, op, value, sup.key_hint, sup.label)
            carried_specs = tuple(s for s in carried_specs if s.dimension != sup.dimension)
            changes["specs"] = (*parsed.specs, *carried_specs, bound)
            said = spec_text(sup.dimension, op, value)
            how = sup.label.removeprefix("더").strip()
            notes.append(say("NOTE_COMPARATIVE", name=first.name, how=how, bound=said))
            empty = say("EMPTY_COMPARATIVE", name=first.name, how=how)
    if "specs" not in changes and carried_specs:
        changes["specs"] = (*parsed.specs, *carried_specs)
    focus = None
    match = ORDINAL.search(question)
    if match and prev.recommendations:
        position = ORDINAL_INDEX[match.group(1)[0]]
        if position < len(prev.recommendations):
            focus = prev.recommendations[position].product_id
            changes = {"product_ids": (focus,), "in_stock_only": False}
            notes = [say("NOTE_FOCUS", position=position + 1, name=prev.recommendations[position].name)]
    if "categories" in changes and not focus:
        notes.append(say("NOTE_CARRIED_OVER"))
    constraints = replace(Constraints.from_query(parsed), **changes)
    text = parsed.keywords or question
    if len(text) < 8 and not parsed.categories and prev.parsed is not None:
        text = f"{prev.parsed.keywords or prev.question} {text}"  # "더 싼 건?" searches what was asked before
    return FollowUp(parsed, constraints, text, focus, (" ".join(notes) + " ") if notes else "", "" if focus else empty)


def _same_type(asked: Sequence[str], before: Sequence[str]) -> bool:
    """No type named now, or one that is, contains or is inside a type asked before ('이어폰 중에' after 무선이어폰)."""
    if not asked:
        return True
    return any(in_category(a, b) or in_category(b, a) for a in asked for b in before)
