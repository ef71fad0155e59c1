"""One-syllable slips: 가숩기 → 가습기, 등산하 → 등산화, 워터프루푸 → 워터프루프 (Levenshtein distance one)."""

from __future__ import annotations

from typing import Any

from .text import QueryText


def by_length(table: dict, min_length: int) -> dict[int, list[str]]:
    """The table's Korean words of at least `min_length` syllables, by length: the candidates of a slip. Built once
    per table by its reader, so that a question compares its words with same-length neighbours only."""
    buckets: dict[int, list[str]] = {}
    for w in table:
        if len(w) >= min_length and not w.isascii():
            buckets.setdefault(len(w), []).append(w)
    return buckets


def typos(
    t: QueryText, table: dict, words: list[tuple[int, int]], buckets: dict[int, list[str]]
) -> list[tuple[int, int, Any]]:
    """(start, end, table value) for words of ≥ 3 syllables one slip away from a table word.

    A word counts once its particles are dropped ('가숩기가' → 가숩기), and only if nothing else claimed it.
    """
    found = []
    for start, end in words:
        stem = t.stem(start, end).lower()
        near = (w for n in (len(stem) - 1, len(stem), len(stem) + 1) for w in buckets.get(n, ()))
        hit = next((w for w in near if one_edit(stem, w)), None)
        if hit and len(stem) >= 3 and t.free(start, start + len(stem)):
            found.append((start, start + len(stem), table[hit]))
    return found


def one_edit(a: str, b: str) -> bool:
    """Levenshtein distance of exactly one (a substitution, an insertion or a deletion)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i + (len(a) == len(b)) :] == b[i + 1 :]
