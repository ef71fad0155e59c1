"""Build rag/generation/polarity_cues.tsv: the written cue lexicon, as kiwi patterns the polarity rules read.

    python -m eval.experiments.polarity_cues [--source eval/data/polarity/cue_lexicon.jsonl] [--out PATH]

The source (eval/data/polarity/cue_lexicon.jsonl, its README section says how it was written) holds evaluative
expressions of Korean reviews, each with its polarity and one example clause: `{"domain", "expr", "polarity",
"example"}`. Each expression is cut by the project's analyzer into morphemes; particles, punctuation and the
endings around it are dropped, and what is left is the pattern: one form or several joined by + (`돈+아깝`,
`뜯+어+지`); the stem of a 하 adjective is tagged /X (`정교/X` reads 정교해요 and 정교한, never a verb of the same
form), and a lone one-syllable form is left out (속/VV: too many words share it).

Left out, and listed: expressions with no content morpheme; patterns the built-in stems of
rag/generation/polarity.py already give (they win at run time anyway); words the rules read in their own way
(fault and wanted nouns, aspect words, intensifiers, negators, hedges); expressions with a lukewarm word (그저
그렇다 is the labelling rule's 0); phrases that start with a light stem (하+어+지 of 해지다); patterns given both
polarities; and expressions whose own example the rules, with the new lexicon, do not read with the expression's
polarity (the pattern does not match how kiwi cuts it in a sentence). The check reloads the rules with the new
file, so the examples are read as the library will read them.
"""

from __future__ import annotations

import argparse
import importlib
import json
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "eval" / "data" / "polarity" / "cue_lexicon.jsonl"
OUT = ROOT / "rag" / "generation" / "polarity_cues.tsv"
# the labelling rule's lukewarm words (그냥 무난해요, 통화품질은 보통): no verdict, so no cue either
LUKEWARM = ("그저", "그냥", "보통", "무난", "평범", "그럭저럭", "쏘쏘")
# light verbs and particles-like stems a phrase must not start with: 하+어+지 (of 해지다) would fire on 촉촉해졌어요
LIGHT = frozenset({"하", "되", "있", "없", "이", "보", "주", "지", "나", "가", "오", "들", "않", "안", "못"})


def load_source(path: Path = SOURCE) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        if not row.get("expr") or row.get("polarity") not in (1, -1) or not row.get("example"):
            raise SystemExit(f"{path} line {n}: needs expr, polarity (1 or -1) and example; got {row}")
        rows.append(row)
    return rows


def pattern_of(tokens) -> str:
    """The expression's cue pattern: its morphemes from the first content one to the last, + between (the endings
    inside stay: 뜯+어+지, 쉬+ᆫ+내); a final 하 (XSA, XSV, or the end of a VA/VV lemma) goes, because kiwi cuts
    정교해요 as 정교/XR 하/XSA and 정교한 as 정교하/VA, and the rules look the stem up either way; '' when there is no
    content morpheme."""

    def content(t) -> bool:
        return not t.tag.startswith(("E", "J", "S", "VCP")) or t.tag == "SL"

    idx = [i for i, t in enumerate(tokens) if content(t)]
    if not idx:
        return ""
    kept = [t for t in tokens[idx[0] : idx[-1] + 1] if not t.tag.startswith(("J", "S")) or t.tag == "SL"]
    if len(kept) > 1 and kept[-1].form == "하" and kept[-1].tag.startswith(("XS", "VV", "VX")):
        kept = kept[:-1]
    parts = []
    for t in kept:
        major = t.tag.split("-")[0]
        form = t.form.lower()
        if len(kept) == 1 and major in ("VA", "VV") and form.endswith("하") and len(form) > 2:
            # 정교하/VA → 정교/X: the rules strip 하 off a lemma before looking it up; the tag keeps the stem from
            # matching a verb of the same form (느끼하다 → 느끼/X, never 느끼다 "to feel")
            parts.append(f"{form[:-1]}/X")
        elif len(kept) == 1 and major == "XR":
            parts.append(f"{form}/X")
        else:
            parts.append(form)
    if len(parts) == 1 and len(parts[0].split("/")[0]) == 1:
        return ""  # one syllable alone (하/VV of 해지다, 속/VV): too many words share it
    return "+".join(parts)


def build(rows: list[dict], kiwi) -> tuple[list[tuple[str, int, dict]], list[tuple[dict, str]]]:
    """(kept (pattern, polarity, row), dropped (row, reason)) before the example check."""
    from rag.generation import polarity

    patterns = [pattern_of(list(tokens)) for tokens in kiwi.tokenize([r["expr"] for r in rows])]
    polarities: dict[str, set[int]] = {}
    for p, r in zip(patterns, rows, strict=True):
        polarities.setdefault(p, set()).add(r["polarity"])
    from rag.generation.aspects import _ASPECT_FORMS

    built_in = set(polarity._BUILT_IN) | {p for p, _ in polarity._CUE_PHRASES}
    # words the rules read in their own way: a fault or wanted noun is judged by what is said of it (소음이 없어요,
    # 효과 있어요), an aspect word is no verdict (소음은 보통), intensifiers, negators and hedges are modifiers
    read_otherwise = (
        polarity._BAD_NOUNS | polarity._WANTED_NOUNS | polarity.INTENSIFIERS | polarity._NEGATORS
        | polarity._HEDGES | _ASPECT_FORMS
    )  # fmt: skip
    kept, dropped, seen = [], [], set()
    for p, r in zip(patterns, rows, strict=True):
        if not p:
            dropped.append((r, "no content morpheme"))
        elif any(w in r["expr"] for w in LUKEWARM):
            dropped.append((r, "lukewarm"))
        elif "+" in p and p.split("+")[0] in LIGHT:
            dropped.append((r, f"starts with a light stem ({p})"))
        elif p in built_in:
            dropped.append((r, f"built in ({p})"))
        elif p.split("/")[0] in read_otherwise or p.split("+")[0] in polarity.INTENSIFIERS:
            dropped.append((r, f"read otherwise ({p})"))
        elif len(polarities[p]) > 1:
            dropped.append((r, f"both polarities ({p})"))
        elif p in seen:
            dropped.append((r, f"duplicate ({p})"))
        else:
            seen.add(p)
            kept.append((p, r["polarity"], r))
    return kept, dropped


def write(path: Path, kept: list[tuple[str, int, dict]]) -> None:
    lines = [
        "# pattern\tweight\texpression\tdomain: built by python -m eval.experiments.polarity_cues from "
        "eval/data/polarity/cue_lexicon.jsonl (do not edit by hand)"
    ]
    lines += [f"{p}\t{w}\t{r['expr']}\t{r.get('domain', '')}" for p, w, r in kept]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def reread(examples: list[str], analyzer) -> list[int]:
    """The examples' polarity by the rules as they load the lexicon file now on disk."""
    from rag.generation import aspects, polarity

    importlib.reload(polarity)
    importlib.reload(aspects)
    return [r.polarity for r in aspects.read_clauses(examples, analyzer)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    from rag.analyzer import KoreanAnalyzer

    analyzer = KoreanAnalyzer()
    rows = load_source(args.source)
    kept, dropped = build(rows, analyzer.kiwi)
    write(args.out, kept)
    if args.out == OUT:  # the rules read OUT: check the examples as the library will read them
        read = reread([r["example"] for _, _, r in kept], analyzer)
        failed = [(k, got) for k, got in zip(kept, read, strict=True) if got != k[1]]
        dropped += [(k[2], f"its example reads {got:+d} ({k[0]})") for k, got in failed]
        kept = [k for k, got in zip(kept, read, strict=True) if got == k[1]]
        write(args.out, kept)
        reread([], analyzer)
    reasons = Counter(reason.split(" (")[0] for _, reason in dropped)
    print(f"{len(rows)} expressions → {len(kept)} patterns in {args.out}; left out: {dict(reasons)}")
    print(f"by polarity: {dict(Counter(w for _, w, _ in kept))}; phrases: {sum('+' in p for p, _, _ in kept)}")
    for r, reason in dropped:
        print(f"  left out {r['expr']!r} ({r['polarity']:+d}): {reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
