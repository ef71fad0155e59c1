"""Does a product meet an attribute requirement — kept for `rag.constraints` until it reads requirements through
`rag.facets.match_requirement` with the index's facets table; this is that same rule, typing the product here.

The product-side readings of polarity ('없음(통기 메쉬)', '비방수', '고춧가루 무첨가') live in rag.facets alone.
"""

from __future__ import annotations

from functools import lru_cache

from ..facets import Facet, match_requirement, type_attributes
from ..records import Product
from .model import AttributeRequirement


@lru_cache(maxsize=65_536)
def _facets(product_id: str, attributes: tuple[tuple[str, str], ...]) -> tuple[Facet, ...]:
    return tuple(type_attributes(product_id, dict(attributes)))


def satisfies_attribute(product: Product, requirement: AttributeRequirement) -> bool:
    """A wanted requirement needs the product to have it; an unwanted one ('기모 없는') only that it does not
    have it, so a product that does not say passes (neither a match nor a contradiction)."""
    key = tuple((str(k), str(v)) for k, v in product.attributes.items())
    has = match_requirement(product, _facets(product.product_id, key), requirement)
    return has is True if requirement.wanted else has is not True
