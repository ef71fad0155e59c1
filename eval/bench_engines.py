"""Ingest engines side by side: the local engine, and the Ray engine with 1 and 2 workers, on one NSMC slice.

    python -m eval.bench_engines --nsmc ../shared/data/nsmc/reviews.tsv.gz --reviews 2000 --dense-budget 300 \
        [--workers 1 2] [--out eval/reports/engines.json]

Writes the first `--reviews` NSMC rows as a TSV in a temporary folder, ingests it with each engine into its own
index (the same coverage budget), and prints seconds and documents per second per stage, the Ray overhead at one
worker (ray time / local time − 1 for analyze+embed), the scaling efficiency from 1 to 2 workers (t1 / (2·t2)),
and what embedding all 712,404 NSMC reviews (`--coverage all`) would take on N workers at the measured per-worker
rate. One local Ray instance serves every Ray run; its start-up is reported on its own. On a shared machine the
efficiency is a lower bound: a second worker competes with other people's processes for the same 2 cores.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import tempfile
import time
from pathlib import Path

from ingest.pipeline import IngestConfig, run_ingest
from rag.index.coverage import DenseCoverage

NSMC_REVIEWS = 712_404
STAGES = ("read+validate", "analyze", "embed", "stats", "write")


def write_slice(nsmc: Path, n: int, folder: Path) -> Path:
    out = folder / "reviews.tsv"
    with gzip.open(nsmc, "rt", encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8", newline="") as o:
        reader, writer = csv.reader(f, delimiter="\t"), csv.writer(o, delimiter="\t")
        for _, row in zip(range(n + 1), reader, strict=False):
            writer.writerow(row)
    return out


def one_run(source: Path, index: Path, engine: str, workers: int, budget: int) -> dict:
    config = IngestConfig(sources=(str(source),), index=index, engine=engine, workers=workers,
                          coverage=DenseCoverage(budget=budget))  # fmt: skip
    started = time.perf_counter()
    result = run_ingest(config)
    total = time.perf_counter() - started
    counts = result.build.counts
    return {
        "engine": engine,
        "workers": workers if engine == "ray" else 1,
        "total_s": round(total, 2),
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "documents": counts["documents"],
        "dense": counts["dense_vectors"],
        "rates": {k: round(v, 1) for k, v in result.build.rates.items()},
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.bench_engines", description=__doc__.split("\n\n")[0])
    p.add_argument("--nsmc", type=Path, default=Path("../shared/data/nsmc/reviews.tsv.gz"))
    p.add_argument("--reviews", type=int, default=2000)
    p.add_argument("--dense-budget", type=int, default=300)
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    import ray

    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        folder = Path(tmp)
        source = write_slice(args.nsmc, args.reviews, folder)
        runs = [one_run(source, folder / "local", "local", 1, args.dense_budget)]
        started = time.perf_counter()
        ray.init(num_cpus=max(args.workers) + 1, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - started
        try:
            for n in args.workers:
                runs.append(one_run(source, folder / f"ray{n}", "ray", n, args.dense_budget))
        finally:
            ray.shutdown()

    print(f"NSMC slice: {args.reviews:,} reviews, dense budget {args.dense_budget}; local Ray start {ray_start:.1f}s "
          "(not in the runs); the machine was shared, so compare rows of this run only")  # fmt: skip
    header = " | ".join(f"{s} s" for s in STAGES)
    print(f"| engine | workers | {header} | analyze docs/s | embed docs/s | total s |")
    print("|---|---:|" + "---:|" * (len(STAGES) + 3))
    for r in runs:
        stages = " | ".join(f"{r['seconds'].get(s, 0):.1f}" for s in STAGES)
        print(f"| {r['engine']} | {r['workers']} | {stages} | {r['rates'].get('analyze', 0):,.0f} | "
              f"{r['rates'].get('embed', 0):,.1f} | {r['total_s']:.1f} |")  # fmt: skip
    local = runs[0]
    heavy = {r["engine"] + str(r["workers"]): r["seconds"]["analyze"] + r["seconds"]["embed"] for r in runs}
    summary = {}
    if "ray1" in heavy:
        summary["ray_overhead_1_worker"] = heavy["ray1"] / heavy["local1"] - 1
    if "ray1" in heavy and "ray2" in heavy:
        summary["efficiency_1_to_2"] = heavy["ray1"] / (2 * heavy["ray2"])
    per_worker = next((r["rates"]["embed"] for r in runs if r["engine"] == "ray" and r["workers"] == 1), None)
    if per_worker:
        # N workers at the measured 1→2 efficiency (1 when only one worker count was measured)
        eff = summary.get("efficiency_1_to_2", 1.0)
        summary["full_nsmc_embed_hours"] = {
            n: round(NSMC_REVIEWS / (per_worker * (1 if n == 1 else n * eff)) / 3600, 1) for n in (1, 2, 8, 32)
        }
    print(json.dumps(summary, indent=2))
    print(f"local embed rate {local['rates'].get('embed', 0):.1f} docs/s")
    if args.out:
        args.out.write_text(json.dumps({"runs": runs, "summary": summary}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
