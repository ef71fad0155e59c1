"""Korean particles that depend on the word before them (one home for the rule).

`attach(word, "을/를")` → the word with the particle form it takes; the pairs: 을/를, 이/가, 은/는, 이에요/예요,
으로/로 (a ㄹ-final word takes 로), 과/와, 이나/나, 이랑/랑, 아/야. What counts is how the word is *read*:
- Hangul by its final jamo;
- digits as Sino-Korean numbers: 1 일, 3 삼, 10 십, 1,000 천, 4.5 오 (the last digit, or the power of ten);
- a unit after a number by its Korean name: 500g 그램, 2L 리터, 45dB 데시벨, 10,000mAh 밀리암페어;
- Latin acronyms letter by letter ('USB' 비, 'LED' 디, 'HDMI' 아이, 'L' 엘, 'R' 알), other Latin words by the
  usual loanword ending (ends in l/m/n/ng → consonant: 'gel', 'cam', 'phone'; 'book'/'pack' ㄱ; else a vowel);
- closing quotes and brackets are skipped, and a parenthesis at the end is skipped whole: a particle agrees with
  the word before '(…)' ('가습기(초음파식)가').

Measured against kiwipiepy's `Kiwi.join` on 85 hand-labelled nouns × 7 particles (`python -m
eval.experiments.particles`): join gets 404/595 forms right (it treats every number, Latin word and unit as
vowel-final and writes 사과에요 for 사과예요) at ~160 µs a form; this helper 595/595 at ~2 µs. So this is the one.
"""

from __future__ import annotations

import re

# how each final sound is classed: no final consonant, ㄹ (takes 로), any other final consonant
VOWEL, RIEUL, CONSONANT = "vowel", "rieul", "consonant"

# (after a consonant, after a vowel); 으로/로 is special-cased for ㄹ
PAIRS: dict[str, tuple[str, str]] = {
    "을/를": ("을", "를"),
    "이/가": ("이", "가"),
    "은/는": ("은", "는"),
    "이에요/예요": ("이에요", "예요"),
    "으로/로": ("으로", "로"),
    "과/와": ("과", "와"),
    "이나/나": ("이나", "나"),
    "이랑/랑": ("이랑", "랑"),
    "아/야": ("아", "야"),
    "이라/라": ("이라", "라"),
    "이라고/라고": ("이라고", "라고"),
}

_DIGIT_SOUND = {"0": CONSONANT, "1": RIEUL, "2": VOWEL, "3": CONSONANT, "4": VOWEL, "5": VOWEL}
_DIGIT_SOUND |= {"6": CONSONANT, "7": RIEUL, "8": RIEUL, "9": VOWEL}
# unit symbols after a number, by the final sound of their Korean name; longest first when matched
_UNIT_SOUND = {
    "g": CONSONANT,  # 그램
    "kg": CONSONANT,  # 킬로그램
    "mg": CONSONANT,  # 밀리그램
    "db": RIEUL,  # 데시벨
    "mah": VOWEL,  # 밀리암페어
    "ml": VOWEL,  # 밀리리터
    "l": VOWEL,  # 리터
    "cm": VOWEL,  # 센티미터
    "mm": VOWEL,  # 밀리미터
    "m": VOWEL,  # 미터
    "km": VOWEL,  # 킬로미터
    "w": VOWEL,  # 와트
    "kw": VOWEL,  # 킬로와트
    "wh": VOWEL,  # 와트시
    "v": VOWEL,  # 볼트
    "hz": VOWEL,  # 헤르츠
    "gb": VOWEL,  # 기가바이트
    "tb": VOWEL,  # 테라바이트
    "mb": VOWEL,  # 메가바이트
    "h": CONSONANT,  # 시간
    "%": VOWEL,  # 퍼센트
    "℃": VOWEL,  # 도
    "°c": VOWEL,
    "inch": VOWEL,  # 인치
    "kcal": VOWEL,  # 킬로칼로리
    "cc": VOWEL,  # 시시
}
_UNIT_AFTER_NUMBER = re.compile(
    r"\d\s*(" + "|".join(re.escape(u) for u in sorted(_UNIT_SOUND, key=len, reverse=True)) + r")$", re.IGNORECASE
)
# letter names: 엘 and 알 end in ㄹ, 엠 ㅁ, 엔 ㄴ; every other letter's name ends in a vowel
_LETTER_SOUND = {"l": RIEUL, "r": RIEUL, "m": CONSONANT, "n": CONSONANT}
_CLOSERS = "'\"’”」』)]}>》〉.,!?…·~ "
_TRAILING_PAREN = re.compile(r"\s*[(\[][^()\[\]]*[)\]]\s*$")


def _core(word: str) -> str:
    """The part of `word` the particle agrees with: trailing parentheses and closing marks dropped."""
    core = word.strip()
    while True:
        before = core
        without_paren = _TRAILING_PAREN.sub("", core)
        if without_paren.strip(_CLOSERS):  # '(5L)' alone is read as it is
            core = without_paren
        core = core.rstrip(_CLOSERS) or core
        if core == before:
            return core


def _latin_sound(run: str) -> str:
    """A Latin word or acronym as Koreans read it."""
    if run.isupper() or len(run) == 1:  # an acronym, read letter by letter: USB 비, LED 디, TV 비, XL 엘
        return _LETTER_SOUND.get(run[-1].lower(), VOWEL)
    low = run.lower()
    if low.endswith(("ng", "m", "n", "me", "ne")):
        return CONSONANT  # 캠, 링, 폰(phone), 게임(game), 라인(line)
    if low.endswith("l") or re.search(r"[aeiou]le$", low):
        return RIEUL  # 젤(gel), 모바일(mobile); a consonant before -le is read with a vowel: 애플(apple)
    if low.endswith(("ck", "ook", "ak", "ok")) and len(low) <= 5:
        return CONSONANT  # 팩, 북, 쿡
    return VOWEL  # mouse 마우스, pad 패드, pro 프로, max 맥스, air 에어


def final_sound(word: str) -> str:
    """VOWEL, RIEUL or CONSONANT: how the word (as read aloud) ends."""
    core = _core(word)
    if not core:
        return VOWEL
    last = core[-1]
    if "가" <= last <= "힣":
        jong = (ord(last) - 0xAC00) % 28
        return VOWEL if jong == 0 else RIEUL if jong == 8 else CONSONANT
    unit = _UNIT_AFTER_NUMBER.search(core)
    if unit:
        return _UNIT_SOUND[unit.group(1).lower()]
    if last.isdigit():
        digits = re.search(r"[\d,.]*\d$", core).group(0)
        whole = digits.split(".")[-1] if "." in digits else digits.replace(",", "")
        if "." not in digits and len(whole) > 1 and whole.endswith("0"):
            return CONSONANT  # 십, 백, 천, 만, 억: every power of ten ends in a consonant
        return _DIGIT_SOUND[last]
    latin = re.search(r"[A-Za-z]+$", core)
    if latin:
        return _latin_sound(latin.group(0))
    return VOWEL


def has_final_consonant(word: str) -> bool:
    """Does the word end in a consonant sound (ㄹ included)?"""
    return final_sound(word) != VOWEL


def attach(word: str, pair: str) -> str:
    """word + the form of `pair` ('을/를', '이/가', …, or its first form alone, '을') that follows it."""
    key = pair if pair in PAIRS else next((k for k in PAIRS if k.split("/")[0] == pair), None)
    if key is None:
        raise ValueError(f"unknown particle {pair!r}; use one of {', '.join(PAIRS)}")
    return particle(word, *PAIRS[key])


def particle(word: str, after_consonant: str, after_vowel: str) -> str:
    """word + the particle form it takes: particle('전기밥솥', '이', '가') → '전기밥솥이'. 으로/로: ㄹ takes 로."""
    sound = final_sound(word)
    if after_consonant == "으로":
        return word + ("으로" if sound == CONSONANT else "로")
    return word + (after_vowel if sound == VOWEL else after_consonant)
