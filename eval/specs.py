"""The spec question set through `ShoppingGuide.ask`: do shown products respect specs and polarity, is "not
carried" said when (and only when) it should be, is a sold-out best match named?

The questions and their gold come from `eval/data/spec_queries/queries.jsonl` (rule: its README; generator:
`eval/spec_set.py`). Every check reads the Answer's structured fields (`recommendations`, `not_carried`,
`sold_out`), never its prose, and judges shown products with eval's own reader (`eval/spec_reader.py`) over the
catalog's raw attribute strings:

- top-1 accuracy: the first shown product has the question's highest grade (over questions with a gold product);
- nDCG@5 over the shown products (grades as gains);
- hard-spec violations: a shown product whose value of a spec's key reads as a quantity of the spec's dimension
  that breaks the bound (unreadable or missing: not a violation); a count, and a share of shown products;
- contradictions: a shown product reading the opposite polarity of a required one (unknown: not one); the rate is
  over questions that state the polarity (a use case only implies it: its count is kept per question only);
- out-of-catalog: recall = `not_carried` said on out-of-catalog questions; precision = share of questions where it
  was said that are out-of-catalog; false "not carried" = said on in-catalog questions; also the share of
  out-of-catalog questions where nothing was shown;
- sold-out said: the sold-out best match is in `Answer.sold_out`.
Every mean has a 95 % bootstrap interval over questions (`eval.metrics.bootstrap_interval`), per kind and overall,
per split (dev: tune on it; test: report only).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.index.build import ProgressFactory, no_progress

from .datasets import DatasetError
from .metrics import bootstrap_interval, ndcg_at_k
from .spec_reader import binary_keys, read_polarity, read_quantity
from .spec_set import SPEC_QUERIES

KINDS: tuple[str, ...] = ("threshold", "superlative", "polarity", "use_case", "sold_out", "out_of_catalog")
SPLITS: tuple[str, ...] = ("dev", "test")
SHOWN = 5  # products asked for (ShoppingGuide's top_k): nDCG@5 and the checks are over what an answer shows
_OPS = {
    "<=": lambda v, b: v <= b,
    "<": lambda v, b: v < b,
    ">=": lambda v, b: v >= b,
    ">": lambda v, b: v > b,
}


@dataclass(frozen=True)
class SpecQuestion:
    query_id: str
    text: str
    kind: str
    split: str
    category: str | None
    relevant: dict[str, float]
    specs: tuple[dict, ...] = ()  # {key, op, value (canonical), dim, unit, label}
    polarity: tuple[dict, ...] = ()  # {key, wanted}
    sold_out: tuple[str, ...] = ()
    not_carried: str | None = None

    @property
    def out_of_catalog(self) -> bool:
        return self.not_carried is not None


def load_spec_questions(path: Path = SPEC_QUERIES) -> list[SpecQuestion]:
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"{path}: no such file (write it with python -m eval.spec_set)")
    out = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            gold = row["gold"]
            q = SpecQuestion(
                query_id=str(row["query_id"]),
                text=str(row["query"]),
                kind=str(row["kind"]),
                split=str(row["split"]),
                category=row.get("category"),
                relevant={str(k): float(v) for k, v in row.get("relevant", {}).items()},
                specs=tuple(gold.get("specs") or ()),
                polarity=tuple(gold.get("polarity") or ()),
                sold_out=tuple(gold.get("sold_out") or ()),
                not_carried=gold.get("not_carried"),
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise DatasetError(
                f"{path} line {line_no}: not a spec question ({type(exc).__name__}: {exc}); "
                "regenerate it with python -m eval.spec_set"
            ) from None
        if q.kind not in KINDS or q.split not in SPLITS:
            raise DatasetError(f"{path} line {line_no}: kind {q.kind!r} / split {q.split!r}; kinds {KINDS}, {SPLITS}")
        out.append(q)
    if not out:
        raise DatasetError(f"{path}: no questions")
    return out


# ---- judging one answer ----


@dataclass
class SpecRun:
    """What one answer showed and said (structured fields only)."""

    query_id: str
    shown: list[str]
    not_carried: str | None = None
    sold_out: list[str] = field(default_factory=list)
    ms: float = 0.0


@dataclass
class Catalog:
    """Raw attributes per product and which keys are binary (read negative somewhere) in each category."""

    attributes: dict[str, Mapping[str, object]]
    category: dict[str, str]
    binary: dict[str, set[str]]

    @classmethod
    def of(cls, products: Sequence) -> Catalog:
        attributes = {p.product_id: dict(p.attributes or {}) for p in products}
        category = {p.product_id: p.category for p in products}
        by_category: dict[str, list[Mapping]] = {}
        for p in products:
            by_category.setdefault(p.category, []).append(attributes[p.product_id])
        return cls(attributes, category, {c: set(binary_keys(a)) for c, a in by_category.items()})


def count_violations(question: SpecQuestion, shown: Sequence[str], catalog: Catalog) -> int:
    bad = 0
    for pid in shown:
        attrs = catalog.attributes.get(pid, {})
        for spec in question.specs:
            q = read_quantity(attrs.get(spec["key"]))
            if q is not None and q.dimension == spec["dim"] and not _OPS[spec["op"]](q.canonical, spec["value"]):
                bad += 1
                break  # one product breaking two specs is one violating product
    return bad


def count_contradictions(question: SpecQuestion, shown: Sequence[str], catalog: Catalog) -> int:
    bad = 0
    for pid in shown:
        attrs = catalog.attributes.get(pid, {})
        binary = catalog.binary.get(catalog.category.get(pid, ""), set())
        for req in question.polarity:
            if read_polarity(req["key"], attrs.get(req["key"]), req["key"] in binary) is (not req["wanted"]):
                bad += 1
                break
    return bad


@dataclass
class SpecScore:
    query_id: str
    kind: str
    split: str
    shown: list[str]
    top1: float | None  # None: no gold product (out-of-catalog)
    ndcg5: float | None
    violations: int
    contradictions: int
    said_not_carried: bool
    out_of_catalog: bool
    sold_out_said: bool | None  # None: not a sold-out question
    has_specs: bool
    has_polarity: bool


def score_question(question: SpecQuestion, run: SpecRun, catalog: Catalog) -> SpecScore:
    shown = run.shown[:SHOWN]
    answerable = any(g > 0 for g in question.relevant.values())
    top1 = ndcg = None
    if answerable:
        best = max(question.relevant.values())
        top1 = float(bool(shown) and question.relevant.get(shown[0], 0) == best)
        ndcg = ndcg_at_k(shown, question.relevant, SHOWN)
    return SpecScore(
        query_id=question.query_id,
        kind=question.kind,
        split=question.split,
        shown=shown,
        top1=top1,
        ndcg5=ndcg,
        violations=count_violations(question, shown, catalog),
        contradictions=count_contradictions(question, shown, catalog),
        said_not_carried=bool(run.not_carried),
        out_of_catalog=question.out_of_catalog,
        sold_out_said=set(question.sold_out) <= set(run.sold_out) if question.sold_out else None,
        has_specs=bool(question.specs),
        # a use case implies its polarity without stating it: counted per question, not in the contradiction rate
        has_polarity=bool(question.polarity) and question.kind != "use_case",
    )


# ---- summaries ----


@dataclass(frozen=True)
class IntervalSettings:
    resamples: int = 1000
    seed: int = 13
    confidence: float = 0.95


def _ci(values: Sequence[float], s: IntervalSettings, weights: Sequence[float] | None = None) -> dict:
    if not values:
        return {"mean": None, "low": None, "high": None, "n": 0}
    mean, low, high = bootstrap_interval(values, weights, s.resamples, s.confidence, s.seed)
    return {"mean": mean, "low": low, "high": high, "n": len(values)}


def summarize_group(scores: Sequence[SpecScore], s: IntervalSettings) -> dict:
    ranked = [x for x in scores if x.top1 is not None]
    spec_q = [x for x in scores if x.has_specs]
    pol_q = [x for x in scores if x.has_polarity]
    ooc = [x for x in scores if x.out_of_catalog]
    in_catalog = [x for x in scores if not x.out_of_catalog]
    said = [x for x in scores if x.said_not_carried]
    sold = [x for x in scores if x.sold_out_said is not None]

    def share_of_shown(group: Sequence[SpecScore], attr: str) -> dict:
        counts = [getattr(x, attr) for x in group]
        shown = [len(x.shown) for x in group]
        rate = _ci([c / n if n else 0.0 for c, n in zip(counts, shown, strict=True)], s, shown) if sum(shown) else None
        return {"count": sum(counts), "shown": sum(shown), "questions": len(group), "rate": rate}

    return {
        "questions": len(scores),
        "top1": _ci([x.top1 for x in ranked], s),
        "ndcg@5": _ci([x.ndcg5 for x in ranked], s),
        "violations": share_of_shown(spec_q, "violations"),
        "contradictions": share_of_shown(pol_q, "contradictions"),
        "not_carried": {
            "recall": _ci([float(x.said_not_carried) for x in ooc], s),
            "precision": _ci([float(x.out_of_catalog) for x in said], s),
            "false_rate": _ci([float(x.said_not_carried) for x in in_catalog], s),
            "ooc_nothing_shown": _ci([float(not x.shown) for x in ooc], s),
            "said": len(said),
        },
        "sold_out_said": _ci([float(x.sold_out_said) for x in sold], s),
    }


def summarize(scores: Sequence[SpecScore], s: IntervalSettings) -> dict:
    """{split: {"overall": group, "by_kind": {kind: group}}} for dev and test."""
    out = {}
    for split in SPLITS:
        part = [x for x in scores if x.split == split]
        out[split] = {
            "overall": summarize_group(part, s),
            "by_kind": {k: summarize_group([x for x in part if x.kind == k], s) for k in KINDS},
        }
    return out


# ---- running ----


def run_questions(guide, questions: Sequence[SpecQuestion], progress: ProgressFactory = no_progress) -> list[SpecRun]:
    runs = []
    bar = progress(len(questions), "specs")
    for q in questions:
        started = time.perf_counter()
        answer = guide.ask(q.text)
        ms = (time.perf_counter() - started) * 1000
        shown = [r.product_id for r in answer.recommendations]
        runs.append(SpecRun(q.query_id, shown, answer.not_carried, list(answer.sold_out), ms))
        bar.update(1)
    bar.close()
    return runs


def evaluate_specs(
    index: Path,
    queries: Path,
    analyzer,
    embedder,
    settings: IntervalSettings | None = None,
    progress: ProgressFactory = no_progress,
) -> dict:
    """The part's numbers (metrics.json's `specs`)."""
    from rag.guide import ShoppingGuide

    settings = settings or IntervalSettings()
    questions = load_spec_questions(queries)
    guide = ShoppingGuide.from_index(index, analyzer=analyzer, embedder=embedder, top_k=SHOWN)
    try:
        catalog = Catalog.of(guide.searcher.view.products)
        runs = run_questions(guide, questions, progress)
    finally:
        guide.searcher.index.close()
    by_id = {r.query_id: r for r in runs}
    scores = [score_question(q, by_id[q.query_id], catalog) for q in questions]
    counts = {sp: {k: sum(1 for q in questions if q.split == sp and q.kind == k) for k in KINDS} for sp in SPLITS}
    ms = sorted(r.ms for r in runs)
    return {
        "queries": str(queries),
        "index": str(index),
        "rule": "eval/data/spec_queries/README.md",
        "splits_meaning": {"dev": "tune on it", "test": "report only; never tuned on"},
        "shown": SHOWN,
        "counts": counts,
        "splits": summarize(scores, settings),
        "latency_ms": {"p50": ms[len(ms) // 2], "p95": ms[min(len(ms) - 1, int(len(ms) * 0.95))]},
        "per_question": [
            {
                **{k: v for k, v in asdict(x).items() if k not in ("has_specs", "has_polarity")},
                "not_carried": by_id[x.query_id].not_carried,
                "sold_out": by_id[x.query_id].sold_out,
            }
            for x in scores
        ],
    }
