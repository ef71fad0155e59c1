"""python -m eval — retrieval quality and speed, side by side with baselines, as a report folder.

    python -m eval [--quick] [--out reports/DATE] [--nsmc PATH] [--only demo,nsmc,behaviour,speed] [--no-progress]
    python -m eval --queries q.jsonl --judgements qrels.jsonl --index DIR   # your own query set

Writes report.md, metrics.json, runs.jsonl and PNG plots into --out. The exit status is non-zero only on errors,
never on low scores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shlex
import sys
from pathlib import Path

from rag.errors import ShoppingGuideError

from .datasets import DEMO_QUERIES, DatasetError
from .nsmc import NSMC_DEFAULT
from .report import write_report
from .runner import PARTS, EvalConfig, evaluate
from .spec_set import SPEC_QUERIES
from .systems import SYSTEMS


def _choices(value: str, valid: tuple[str, ...], what: str) -> tuple[str, ...]:
    picked = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in picked if v not in valid]
    if unknown or not picked:
        raise argparse.ArgumentTypeError(f"unknown {what} {unknown or value!r}; choose from {', '.join(valid)}")
    return picked


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a few minutes: 300 NSMC movies, small speed indexes")
    p.add_argument("--out", type=Path, default=None, help="report folder (default reports/YYYY-MM-DD[-quick])")
    p.add_argument("--nsmc", type=Path, default=NSMC_DEFAULT, help="NSMC reviews.tsv.gz")
    p.add_argument(
        "--only",
        type=lambda v: _choices(v, PARTS, "parts"),
        default=None,
        help=f"comma-separated parts to run, from {', '.join(PARTS)} (default: all but user; with --queries: user)",
    )
    p.add_argument(
        "--systems",
        type=lambda v: _choices(v, tuple(SYSTEMS), "systems"),
        default=tuple(SYSTEMS),
        help=f"comma-separated systems, from {', '.join(SYSTEMS)} (default: all)",
    )
    p.add_argument("--index", type=Path, help="your set's index; without --queries, a demo index to reuse")
    p.add_argument("--queries", type=Path, help="your queries (JSONL, see eval/README.md)")
    p.add_argument("--judgements", type=Path, help="your graded judgements (JSONL, see eval/README.md)")
    p.add_argument("--demo-queries", type=Path, default=DEMO_QUERIES, help="the demo query set (demo schema)")
    p.add_argument(
        "--spec-queries", type=Path, default=SPEC_QUERIES, help="the spec question set (eval/data/spec_queries)"
    )
    p.add_argument("--work", type=Path, help="where indexes are built and reused (default OUT/work)")
    p.add_argument("--seed", type=int, default=13, help="seed of the bootstrap and of every draw")
    p.add_argument(
        "--threads",
        type=int,
        default=None,
        help="OpenMP threads of the embedding model (OMP_NUM_THREADS); 1 keeps query latency sane on a busy machine",
    )
    p.add_argument(
        "--llm-model-path", type=Path, help="answers part: also answer with this local .gguf model (in-process)"
    )
    p.add_argument(
        "--llm-preset",
        help="answers part: also answer with this OpenAI-compatible preset (rag.llm.PRESETS; key from its env var)",
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars (also off when not a terminal)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    if (args.queries is None) != (args.judgements is None):
        p.error("--queries and --judgements go together")
    if args.queries is not None and args.index is None:
        p.error("--queries needs --index DIR: the index your judgements refer to")
    if args.only is None:
        args.only = ("user",) if args.queries is not None else tuple(x for x in PARTS if x != "user")
    if "user" in args.only and args.queries is None:
        p.error("--only user needs --queries, --judgements and --index")
    if args.llm_model_path is not None and args.llm_preset is not None:
        p.error("--llm-model-path and --llm-preset: choose one")
    if args.out is None:
        args.out = Path("reports") / (dt.date.today().isoformat() + ("-quick" if args.quick else ""))
    return args


def _llm_config(args: argparse.Namespace):
    from rag.llm import LLMConfig, config_from_preset

    if args.llm_model_path is not None:
        if not args.llm_model_path.is_file():
            raise FileNotFoundError(f"--llm-model-path {args.llm_model_path}: no such file (a local .gguf model)")
        return LLMConfig(backend="gguf", model_path=str(args.llm_model_path))
    return config_from_preset(args.llm_preset) if args.llm_preset else None


def config_from_args(args: argparse.Namespace) -> EvalConfig:
    from dataclasses import replace

    from rag.settings import Settings

    from .retrieval import ScoreSettings

    # one configuration from the flags (rag.settings); eval varies the ranking itself (eval/systems.py)
    settings = Settings(llm=_llm_config(args), embedder_threads=args.threads)
    config = EvalConfig.preset(
        args.out,
        quick=args.quick,
        parts=args.only,
        nsmc=args.nsmc,
        index=args.index,
        demo_queries=args.demo_queries,
        spec_queries=args.spec_queries,
        queries=args.queries,
        judgements=args.judgements,
        systems=args.systems,
        score=ScoreSettings(seed=args.seed),
        work=args.work,
        llm=settings.llm,
    )
    return replace(
        config,
        heldout=replace(config.heldout, seed=args.seed),
        behaviour=replace(config.behaviour, seed=args.seed),
        speed=replace(config.speed, seed=args.seed),
    )


def tqdm_progress(enabled: bool):
    from tqdm import tqdm

    def factory(total: int, desc: str):
        return tqdm(total=total, desc=f"{desc:>12s}", disable=not enabled, leave=False, dynamic_ncols=True)

    return factory


def main(argv: list[str] | None = None, analyzer=None, embedder=None) -> int:
    """`analyzer`/`embedder` let a caller (the tests) share loaded models."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    import bm25s  # noqa: F401  (it sets DEBUG on its logger at import: import first, then quieten it)

    for name in ("bm25s", "faiss", "faiss.loader"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if args.threads is not None:
        if args.threads < 1:
            print(f"error: --threads must be ≥ 1, got {args.threads}", file=sys.stderr)
            return 2
        os.environ["OMP_NUM_THREADS"] = str(args.threads)  # read when the embedding model loads, below
    command = "python -m eval " + " ".join(shlex.quote(a) for a in (sys.argv[1:] if argv is None else argv))
    try:
        config = config_from_args(args)
        progress = tqdm_progress(not args.no_progress and sys.stderr.isatty())
        results = evaluate(config, analyzer=analyzer, embedder=embedder, progress=progress)
        written = write_report(results, config.out, command)
    except (DatasetError, ShoppingGuideError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"report: {written['report']}")
    print(f"metrics: {written['metrics']}")
    for name, data in results.get("datasets", {}).items():
        print(
            f"{name}: "
            + ", ".join(
                f"{key} MRR@10 {s['metrics']['mrr@10']['mean']:.3f}"
                for key, s in data["systems"].items()
                if s["metrics"]["mrr@10"]["mean"] == s["metrics"]["mrr@10"]["mean"]
            )
        )
    for label, a in (results.get("answers") or {}).get("generators", {}).items():
        print(
            f"answers ({label}): citation validity {a['citations']['validity']}, numeric faithfulness "
            f"{a['numbers']['faithfulness']}, no-answer {a['no_answer']['correct']}/{a['no_answer']['queries']}, "
            f"p50 {a['latency_ms']['p50']} ms"
        )
    for split, data in ((results.get("specs") or {}).get("splits") or {}).items():
        o = data["overall"]
        print(f"specs ({split}): {spec_line(o)}")
    return 0


def spec_line(o: dict) -> str:
    """One line of the spec part's overall numbers."""

    def mean(cell) -> str:
        return "–" if not cell or cell.get("mean") is None else f"{cell['mean']:.3f}"

    nc = o["not_carried"]
    return (
        f"top-1 {mean(o['top1'])}, nDCG@5 {mean(o['ndcg@5'])}, violations {o['violations']['count']}, "
        f"contradictions {o['contradictions']['count']}, out-of-catalog recall {mean(nc['recall'])} precision "
        f"{mean(nc['precision'])}, false not-carried {mean(nc['false_rate'])}, sold-out said {mean(o['sold_out_said'])}"
    )


if __name__ == "__main__":
    sys.exit(main())
