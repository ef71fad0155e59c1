"""One question as the readers see it: kiwi tokens, a whitespace-free view for matching, and the spans claimed.

Each reader (prices, specs, polarity, categories …) claims the characters it understood, so that no two read the
same words: '기모 없는' is a requirement, and '기모' is then not also read as wanting 기모.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..analyzer import KoreanAnalyzer
from .model import ParsedQuery


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def mentions(text: str, term: str) -> bool:
    """ASCII terms match whole words (a trailing 'x' allowed: IPX4); Korean terms match anywhere."""
    text, term = text.lower(), term.lower()
    if term.isascii():
        return re.search(rf"(?<![a-z]){re.escape(term)}(?![a-wyz])", text) is not None
    return term in text


class QueryText:
    def __init__(self, text: str, analyzer: KoreanAnalyzer) -> None:
        self.text = text
        self.analyzer = analyzer
        self.tokens = analyzer.tokens(text) if text.strip() else []
        self.starts = {t.start for t in self.tokens}
        self.words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        self.index = [i for i, ch in enumerate(text) if not ch.isspace()]
        self.compact = "".join(text[i] for i in self.index).lower()
        self.claimed: list[tuple[int, int]] = []

    def find(self, word: str) -> Iterable[tuple[int, int]]:
        """Where a compact word occurs, spaces ignored: '블루투스스피커' finds '블루투스 스피커'."""
        for m in re.finditer(re.escape(word), self.compact):
            yield self.index[m.start()], self.index[m.end() - 1] + 1

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.claimed)

    def word(self, pos: int) -> tuple[int, int]:
        return next(((s, e) for s, e in self.words if s <= pos < e), (pos, pos))

    def aligned(self, start: int) -> bool:
        """A match must begin a morpheme, in the sentence or in its word read alone ('두부모래' → 두부 + 모래)."""
        if start in self.starts:
            return True
        first, last = self.word(start)
        return start - first in {t.start for t in self.analyzer.tokens(self.text[first:last])}

    def stem(self, start: int, end: int) -> str:
        """A word without its trailing particles: '가숩기가' → '가숩기'."""
        inside = [t for t in self.tokens if start <= t.start < end]
        while inside and inside[-1].tag.startswith("J"):
            inside.pop()
        return self.text[start : inside[-1].start + inside[-1].len] if inside else ""

    def claim(self, query: ParsedQuery, start: int, end: int, label: str) -> None:
        self.claimed.append((start, end))
        query.spans.append((start, end, label))

    def word_before(self, pos: int) -> tuple[int, int, str] | None:
        """The word right before `pos` without its particles: '두께 5mm' → '두께', '무게가 500g' → '무게'."""
        prev = [(s, e) for s, e in self.words if e <= pos]
        if not prev:
            return None
        s, e = prev[-1]
        stem = self.stem(s, e) or self.text[s:e]
        return s, s + len(stem), stem
