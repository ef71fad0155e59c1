"""Build rag/generation/polarity_lexicon.tsv: morpheme polarity weights learned from NSMC's star ratings.

    python -m eval.experiments.polarity_lexicon [--data ../shared/data] [--per-class 75000] [--out PATH]

The rules of rag/generation/polarity.py read a clause by its cue words; where they find none, the reader falls back on
these weights (see `read_parts` there). They are learned, not written: NSMC reviews (movie talk, 1–10 stars) with
9–10 stars count as praise, 1–4 as complaint (5–8 are left out: lukewarm), excluding every review of the labelled
polarity set (eval/data/polarity/clauses.jsonl, by review id and by identical text, so duplicates of a labelled
review are out too) and empty or duplicate texts. A seeded sample of `per_class` reviews per side
(random.Random("12:lexicon")) is cut into kiwi morphemes with the project's analyzer; per content morpheme
(NNG, NNP, VV, VA, XR, MAG, SW) the weight is the log ratio of the share of praise reviews to the share of complaint
reviews that contain it (add-one smoothed), kept when ≥ MIN_COUNT reviews contain it and |weight| ≥ MIN_WEIGHT.
The file holds weights only, no review text.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import random
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
LABELS = ROOT / "eval" / "data" / "polarity" / "clauses.jsonl"
OUT = ROOT / "rag" / "generation" / "polarity_lexicon.tsv"
TAGS = frozenset({"NNG", "NNP", "VV", "VA", "XR", "MAG", "SW"})
MIN_COUNT, MIN_WEIGHT, MAX_WEIGHT = 30, 0.4, 3.0


def labelled_ids(path: Path = LABELS) -> set[str]:
    """NSMC review ids that have a clause in the labelled set (every split)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["row_id"] for r in rows if r["source"] == "nsmc"}


def training_reviews(data: Path, held_out: set[str]) -> tuple[list[str], list[str]]:
    """(praise texts, complaint texts): 9–10 and 1–4 stars, none of `held_out` nor any text equal to one of theirs."""
    rows = []
    with gzip.open(data / "nsmc" / "reviews.tsv.gz", "rt", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows.append((r["review_id"], int(r["rating"]), (r["review"] or "").strip()))
    banned = {text for rid, _, text in rows if rid in held_out}
    seen: set[str] = set()
    pos, neg = [], []
    for rid, rating, text in rows:
        if not text or rid in held_out or text in banned or text in seen or 5 <= rating <= 8:
            continue
        seen.add(text)
        (pos if rating >= 9 else neg).append(text)
    return pos, neg


def weights(pos_docs: list[set[str]], neg_docs: list[set[str]]) -> dict[str, float]:
    """key → log((df_pos + 1) / (n_pos + 2)) − log((df_neg + 1) / (n_neg + 2)), filtered and clipped."""
    df_pos, df_neg = Counter(k for d in pos_docs for k in d), Counter(k for d in neg_docs for k in d)
    n_pos, n_neg = len(pos_docs), len(neg_docs)
    out = {}
    for key in df_pos.keys() | df_neg.keys():
        p, n = df_pos[key], df_neg[key]
        if p + n < MIN_COUNT:
            continue
        w = math.log((p + 1) / (n_pos + 2)) - math.log((n + 1) / (n_neg + 2))
        if abs(w) >= MIN_WEIGHT:
            out[key] = round(max(-MAX_WEIGHT, min(MAX_WEIGHT, w)), 2)
    return out


def morpheme_sets(texts: list[str], kiwi) -> list[set[str]]:
    out = []
    for tokens in kiwi.tokenize(texts):
        out.append({f"{t.form.lower()}/{t.tag.split('-')[0]}" for t in tokens if t.tag.split("-")[0] in TAGS})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--per-class", type=int, default=75_000)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    from rag.analyzer import KoreanAnalyzer

    pos, neg = training_reviews(args.data, labelled_ids())
    rng = random.Random("12:lexicon")
    pos, neg = rng.sample(pos, min(args.per_class, len(pos))), rng.sample(neg, min(args.per_class, len(neg)))
    kiwi = KoreanAnalyzer().kiwi
    table = weights(morpheme_sets(pos, kiwi), morpheme_sets(neg, kiwi))
    lines = [
        "# morpheme polarity weights learned from NSMC star ratings (9-10 praise vs 1-4 complaint), no review text",
        f"# built by: python -m eval.experiments.polarity_lexicon --per-class {args.per_class}",
        f"# {len(pos)} praise and {len(neg)} complaint reviews; min count {MIN_COUNT}, min |weight| {MIN_WEIGHT}",
        "# morpheme/tag<TAB>weight (log ratio of praise to complaint document shares)",
    ]
    lines += [f"{key}\t{w}" for key, w in sorted(table.items())]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(table)} weights to {args.out} from {len(pos)} + {len(neg)} reviews")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
