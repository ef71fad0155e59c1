"""The shopper's own words behind the analyzer's matched terms: what a reason quotes instead of stems.

The search reports the query terms a product matched as analyzer terms (`신 발 아프` for `오래 신어도 발 안 아픈
신발`); a shopper must never read those. `shopper_phrases` maps them back onto the question's words (eojeols) and
quotes stretches of the question itself: every word that holds a matched morpheme (or a compound of touching
morphemes), the words between them (so `안` stays and the negation with it), a word of endings and auxiliaries
right after (`뒤집어지지 않는`, `줄 만한`), and one adverb right before (`오래 신어도`). The product type itself
is left out when it is the product's own category (`신발` under 패션>신발): it says nothing the card does not.
Each phrase is an exact substring of the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

MAX_WORDS = 6  # a longer stretch is no longer a phrase: its matched words are quoted group by group
_DEPENDENT = ("VX", "NNB", "XS", "E", "J", "SF", "SP")  # a word made only of these leans on the word before
_BARE_NOUN = frozenset({"거", "것", "걸", "게", "건", "데"})  # 줄 만한 '거': says nothing


def _words(question: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", question)]


def shopper_phrases(
    question: str,
    matched_terms: Sequence[str],
    tokens: Callable[[str], Sequence],
    category: str = "",
) -> list[str]:
    """Stretches of `question` (verbatim) that hold the matched terms; [] when none of them is the question's."""
    wanted = {t.lower() for t in matched_terms if t}
    if not wanted or not question.strip():
        return []
    toks = list(tokens(question))
    words = _words(question)
    in_word: list[list] = [[t for t in toks if s <= t.start < e] for s, e in words]
    category_words = {w.lower() for level in category.split(">") for w in re.split(r"[/\s]+", level) if w}

    def matched(k: int) -> bool:
        forms = [t.form.lower() for t in in_word[k]]
        runs = {"".join(forms[a:b]) for a in range(len(forms)) for b in range(a + 1, len(forms) + 1)}
        hit = runs & wanted
        return bool(hit) and not all(h in category_words for h in hit)

    def dependent(k: int) -> bool:
        tags = [t.tag for t in in_word[k]]
        forms = [t.form for t in in_word[k]]
        return bool(tags) and all(tag.startswith(_DEPENDENT) for tag in tags) and forms[0] not in _BARE_NOUN

    hits = [k for k in range(len(words)) if matched(k)]
    if not hits:
        return []
    groups: list[list[int]] = []
    if hits[-1] - hits[0] + 1 <= MAX_WORDS:
        groups.append(list(range(hits[0], hits[-1] + 1)))
    else:
        for k in hits:
            if groups and k == groups[-1][-1] + 1:
                groups[-1].append(k)
            else:
                groups.append([k])
    out = []
    for group in groups:
        first, last = group[0], group[-1]
        if last + 1 < len(words) and dependent(last + 1):
            last += 1  # 뒤집어지지 '않는', 줄 '만한'
        if first > 0 and [t.tag for t in in_word[first - 1]] == ["MAG"]:
            first -= 1  # '오래' 신어도, '안' 아픈
        out.append(question[words[first][0] : words[last][1]])
    return list(dict.fromkeys(out))
