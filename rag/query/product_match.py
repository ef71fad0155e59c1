"""Does a product meet an attribute requirement, read from its raw attribute strings and name.

Kept for `rag.constraints` until the ranking reads requirements through `rag.facets.match_requirement` (the one
home for product-side polarity); this is the reading the parser used before facets were typed.
"""

from __future__ import annotations

import re

from ..records import Product
from .model import AttributeRequirement
from .text import mentions

_NEGATIVE_VALUE = re.compile(
    r"\s*(?:없음|없|미지원|미포함|불가|아님|아니|x\b|×|no\b|해당\s*없|안\s*됨|무첨가|무(?=[가-힣]{2})|"
    r"(?:사용|지원|착용|반입|세척)\s*(?:불가|안\s*됨))",
    re.IGNORECASE,
)


def _denied_in_place(text: str, term: str) -> bool:
    """'비방수', '방수 불가', '물세탁 불가', '고춧가루 무첨가', '무실리콘': the term is there, but denied."""
    t = re.escape(term)
    return re.search(rf"비{t}|무{t}|{t}\s*(?:없음|불가|미지원|안\s*됨|무첨가)", text, re.I) is not None


def _has(product: Product, requirement: AttributeRequirement) -> bool | None:
    """True: it has it; False: it says it lacks it; None: it does not say."""
    keyed = [str(v) for k, v in product.attributes.items() if any(mentions(str(k), t) for t in requirement.terms)]
    if keyed:
        return any(
            not _NEGATIVE_VALUE.match(v) and not any(v.startswith((f"비{t}", f"무{t}")) for t in requirement.terms)
            for v in keyed
        )
    texts = [str(v) for v in product.attributes.values()] + [product.name]
    hits = [(x, t) for x in texts for t in requirement.terms if mentions(x, t)]
    if not hits:
        return None
    return any(not _denied_in_place(x, t) for x, t in hits)


def satisfies_attribute(product: Product, requirement: AttributeRequirement) -> bool:
    """A wanted requirement needs the product to have it; an unwanted one ('기모 없는') only that it does not
    have it, so a product that does not say passes (neither a match nor a contradiction)."""
    has = _has(product, requirement)
    return has is True if requirement.wanted else has is not True
