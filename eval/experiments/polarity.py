"""Review-clause polarity and aspects: the old cue-substring code against the new morpheme rules, side by side.

    python -m eval.experiments.polarity [--labels eval/data/polarity/clauses.jsonl] [--old 2109f6f]
    python -m eval.experiments.polarity --draw OUT.jsonl     # re-draw the (unlabelled) clauses: the seeded rule

The labelled set is eval/data/polarity/clauses.jsonl (its README has the labelling rule). The old code is loaded
from git (`git show <old>:rag/aspects.py`) into a temporary module, so both run in one process on the same clauses.
Prints polarity accuracy and macro-F1 (positive / negative / neutral) and aspect accuracy (exact set per clause)
and micro-F1, per source and split (dev: the half the rules were tuned on; test: the other half).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.util
import json
import random
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "eval" / "data" / "polarity" / "clauses.jsonl"
DATA = ROOT.parent / "shared" / "data"
OLD_COMMIT = "2109f6f"
SEED = 12
# clauses drawn per source: one clause from each of this many drawn reviews
DRAW = {"naver_shopping": 120, "nsmc": 110, "demo": 120}
POLARITIES = (1, -1, 0)


def load_old(commit: str = OLD_COMMIT) -> ModuleType:
    """rag/aspects.py as of `commit`, imported as a module of the rag package (its relative imports resolve)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{commit}:rag/aspects.py"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"cannot read rag/aspects.py at {commit} from git in {ROOT}: {exc}; pass --old COMMIT") from exc
    name = f"rag._aspects_{commit}"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    module.__package__ = "rag"
    sys.modules[name] = module  # dataclasses look their module up while the class body runs
    exec(compile(source, f"{commit}:rag/aspects.py", "exec"), module.__dict__)
    return module


# ---- drawing the clauses (the seeded rule; run once, before labelling) ----


def _shopping_reviews(data: Path) -> list[tuple[str, float, str]]:
    with open(data / "naver_shopping_sample" / "reviews.csv", encoding="utf-8-sig", newline="") as f:
        return [(f"row{i}", float(r["rating"]), r["review"]) for i, r in enumerate(csv.DictReader(f), 1)]


def _nsmc_reviews(data: Path) -> list[tuple[str, float, str]]:
    with gzip.open(data / "nsmc" / "reviews.tsv.gz", "rt", encoding="utf-8", newline="") as f:
        return [(r["review_id"], float(r["rating"]), r["review"]) for r in csv.DictReader(f, delimiter="\t")]


def _demo_reviews() -> list[tuple[str, float, str]]:
    out = []
    for path in sorted((ROOT / "ingest" / "demo" / "data").glob("*.reviews.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            out.append((r["review_id"], float(r["rating"]), r["text"]))
    return out


def draw(old: ModuleType, data: Path = DATA, seed: int = SEED) -> list[dict]:
    """Per source: shuffle its reviews with Random(f"{seed}:{source}"), keep the first reviews that the old
    splitter cuts into ≥ 1 clause, one clause each (chosen by the same generator); alternate dev / test."""
    sources: dict[str, Callable[[], list[tuple[str, float, str]]]] = {
        "naver_shopping": lambda: _shopping_reviews(data),
        "nsmc": lambda: _nsmc_reviews(data),
        "demo": _demo_reviews,
    }
    rows = []
    for source, read in sources.items():
        rng = random.Random(f"{seed}:{source}")
        reviews = read()
        order = list(range(len(reviews)))
        rng.shuffle(order)
        kept = 0
        for i in order:
            if kept == DRAW[source]:
                break
            row_id, rating, text = reviews[i]
            parts = old.clauses(text)
            if not parts:
                continue
            k = rng.randrange(len(parts))
            split = "dev" if kept % 2 == 0 else "test"
            rows.append({"source": source, "row_id": row_id, "clause_no": k, "rating": rating, "split": split,
                         "clause": parts[k]})
            kept += 1
    return rows
