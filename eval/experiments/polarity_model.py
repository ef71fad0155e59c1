"""Train and check the learned clause-polarity reader (rag/generation/polarity_model.py).

    python -m eval.experiments.polarity_model --validate      # train without dev3, score the ways to combine on dev3
    python -m eval.experiments.polarity_model --cv            # 5 folds over the train split: rules vs model
    python -m eval.experiments.polarity_model --build         # train on every tuning clause, write the model file

Training clauses: the tuning splits of eval/data/polarity/clauses.jsonl (dev, dev2; dev3 too for --build),
eval/data/polarity/train_clauses.jsonl (the fourth seeded draw, labelled blind by the file's rule, polarity only) and
the hand-written probe forms of tests/test_aspects.py (read from there: their one home) and the example clauses of
the written cue lexicon (eval/data/polarity/cue_lexicon.jsonl).
Never a held-out one (test, test2): clauses whose text equals a held-out clause's are dropped from training too.
`--validate` trains on dev + dev2 + train and scores on dev3, which neither the model nor (apart from the round-3
rules) the rules were fitted on: the rules alone, the model deciding every clause, the model deciding only where
the rules find no cue, and the model overriding the rules when its probability reaches a threshold.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "eval" / "data" / "polarity" / "clauses.jsonl"
TRAIN = ROOT / "eval" / "data" / "polarity" / "train_clauses.jsonl"
HELD_OUT = ("test", "test2")
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def readings(rows: Sequence[dict], analyzer) -> list[tuple[int, bool, list[str], int]]:
    """Per clause: (the rules' polarity with the lexicon fallback, whether they found a cue, the model's features,
    the rules' own verdict before the fallback)."""
    from rag.generation import polarity
    from rag.generation.aspects import _ASPECT_FORMS
    from rag.generation.morphemes import normalise
    from rag.generation.polarity_model import features

    out = []
    for row, tokens in zip(rows, analyzer.kiwi.tokenize([normalise(r["clause"]) or " " for r in rows]), strict=True):
        tokens = list(tokens)
        rule, _, cued, total = polarity.rule_reading(row["clause"], tokens, _ASPECT_FORMS)
        # never the shipped model here: it was trained on these very clauses
        shipped, _ = polarity.read_parts(row["clause"], tokens, _ASPECT_FORMS, use_model=False)
        out.append((shipped, cued, features(tokens, rule, cued, total), rule))
    return out


def combine(mode: str, shipped: int, cued: bool, rule: int, model, names: list[str], threshold: float) -> int:
    if mode == "rules":
        return shipped
    label, p = model.predict(names)
    if mode == "model":
        return label
    if mode == "cue-less":
        return label if not cued and not rule else shipped
    if mode == "zero":
        return label if not shipped and p >= threshold else shipped  # only where the rules give no verdict
    return label if p >= threshold else shipped  # "override"


def probes() -> list[dict]:
    """The hand-written probe forms of tests/test_aspects.py (`clause,polarity` parameters, labelled by hand before
    the rules ran on them): labelled clauses too, read from their one home, split "probe"."""
    import importlib
    import sys

    sys.path.insert(0, str(ROOT))
    module = importlib.import_module("tests.test_aspects")
    out = []
    for name in sorted(dir(module)):
        for mark in getattr(getattr(module, name), "pytestmark", []):
            if mark.name == "parametrize" and mark.args[0] == "clause,polarity":
                out += [{"clause": c, "polarity": p, "source": "probe", "split": "probe"} for c, p in mark.args[1]]
    return out


def cue_examples() -> list[dict]:
    """The example clauses of the written cue lexicon (eval/data/polarity/cue_lexicon.jsonl), each labelled with its
    expression's polarity (written so that the expression alone carries it), split "cue"."""
    from .polarity_cues import load_source

    return [{"clause": r["example"], "polarity": r["polarity"], "source": "cue", "split": "cue"} for r in load_source()]


def training_set(rows: Sequence[dict], train_rows: Sequence[dict], splits: set[str]) -> list[dict]:
    held = {r["clause"] for r in rows if r["split"] in HELD_OUT}
    return [r for r in list(rows) + list(train_rows) if r["split"] in splits and r["clause"] not in held]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate", action="store_true")
    parser.add_argument("--build", action="store_true")
    parser.add_argument("--cv", action="store_true", help="5 folds over the train split (text no rule was tuned on)")
    parser.add_argument("--share", type=float, default=1.0, help="--cv: train on this share of the other folds")
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args(argv)
    from rag.analyzer import KoreanAnalyzer
    from rag.generation.polarity_model import MODEL_PATH, train

    analyzer = KoreanAnalyzer()
    rows, train_rows = load(LABELS), load(TRAIN)
    if args.validate:
        fit = training_set(rows, train_rows + probes() + cue_examples(), {"dev", "dev2", "train", "probe", "cue"})
        check = [r for r in rows if r["split"] == "dev3"]
        fit_read, check_read = readings(fit, analyzer), readings(check, analyzer)
        model = train([x[2] for x in fit_read], [r["polarity"] for r in fit], l2=args.l2, epochs=args.epochs)
        gold = [r["polarity"] for r in check]
        print(f"trained on {len(fit)} clauses (dev, dev2, train), scored on dev3 ({len(check)}):")
        ways = [("rules", 0.0), ("model", 0.0), ("cue-less", 0.0)] + [("override", t) for t in THRESHOLDS]
        for mode, t in ways:
            got = [combine(mode, s, c, rule, model, f, t) for s, c, f, rule in check_read]
            acc = sum(g == p for g, p in zip(gold, got, strict=True)) / len(gold)
            by = {}
            for r, g, p in zip(check, gold, got, strict=True):
                by.setdefault(r["source"], []).append(g == p)
            per = ", ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in sorted(by.items()))
            print(f"  {mode:9s} {t:4.2f}  {acc:.3f}  ({per})")
    if args.cv:
        # the train split is text neither the rules nor the model saw: 5 folds of it, the model trained on the
        # tuning splits and the other four folds
        base = training_set(rows, probes() + cue_examples(), {"dev", "dev2", "dev3", "probe", "cue"})
        pool = training_set([], train_rows, {"train"})
        base_read, pool_read = readings(base, analyzer), readings(pool, analyzer)
        ways = [("rules", 0.0), ("model", 0.0), ("cue-less", 0.0)] + [("override", t) for t in THRESHOLDS]
        ways += [("zero", t) for t in THRESHOLDS]
        right = {w: 0 for w in ways}
        by_source: dict[tuple, dict[str, list[bool]]] = {w: {} for w in ways}
        for fold in range(5):
            fit = [k for k in range(len(pool)) if k % 5 != fold]
            fit = fit[: max(1, int(len(fit) * args.share))]  # --share: a learning curve over the train split
            check = [k for k in range(len(pool)) if k % 5 == fold]
            model = train(
                [x[2] for x in base_read] + [pool_read[k][2] for k in fit],
                [r["polarity"] for r in base] + [pool[k]["polarity"] for k in fit],
                l2=args.l2,
                epochs=args.epochs,
            )
            for mode, t in ways:
                for k in check:
                    s_, c, f, rule = pool_read[k]
                    ok = combine(mode, s_, c, rule, model, f, t) == pool[k]["polarity"]
                    right[(mode, t)] += ok
                    by_source[(mode, t)].setdefault(pool[k]["source"], []).append(ok)
        print(f"5-fold over the train split ({len(pool)} clauses; the model also trained on {len(base)} tuning ones):")
        for (mode, t), n in right.items():
            per = ", ".join(f"{k} {sum(v) / len(v):.3f}" for k, v in sorted(by_source[(mode, t)].items()))
            print(f"  {mode:9s} {t:4.2f}  {n / len(pool):.3f}  ({per})")
    if args.build:
        fit = training_set(
            rows, train_rows + probes() + cue_examples(), {"dev", "dev2", "dev3", "train", "probe", "cue"}
        )
        fit_read = readings(fit, analyzer)
        model = train([x[2] for x in fit_read], [r["polarity"] for r in fit], l2=args.l2, epochs=args.epochs)
        model.save(MODEL_PATH, f"built by python -m eval.experiments.polarity_model --build from {len(fit)} clauses")
        print(f"wrote {MODEL_PATH} ({len(model.weights)} features, {len(fit)} clauses)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
