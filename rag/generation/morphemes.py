"""kiwi token patterns, shared by the review readers (rag.generation.polarity for the verdicts, rag.generation.aspects
for the aspects and quotes): word lists, tag classes, `form/TAG+form` patterns matched over tokens, and the typo
fixes applied before kiwi reads a clause."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence


def split_words(text: str) -> tuple[str, ...]:
    """A word list written as one space-separated string."""
    return tuple(text.split())


# adverbs that raise a judgement (너무 좋아요, 정말 별로): the polarity rules double what follows them
INTENSIFIERS = frozenset(
    split_words(
        "너무 넘 정말 진짜 완전 아주 엄청 매우 되게 레알 참 제일 가장 넘나 겁나 존나 무척 굉장히 완존 진심 짱 극"
    )
)
# adverbs that may sit between the parts of a pattern (사진과 좀 달라요, 소음이 거의 없어요)
GAP_WORDS = (
    frozenset(
        split_words(
            "거의 전혀 하나 별로 딱히 좀 계속 많이 자꾸 조금 약간 살짝 금방 금세 자주 쉽게 가끔 항상 늘 확 훨씬 꽤"
        )
    )
    | INTENSIFIERS
)


def tag_major(tag: str) -> str:
    """kiwi's tag without its irregular-conjugation mark: VA-I → VA."""
    return tag.split("-")[0]


def parse_pattern(pattern: str) -> tuple[tuple[str, str], ...]:
    """`간/N+이` → (("간", "N"), ("이", "")): forms lowercased, each with its tag prefix (or "")."""
    return tuple((form.lower(), tag) for form, _, tag in (part.partition("/") for part in pattern.split("+")))


def match_at(tokens: Sequence, i: int, parts: tuple[tuple[str, str], ...], gaps: bool = True) -> int:
    """1 + index of the last token when `parts` match from token i (particles and GAP_WORDS may sit between parts
    when `gaps`: 비+오 matches 비가 많이 오는, 사진+다르 matches 사진과 좀 달라요), else 0."""
    j = i
    for n, (form, tag) in enumerate(parts):
        if n and gaps:
            while (
                j < len(tokens)
                and (tokens[j].tag.startswith("J") or (tokens[j].tag == "MAG" and tokens[j].form in GAP_WORDS))
                and tokens[j].form.lower() != form
            ):
                j += 1
        if j >= len(tokens) or tokens[j].form.lower() != form or (tag and not tokens[j].tag.startswith(tag)):
            return 0
        j += 1
    return j


def index_patterns(
    patterns: Iterable[tuple[str, object]],
) -> dict[str, list[tuple[tuple[tuple[str, str], ...], object]]]:
    """Patterns by their first form, so each token looks up only the patterns that can start at it."""
    out: dict[str, list] = defaultdict(list)
    for pattern, value in patterns:
        parts = parse_pattern(pattern)
        out[parts[0][0]].append((parts, value))
    return dict(out)


def is_attributive(tokens: Sequence, i: int) -> bool:
    """The stem at i modifies a noun (큰 사이즈, 작은 방)."""
    return (
        i + 1 < len(tokens)
        and tag_major(tokens[i + 1].tag) == "ETM"
        and not (i + 2 < len(tokens) and tokens[i + 2].tag == "NNB")
    )


# a common typo: 않 for 안 before a verb (냄새 거의 않나요, 않되요), not the -지 않 negation (좋지 않나요?)
_TYPO_ANH = re.compile(r"(?<=[^지진질기\s] )않(?=[나되돼좋])")


def normalise(text: str) -> str:
    """What kiwi reads: typos fixed character for character, so token offsets still index the original text."""
    return _TYPO_ANH.sub("안", text) if "않" in text else text
