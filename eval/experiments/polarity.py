"""Review-clause polarity and aspects: the old cue-substring code against the new morpheme rules, side by side.

    python -m eval.experiments.polarity [--labels eval/data/polarity/clauses.jsonl] [--old 2109f6f] [--errors dev]
    python -m eval.experiments.polarity --speed              # also: old vs new summaries of the demo catalog, timed
    python -m eval.experiments.polarity --draw OUT.jsonl     # re-draw the (unlabelled) clauses: the seeded rule
    python -m eval.experiments.polarity --draw-more OUT.jsonl  # the second batch (dev2): the same walks continued
    python -m eval.experiments.polarity --draw-third OUT.jsonl  # the third batch (dev3 / test2): continued again
    python -m eval.experiments.polarity --no-test --errors dev3  # while tuning: dev, dev2 and dev3 only

The labelled set is eval/data/polarity/clauses.jsonl (its README has the labelling rule). The old code is loaded
from git (`git show <old>:rag/aspects.py`) into a temporary module, so both run in one process on the same clauses.
Prints polarity accuracy and macro-F1 (positive / negative / neutral) and aspect accuracy (exact set per clause)
and micro-F1, per source and split (dev, dev2, dev3: what the rules are tuned on, together `tune`; test, test2:
reported only, together `held`), for three systems: old (2109f6f), start (the session-start code, d493b6e) and
new (this tree).
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
# the code as this round's polarity session found it (rag/generation/aspects.py), the middle column of the tables
START_COMMIT, START_PATH = "d493b6e", "rag/generation/aspects.py"
SEED = 12
# clauses drawn per source: one clause from each of this many drawn reviews
DRAW = {"naver_shopping": 120, "nsmc": 110, "demo": 120}
# the second batch (split dev2): the same walks continued; naver_shopping has 216 reviews, so all that are left
DRAW_MORE = {"naver_shopping": 96, "nsmc": 100, "demo": 100}
# the third batch (splits dev3 / test2, alternating): the same walks continued past dev2; naver_shopping has no
# review left, so its share is the other clauses of the reviews whose drawn clause is in dev or dev2 (all to dev3:
# a sibling of a tuned-on clause is no held-out text)
DRAW_THIRD = {"nsmc": 300, "demo": 200}
# the fourth batch (split train, its own file train_clauses.jsonl, polarity only): the walks continued past the third
# batch, for the learned reader (rag/generation/polarity_model.tsv); demo: every review left
DRAW_TRAIN = {"nsmc": 1500, "demo": 100_000}
POLARITIES = (1, -1, 0)
TUNE = ("dev", "dev2", "dev3")  # what the rules may be tuned on (looked at clause by clause)
HELD_OUT = ("test", "test2")  # reported only, never looked at clause by clause


def load_old(commit: str = OLD_COMMIT, path: str = "rag/aspects.py") -> ModuleType:
    """`path` as of `commit`, imported as a module of its package (its relative imports resolve)."""
    try:
        source = subprocess.run(
            ["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        raise SystemExit(f"cannot read {path} at {commit} from git in {ROOT}: {exc}; pass --old COMMIT") from exc
    package = path.removesuffix(".py").replace("/", ".").rpartition(".")[0]
    name = f"{package}._aspects_{commit}"
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(name, loader=None))
    module.__package__ = package
    module.__file__ = str(ROOT / path)  # data files next to it (polarity_lexicon.tsv) resolve in this tree
    sys.modules[name] = module  # dataclasses look their module up while the class body runs
    exec(compile(source, f"{commit}:{path}", "exec"), module.__dict__)
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


def draw(
    old: ModuleType,
    data: Path = DATA,
    seed: int = SEED,
    more: dict[str, int] | None = None,
    third: dict[str, int] | None = None,
    train: dict[str, int] | None = None,
) -> list[dict]:
    """Per source: shuffle its reviews with Random(f"{seed}:{source}"), keep the first reviews that the old
    splitter cuts into ≥ 1 clause, one clause each (chosen by the same generator); alternate dev / test.

    With `more` (source → count), the walk goes on past the first DRAW[source] kept reviews, with the same shuffle
    and the same generator, for up to that many more (fewer when the source runs out), and only those are returned,
    in split `dev2`: every review already drawn is behind the walk, so none comes twice. With `third` the walk goes
    on past the second batch (DRAW_MORE) for that many more, alternating dev3 / test2, and only those are returned
    (plus `siblings`, for naver_shopping)."""
    if train is not None:
        third = DRAW_THIRD
    if third is not None:
        more = DRAW_MORE
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
        first = DRAW[source]
        second = first + (more or {}).get(source, 0)
        fourth = second + (third or {}).get(source, 0)
        total = fourth + (train or {}).get(source, 0)
        kept = 0
        for i in order:
            if kept == total:
                break
            row_id, rating, text = reviews[i]
            parts = old.clauses(text)
            if not parts:
                continue
            k = rng.randrange(len(parts))
            if kept >= fourth:
                split = "train"
            elif kept >= second:
                split = "dev3" if (kept - second) % 2 == 0 else "test2"
            else:
                split = "dev2" if kept >= first else ("dev" if kept % 2 == 0 else "test")
            if train is not None:
                wanted = {"train"}
            elif third is not None:
                wanted = {"dev3", "test2"}
            else:
                wanted = {"dev2"} if more is not None else {"dev", "test"}
            if split in wanted:
                rows.append(
                    {
                        "source": source,
                        "row_id": row_id,
                        "clause_no": k,
                        "rating": rating,
                        "split": split,
                        "clause": parts[k],
                    }
                )
            kept += 1
    if third is not None and train is None:
        rows += siblings(old, draw(old, data, seed) + draw(old, data, seed, more=DRAW_MORE), data)
    return rows


def siblings(old: ModuleType, drawn: Sequence[dict], data: Path = DATA) -> list[dict]:
    """The other clauses (by the old splitter) of the naver_shopping reviews whose drawn clause is in dev or dev2,
    in file order, split dev3. Reviews with a test clause give none (their text stays unseen)."""
    tuned = {r["row_id"]: r["clause_no"] for r in drawn if r["source"] == "naver_shopping" and r["split"] != "test"}
    rows = []
    for row_id, rating, text in _shopping_reviews(data):
        if row_id in tuned:
            for k, part in enumerate(old.clauses(text)):
                if k != tuned[row_id]:
                    rows.append({"source": "naver_shopping", "row_id": row_id, "clause_no": k, "rating": rating,
                                 "split": "dev3", "clause": part})  # fmt: skip
    return rows


# ---- scoring ----


@dataclass(frozen=True)
class Reading:
    """What a system says about one clause: its polarity and aspect → polarity."""

    polarity: int
    aspects: dict[str, int]


def macro_f1(gold: Sequence[int], pred: Sequence[int], classes: Sequence[int] = POLARITIES) -> float:
    """Mean over `classes` of each class's F1 (a class absent from both gold and predictions is left out)."""
    f1s = []
    for c in classes:
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if p == c and g != c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s) if f1s else 0.0


def _f1(gold: Sequence[set], pred: Sequence[set]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0


def score(rows: Sequence[dict], readings: Sequence[Reading]) -> dict[str, float]:
    """Polarity accuracy and macro-F1; aspect accuracy (the exact set of aspects per clause), aspect micro-F1 over
    (clause, aspect) and aspect+polarity micro-F1 over (clause, aspect, polarity): what the chips count."""
    gold_pol = [r["polarity"] for r in rows]
    pred_pol = [x.polarity for x in readings]
    gold_asp = [set(r["aspects"]) for r in rows]
    pred_asp = [set(x.aspects) for x in readings]
    n = len(rows)
    return {
        "n": n,
        "pol_acc": sum(g == p for g, p in zip(gold_pol, pred_pol, strict=True)) / n if n else 0.0,
        "pol_f1": macro_f1(gold_pol, pred_pol),
        "asp_acc": sum(g == p for g, p in zip(gold_asp, pred_asp, strict=True)) / n if n else 0.0,
        "asp_f1": _f1(gold_asp, pred_asp),
        "asp_pol_f1": _f1([set(r["aspects"].items()) for r in rows], [set(x.aspects.items()) for x in readings]),
    }


def old_readings(old: ModuleType, texts: Sequence[str]) -> list[Reading]:
    """The old code's reading: one polarity per clause from cue substrings, every aspect whose trigger is a substring
    gets it (what its review_mentions did, before the rating fallback)."""
    out = []
    for text in texts:
        polarity, low = old.clause_polarity(text), text.lower()
        out.append(Reading(polarity, {a: polarity for a, ts in old.ASPECTS.items() if any(t in low for t in ts)}))
    return out


def new_readings(texts: Sequence[str], analyzer=None, module: ModuleType | None = None) -> list[Reading]:
    """The morpheme reader's readings: this tree's, or `module`'s (an earlier version loaded with load_old)."""
    if module is None:
        from rag.generation import aspects as module
    return [Reading(r.polarity, dict(r.aspects)) for r in module.read_clauses(texts, analyzer)]


def load_labels(path: Path = LABELS) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        missing = {"source", "split", "clause", "polarity", "aspects"} - set(row)
        if missing or row["polarity"] not in POLARITIES:
            raise SystemExit(
                f"{path} line {n}: needs source, split, clause, polarity in (1, -1, 0), aspects; got {row}"
            )
        rows.append(row)
    return rows


def compare(rows: Sequence[dict], systems: dict[str, Sequence[Reading]]) -> list[dict]:
    """One table row per (split, source) group and system, groups: each split's sources, the split, and all."""
    groups: list[tuple[str, str, list[int]]] = []
    for split in ("dev", "dev2", "dev3", "test", "test2"):
        idx = [i for i, r in enumerate(rows) if r["split"] == split]
        for source in sorted({rows[i]["source"] for i in idx}):
            groups.append((split, source, [i for i in idx if rows[i]["source"] == source]))
        if idx:
            groups.append((split, "all", idx))
    tuned = [i for i, r in enumerate(rows) if r["split"] in TUNE]
    for source in sorted({rows[i]["source"] for i in tuned}):
        groups.append(("tune", source, [i for i in tuned if rows[i]["source"] == source]))
    groups.append(("tune", "all", tuned))  # dev + dev2 + dev3: what the rules may be tuned on
    held = [i for i, r in enumerate(rows) if r["split"] in HELD_OUT]
    if held and {rows[i]["split"] for i in held} != {HELD_OUT[0]}:
        for source in sorted({rows[i]["source"] for i in held}):
            groups.append(("held", source, [i for i in held if rows[i]["source"] == source]))
        groups.append(("held", "all", held))  # test + test2: reported only
    groups.append(("all", "all", list(range(len(rows)))))
    table = []
    for split, source, idx in groups:
        for name, readings in systems.items():
            metrics = score([rows[i] for i in idx], [readings[i] for i in idx])
            table.append({"split": split, "source": source, "system": name, **metrics})
    return table


SECOND = ROOT / "eval" / "data" / "polarity" / "second_annotator.jsonl"


def load_second(path: Path = SECOND) -> dict[str, int]:
    """id → polarity of a second annotator, who labelled some splits again, blind (no first labels, no code output)."""
    return {r["id"]: r["polarity"] for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}


def kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two label sequences."""
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b, strict=True)) / n
    expected = sum((a.count(c) / n) * (b.count(c) / n) for c in POLARITIES)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def agreement(rows: Sequence[dict], readings: Sequence[Reading], second: dict[str, int]) -> list[dict]:
    """Per split the second annotator labelled: first vs second annotator (agreement, kappa), the system against
    each, and the system on the clauses both annotators agree on."""
    out = []
    for split in dict.fromkeys(r["split"] for r in rows):
        idx = [i for i, r in enumerate(rows) if r["split"] == split and r["id"] in second]
        if not idx:
            continue
        first = [rows[i]["polarity"] for i in idx]
        other = [second[rows[i]["id"]] for i in idx]
        system = [readings[i].polarity for i in idx]
        both = [k for k, (x, y) in enumerate(zip(first, other, strict=True)) if x == y]
        out.append({
            "split": split, "n": len(idx),
            "agree": sum(x == y for x, y in zip(first, other, strict=True)) / len(idx), "kappa": kappa(first, other),
            "vs_first": sum(x == y for x, y in zip(system, first, strict=True)) / len(idx),
            "vs_second": sum(x == y for x, y in zip(system, other, strict=True)) / len(idx),
            "agreed": len(both), "on_agreed": sum(system[k] == first[k] for k in both) / len(both) if both else 0.0,
        })  # fmt: skip
    return out


def format_agreement(table: Sequence[dict]) -> str:
    head = f"{'split':5s} {'n':>4s} {'A~B':>6s} {'kappa':>6s} {'new~A':>6s} {'new~B':>6s} "
    head += f"{'agreed':>6s} {'new on agreed':>13s}"
    lines = [head, "-" * len(head)]
    for r in table:
        lines.append(
            f"{r['split']:5s} {r['n']:4d} {r['agree']:6.3f} {r['kappa']:6.3f} {r['vs_first']:6.3f} "
            f"{r['vs_second']:6.3f} {r['agreed']:6d} {r['on_agreed']:13.3f}"
        )
    return "\n".join(lines)


def format_table(table: Sequence[dict]) -> str:
    head = f"{'split':5s} {'source':15s} {'system':6s} {'n':>4s} {'pol acc':>8s} {'pol F1':>7s} "
    head += f"{'asp acc':>8s} {'asp F1':>7s} {'asp+pol F1':>10s}"
    lines = [head, "-" * len(head)]
    for r in table:
        lines.append(
            f"{r['split']:5s} {r['source']:15s} {r['system']:6s} {r['n']:4d} {r['pol_acc']:8.3f} {r['pol_f1']:7.3f} "
            f"{r['asp_acc']:8.3f} {r['asp_f1']:7.3f} {r['asp_pol_f1']:10.3f}"
        )
    return "\n".join(lines)


def speed(old: ModuleType, analyzer, repeats: int = 3, start: ModuleType | None = None) -> dict[str, float]:
    """Seconds to summarise every demo product's reviews (what the composer does once per product): the old code, the
    session-start code (when given), the new code with one kiwi call per product, and the new code one review at a
    time (best of `repeats`, the systems interleaved in each round so that machine load falls on all alike)."""
    import time

    from ingest.readers import discover
    from ingest.validate import validate
    from rag.generation.aspects import review_mentions, summarize

    by_product: dict[str, list] = {}
    for review in validate(discover(str(ROOT / "ingest" / "demo" / "data"))).reviews:
        by_product.setdefault(review.product_id, []).append(review)
    runs = {
        "old": lambda: [old.summarize(rs) for rs in by_product.values()],
        **(
            {"start, one kiwi call per product": lambda: [start.summarize(rs, analyzer) for rs in by_product.values()]}
            if start is not None
            else {}
        ),
        "new, one kiwi call per product": lambda: [summarize(rs, analyzer) for rs in by_product.values()],
        "new, one kiwi call per review": lambda: [
            review_mentions(r, analyzer) for rs in by_product.values() for r in rs
        ],
    }
    out = dict.fromkeys(runs, float("inf"))
    for _ in range(repeats):
        for name, run in runs.items():
            began = time.perf_counter()
            run()
            out[name] = min(out[name], time.perf_counter() - began)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--old", default=OLD_COMMIT, help="git commit of the old rag/aspects.py")
    parser.add_argument("--draw", type=Path, help="write the seeded, unlabelled draw here instead of scoring")
    parser.add_argument("--draw-more", type=Path, help="write the second seeded draw (split dev2) here instead")
    parser.add_argument("--draw-third", type=Path, help="write the third seeded draw (dev3 / test2) here instead")
    parser.add_argument("--draw-train", type=Path, help="write the fourth seeded draw (train) here instead")
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (for the --draw options)")
    parser.add_argument("--start", default=START_COMMIT, help="git commit of the session-start aspects.py ('' = skip)")
    parser.add_argument(
        "--errors", choices=TUNE, help="also list the new code's misses on this split (a tuning split only)"
    )
    parser.add_argument("--no-test", action="store_true", help="leave test and test2 out (while tuning)")
    parser.add_argument(
        "--second", type=Path, nargs="?", const=SECOND, help="also the second annotator's agreement (default file)"
    )
    parser.add_argument("--speed", action="store_true", help="also time old vs new summaries of the demo catalog")
    args = parser.parse_args(argv)
    old = load_old(args.old)
    if args.draw or args.draw_more or args.draw_third or args.draw_train:
        out = args.draw or args.draw_more or args.draw_third or args.draw_train
        more = DRAW_MORE if args.draw_more else None
        third = DRAW_THIRD if args.draw_third else None
        rows = draw(old, args.data, more=more, third=third, train=DRAW_TRAIN if args.draw_train else None)
        # ids as in the labelled file, so the labelled rows can be appended as they are
        if args.draw_more or args.draw_third or args.draw_train:
            rows = [{"id": f"{r['source']}:{r['row_id']}:{r['clause_no']}", **r} for r in rows]
        out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        print(f"wrote {len(rows)} clauses to {out}")
        return 0
    from rag.analyzer import KoreanAnalyzer

    rows = load_labels(args.labels)
    if args.no_test:
        rows = [r for r in rows if r["split"] not in HELD_OUT]
    texts = [r["clause"] for r in rows]
    analyzer = KoreanAnalyzer()
    new = new_readings(texts, analyzer)
    systems = {"old": old_readings(old, texts)}
    start = load_old(args.start, START_PATH) if args.start else None
    if start is not None:
        systems["start"] = new_readings(texts, analyzer, start)
    systems["new"] = new
    print(
        f"{len(rows)} labelled clauses from {args.labels}; old = rag/aspects.py at {args.old}, "
        f"start = {START_PATH} at {args.start or '-'}, new = this tree"
    )
    print(format_table(compare(rows, systems)))
    if args.speed:
        times = speed(old, analyzer, start=start)
        n = sum(1 for _ in (ROOT / "ingest" / "demo" / "data").glob("*.reviews.jsonl"))
        print(f"\nsummaries of every demo product ({n} review files), best of 3, one process (shared machine):")
        for name, seconds in times.items():
            ratio = (
                f", {seconds / times[base]:.2f}× start" if (base := "start, one kiwi call per product") in times else ""
            )
            print(f"  {name:34s} {seconds * 1000:8.1f} ms  ({seconds / times['old']:.1f}× old{ratio})")
    if args.second:
        print("\n" + format_agreement(agreement(rows, new, load_second(args.second))))
    if args.errors:
        for r, x in zip(rows, new, strict=True):
            if r["split"] == args.errors and (r["polarity"] != x.polarity or set(r["aspects"]) != set(x.aspects)):
                print(
                    f"{r['id']}\tgold {r['polarity']:+d} {r['aspects']}\tnew {x.polarity:+d} {x.aspects}\t{r['clause']}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
