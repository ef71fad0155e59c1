"""Korean particles that depend on the word before them: 이/가, 은/는, 을/를, 으로/로 (one home for the rule)."""

from __future__ import annotations


def has_final_consonant(word: str) -> bool:
    """Does the word end in a consonant sound? Hangul by its final jamo; digits and Latin letters as Koreans read
    them ('3' 삼, 'L' 엘, 'TV' 티비)."""
    core = word.strip().rstrip("'\"’”)]")
    last = core[-1:] if core else ""
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    if last.isdigit():
        return last in "013678"
    return last.lower() in "lmnr"


def particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """word + the particle form it takes: particle('전기밥솥', '이', '가') → '전기밥솥이'. 으로/로: ㄹ takes 로."""
    if after_consonant == "으로":
        core = word.strip().rstrip("'\"’”)]")
        last = core[-1:] if core else ""
        rieul = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 == 8
        return word + ("으로" if has_final_consonant(word) and not rieul else "로")
    return word + (after_consonant if has_final_consonant(word) else after_vowel)
