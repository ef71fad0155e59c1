"""Query understanding: a shopper's question → a structured `ParsedQuery` (rules, no LLM).

model.py — the structured query (prices, categories, attributes, specs, superlative, intents)
lexicon.py — the one home of hand query vocabulary (synonyms, spec adjectives); English product words are
rag.type_lexicon's
vocabulary.py — what the catalog lets a question name (categories, brands, facet keys, flags, dimensions)
bounds.py, prices.py, specs.py, polarity.py — one reader each: comparison words, prices, numeric specs and
superlatives, requirements and negations; typos.py — one-slip matching; text.py — a question's tokens and claims
parser.py — orchestration; followups.py — a turn in a conversation (what carries over, "더 싼/가벼운 거")
use_context.py — a situation that names no attribute, read through the catalog's reviews;
product_match.py — a requirement vs a product's facets
"""

from .lexicon import ATTRIBUTES, CATEGORY_SYNONYMS, SPEC_WORDS
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
from .vocabulary import QueryVocabulary

__all__ = [
    "ATTRIBUTES",
    "CATEGORY_SYNONYMS",
    "DIRECTIONS",
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
    "satisfies_attribute",
]
