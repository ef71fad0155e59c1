"""Untrusted text at the library's edges: one normal form, no reordering controls, stated length bounds.

Everything a shopper types and everything a catalog holds passes through here before it is analysed or shown:

- `clean(text)`: NFC (decomposed Hangul from macOS or some IMEs otherwise misses every price and category
  rule), lone surrogates removed (they cannot be encoded and crashed kiwi), control characters turned into
  spaces, and bidirectional controls removed (`neutralize_bidi`).
- `neutralize_bidi(text)`: a right-to-left override in a product name reorders what the shopper sees
  (`가습기 \u202edlrow olleh\u202c 5L` displays as `가습기 hello world 5L`); removing the embedding, override
  and isolate controls shows the characters in the order they are stored. Korean text never needs them.
- `cap(text, limit)`: a bound on the work any one input can cause, cut at a word boundary when one is near.

The limits are documented here, in one place, so the app, ingest and the library state the same bounds.
"""

from __future__ import annotations

import re
import unicodedata

QUESTION_CHARS = 300  # a shopping question fits; a 100k-character question took 111 s to answer before the cap
QUOTE_CHARS = 200  # one quoted review sentence as shown; the review itself stays whole in the catalog
REVIEW_CHARS = 5_000  # review text ingest keeps for analysis and embedding (the longest NSMC review is 140)
PRODUCT_TEXT_CHARS = 5_000  # a product's name + description + attributes as one searchable text
ELLIPSIS = "…"

# LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, and the marks LRM, RLM, ALM: reordering controls, never content
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls except tab and newline, plus the Unicode line/paragraph separators
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


has_bidi = _BIDI.search  # the hot path when reading a catalog: most texts have none


def neutralize_bidi(text: str) -> str:
    """`text` without bidirectional embedding, override and isolate controls (a no-op copy-free path when none)."""
    return _BIDI.sub("", text) if _BIDI.search(text) else text


def clean(text: str) -> str:
    """NFC, without lone surrogates, control characters (as spaces) or bidirectional controls."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
    return neutralize_bidi(text)


def cap(text: str, limit: int) -> tuple[str, bool]:
    """(text cut to at most `limit` characters, whether it was cut). A cut ends at the last space in the final
    fifth when there is one (no half words), and with '…' so a reader sees the text goes on."""
    if limit < 1:
        raise ValueError(f"limit must be ≥ 1, got {limit}")
    if len(text) <= limit:
        return text, False
    head = text[: limit - len(ELLIPSIS)]
    space = head.rfind(" ")
    if space >= len(head) * 4 // 5:
        head = head[:space]
    return head.rstrip() + ELLIPSIS, True
