"""Particles after a noun: rag.josa (final-sound rules) against kiwipiepy's `Kiwi.join`, on a hand-labelled list.

    python -m eval.experiments.particles

NOUNS: each noun with how it ends when read aloud (written by hand before running either helper): "V" no final
consonant, "R" ㄹ (takes 로), "C" any other final consonant. Hangul, Sino-Korean numbers (1 일, 10 십, 1,000 천, 4.5
오), acronyms read letter by letter (USB 비, XL 엘), loanwords (phone 폰, apple 애플), units after numbers (500g 그램,
2L 리터, 45dB 데시벨) and quoted or parenthesised words (the particle agrees with the word before '(…)').
Prints, per helper, how many of the noun × particle forms it gets right, and microseconds per form.
"""

from __future__ import annotations

import time

NOUNS: tuple[tuple[str, str], ...] = (
    # Hangul
    ("사과", "V"), ("수박", "C"), ("가습기", "V"), ("청소기", "V"), ("텐트", "V"), ("등산화", "V"), ("신발", "R"),
    ("캠핑의자", "V"), ("전기밥솥", "C"), ("보조배터리", "V"), ("이어폰", "C"), ("무선청소기", "V"), ("크림", "C"),
    ("유모차", "V"), ("아기띠", "V"), ("칼", "R"), ("물", "R"), ("서울", "R"), ("밥솥", "C"), ("에어프라이어", "V"),
    ("요가매트", "V"), ("러닝화", "V"), ("가방", "C"), ("텀블러", "V"), ("선크림", "C"), ("향", "C"), ("소음", "C"),
    ("무게", "V"), ("배송", "C"), ("가성비", "V"),
    # numbers, read in Sino-Korean
    ("1", "R"), ("2", "V"), ("3", "C"), ("4", "V"), ("5", "V"), ("6", "C"), ("7", "R"), ("8", "R"), ("9", "V"),
    ("0", "C"), ("10", "C"), ("20", "C"), ("100", "C"), ("1,000", "C"), ("10,000", "C"), ("4.5", "V"), ("3.7", "R"),
    ("12", "V"), ("15", "V"), ("21", "R"),
    # Latin: acronyms letter by letter, words as loanwords
    ("USB", "V"), ("TV", "V"), ("LED", "V"), ("SSD", "V"), ("HDMI", "V"), ("PC", "V"), ("XL", "R"), ("L", "R"),
    ("M", "C"), ("S", "V"), ("phone", "C"), ("game", "C"), ("mouse", "V"), ("apple", "V"), ("gel", "R"),
    ("mobile", "R"), ("iPad", "V"), ("Max", "V"), ("Pro", "V"), ("cam", "C"),
    # units after a number, by their Korean names
    ("500g", "C"), ("1.5kg", "C"), ("2L", "V"), ("45dB", "R"), ("10,000mAh", "V"), ("300ml", "V"), ("2000W", "V"),
    ("30cm", "V"), ("12V", "V"), ("5GB", "V"),
    # quotes and parentheses at the end
    ("'500g 이하'", "V"), ("가습기(초음파식)", "V"), ("'조용한'", "C"), ("텐트(4인용)", "V"), ("“무선”", "C"),
)  # fmt: skip

# particle pair → the morphemes Kiwi.join is given for it
PARTICLES: dict[str, tuple[tuple[str, str], ...]] = {
    "을/를": (("을", "JKO"),),
    "이/가": (("이", "JKS"),),
    "은/는": (("은", "JX"),),
    "이에요/예요": (("이", "VCP"), ("에요", "EF")),
    "으로/로": (("으로", "JKB"),),
    "과/와": (("과", "JC"),),
    "이나/나": (("이나", "JX"),),
}


def expected(noun: str, sound: str, pair: str) -> str:
    consonant_form, vowel_form = pair.split("/")
    if pair == "으로/로":
        return noun + ("으로" if sound == "C" else "로")
    return noun + (vowel_form if sound == "V" else consonant_form)


def _tag(noun: str) -> str:
    if any("가" <= ch <= "힣" for ch in noun):
        return "NNG"
    return "SN" if noun[0].isdigit() else "SL"


def _kind(noun: str) -> str:
    if noun[-1] in "'’”)":
        return "quoted/parenthesised"
    if noun[0].isdigit():
        return "number" if noun[-1].isdigit() else "unit"
    return "Hangul" if _tag(noun) == "NNG" else "Latin"


def run() -> dict[str, dict[str, float]]:
    from kiwipiepy import Kiwi

    from rag.josa import attach

    kiwi = Kiwi()
    cases = [(noun, pair, expected(noun, sound, pair)) for noun, sound in NOUNS for pair in PARTICLES]
    helpers = {
        "rag.josa.attach": lambda noun, pair: attach(noun, pair),
        "Kiwi.join": lambda noun, pair: kiwi.join([(noun, _tag(noun)), *PARTICLES[pair]]),
    }
    out = {}
    for name, helper in helpers.items():
        helper(*cases[0][:2])  # warm up
        started = time.perf_counter()
        results = [(helper(noun, pair), want) for noun, pair, want in cases]
        us = (time.perf_counter() - started) * 1e6 / len(cases)
        wrong = [(got, want) for got, want in results if got != want]
        by_kind: dict[str, list[int]] = {}
        for (noun, _, _), (got, want) in zip(cases, results, strict=True):
            by_kind.setdefault(_kind(noun), [0, 0])[0] += got == want
            by_kind[_kind(noun)][1] += 1
        out[name] = {
            "right": len(cases) - len(wrong),
            "forms": len(cases),
            "us_per_form": us,
            "by_kind": by_kind,
            "wrong": wrong,
        }
    return out


def main() -> None:
    result = run()
    print(f"{len(NOUNS)} nouns × {len(PARTICLES)} particles")
    for name, r in result.items():
        print(
            f"{name:16s} right {r['right']}/{r['forms']} ({r['right'] / r['forms']:.3f})  "
            f"{r['us_per_form']:.1f} µs/form"
        )
        print("    " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in r["by_kind"].items()))
        for got, want in r["wrong"][:12]:
            print(f"    {got}  (want {want})")


if __name__ == "__main__":
    main()
