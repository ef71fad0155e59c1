"""Query understanding: a shopper's Korean question → a structured `ParsedQuery` (rules, no LLM).

model.py — the structured query (prices, categories, attributes, specs, superlatives, intents)
parser.py — the rules that fill it; product_types.py — product types a catalog may not carry
"""

from .model import (
    DIRECTIONS,
    RELATIVES,
    SORTS,
    SPEC_OPS,
    AttributeRequirement,
    ParsedQuery,
    SpecConstraint,
    Superlative,
)
from .parser import ATTRIBUTES, CATEGORY_SYNONYMS, QueryParser, QueryVocabulary, satisfies_attribute
from .product_types import COMMON_PRODUCT_TYPES, missing_product_type

__all__ = [
    "ATTRIBUTES",
    "CATEGORY_SYNONYMS",
    "COMMON_PRODUCT_TYPES",
    "DIRECTIONS",
    "RELATIVES",
    "SORTS",
    "SPEC_OPS",
    "AttributeRequirement",
    "ParsedQuery",
    "QueryParser",
    "QueryVocabulary",
    "SpecConstraint",
    "Superlative",
    "missing_product_type",
    "satisfies_attribute",
]
