"""Query understanding: a shopper's question → a structured `ParsedQuery` (rules, no LLM).

model.py — the structured query (prices, categories, attributes, specs, superlative, intents)
lexicon.py — the one home of hand vocabulary (synonyms, English words, spec adjectives)
vocabulary.py — what the catalog lets a question name (categories, brands, facet keys, flags, dimensions)
bounds.py, prices.py, specs.py, polarity.py — one reader each: comparison words, prices, numeric specs and
superlatives, requirements and negations; typos.py — one-slip matching; text.py — a question's tokens and claims
parser.py — orchestration; followups.py — a turn in a conversation (what carries over, "더 싼/가벼운 거")
product_types.py — product types a catalog may not carry; product_match.py — a requirement vs a product's facets
"""

from .lexicon import ATTRIBUTES, CATEGORY_SYNONYMS, ENGLISH, SPEC_WORDS
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
from .parser import QueryParser
from .product_match import satisfies_attribute
from .product_types import COMMON_PRODUCT_TYPES, missing_product_type
from .vocabulary import QueryVocabulary

__all__ = [
    "ATTRIBUTES",
    "CATEGORY_SYNONYMS",
    "COMMON_PRODUCT_TYPES",
    "DIRECTIONS",
    "ENGLISH",
    "RELATIVES",
    "SORTS",
    "SPEC_OPS",
    "SPEC_WORDS",
    "AttributeRequirement",
    "ParsedQuery",
    "QueryParser",
    "QueryVocabulary",
    "SpecConstraint",
    "Superlative",
    "missing_product_type",
    "satisfies_attribute",
]
