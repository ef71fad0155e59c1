"""Untrusted text (review quotes, product names, the shopper's own words) made safe for st.markdown.

Streamlit renders Markdown with extras (colour directives, :material/…: icons, LaTeX, emoji shortcodes). Every
ASCII punctuation mark that could start one of them, a link, an HTML tag or a list is backslash-escaped, so the
text shows exactly as written. Nothing here is ever passed with unsafe_allow_html.
"""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=&@/^%\"'])")
# GFM turns bare URLs and e-mail addresses into links after escapes are resolved, so escaping cannot stop it;
# an invisible WORD JOINER between "http" and "://", "www" and ".", "@" and the domain does, and reads the same
_AUTOLINK = re.compile(r"(?i)(?<=[a-z])(?=://)|(?<=\bwww)(?=\.)|(?<=@)")
JOINER = "\u2060"


def md(text: object) -> str:
    """One line of untrusted text, escaped for Markdown; runs of whitespace (newlines, indents) become one space."""
    return _SPECIAL.sub(r"\\\1", _AUTOLINK.sub(JOINER, " ".join(str(text).split())))


def md_block(text: str) -> str:
    """Several lines of untrusted text: each line escaped, line breaks kept, blank lines kept as paragraphs."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join("  \n".join(md(line) for line in p.splitlines() if line.strip()) for p in paragraphs)


def won(price: int | None) -> str:
    return f"{price:,}원" if price is not None else "가격 정보 없음"


def stars(rating: float | None, scale: float) -> str:
    """Five stars for any rating scale (the demo is 1–5, NSMC 1–10)."""
    if rating is None or scale <= 0:
        return "☆☆☆☆☆"
    full = round(rating / scale * 5)
    return "★" * full + "☆" * (5 - full)
