"""Concurrent shoppers: N threads asking the guide at once, against one process and against two replicas.

    nice python -m eval.bench_load --index indexes/demo [--shoppers 1 4 8] [--questions 6] [--threads 1 2]

Each shopper asks `--questions` demo questions in turn through `ShoppingGuide.stream` (the app's path), with no
pause between them. "one process": all N shoppers are threads sharing one guide; "two replicas": two processes,
each opened on the same index folder, with N/2 shopper threads each (what two `streamlit run` processes behind a
balancer do; the Streamlit server itself is not in the loop). Prints p50/p95 of the time to the first streamed
piece and to the full answer, errors, and peak RSS per process. `--threads` is the app's `--threads`: the
embedder's and FAISS's threads per query, in every shopper thread (rag.embedders, rag.index.dense: OpenMP's count
is per thread); several values run one after the other in this run. The first piece is the first text
`ShoppingGuide.stream` yields (the grounded composer writes its answer after the search, so first piece and full
answer differ by the streaming of its pieces). Each row prints the load average before it: on a shared machine
compare rows of one run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import threading
import time
from pathlib import Path

import numpy as np

from rag.guide import ShoppingGuide
from rag.index.dense import set_search_threads
from rag.settings import Settings


def _open(index: str, threads: int) -> ShoppingGuide:
    guide = ShoppingGuide.from_index(index, settings=Settings(embedder_threads=threads))  # as the app opens it
    set_search_threads(threads)
    for q in ("가습기 추천", "무선이어폰"):  # warm-up, as a served app is after its first visitor
        list(guide.stream(q))
    return guide


def _shop(guide: ShoppingGuide, questions: list[str], out: list, errors: list) -> None:
    for q in questions:
        started = time.perf_counter()
        try:
            pieces = guide.stream(q)
            next(pieces)
            first = time.perf_counter() - started
            for _ in pieces:
                pass
            out.append((first * 1000, (time.perf_counter() - started) * 1000))
        except Exception as exc:  # every failure is counted, none stops the run
            errors.append(f"{type(exc).__name__}: {exc}")


def _process(index: str, threads: int, shoppers: int, questions: list[str], ready, start, queue) -> None:
    guide = _open(index, threads)
    ready.put(True)
    times: list = []
    errors: list = []
    rotated = [questions[i % len(questions) :] + questions[: i % len(questions)] for i in range(shoppers)]
    workers = [threading.Thread(target=_shop, args=(guide, qs, times, errors)) for qs in rotated]
    start.wait()
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put({"times": times, "errors": errors, "rss_mb": rss_mb})


def run(index: str, shoppers: int, processes: int, questions: list[str], threads: int) -> dict:
    ctx = multiprocessing.get_context("spawn")
    ready, start, queue = ctx.Queue(), ctx.Event(), ctx.Queue()
    per = [shoppers // processes + (1 if i < shoppers % processes else 0) for i in range(processes)]
    procs = [ctx.Process(target=_process, args=(index, threads, n, questions, ready, start, queue)) for n in per if n]
    for p in procs:
        p.start()
    for _ in procs:  # every process has opened and warmed its guide before the clock starts
        ready.get(timeout=1800)
    started = time.perf_counter()
    start.set()
    results = [queue.get(timeout=1800) for _ in procs]
    wall = time.perf_counter() - started
    for p in procs:
        p.join(timeout=60)
    times = np.array([t for r in results for t in r["times"]]).reshape(-1, 2)
    pct = lambda col, q: round(float(np.percentile(times[:, col], q)), 1) if len(times) else None  # noqa: E731
    return {
        "shoppers": shoppers,
        "processes": len(procs),
        "threads": threads,
        "answers": len(times),
        "errors": sum(len(r["errors"]) for r in results),
        "first_p50_ms": pct(0, 50),
        "first_p95_ms": pct(0, 95),
        "full_p50_ms": pct(1, 50),
        "full_p95_ms": pct(1, 95),
        "answers_per_s": round(len(times) / wall, 2),
        "rss_mb_per_process": [round(r["rss_mb"]) for r in results],
    }


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.bench_load", description=__doc__.split("\n\n")[0])
    p.add_argument("--index", default="indexes/demo")
    p.add_argument("--queries", type=Path, default=Path("eval/data/demo_queries.jsonl"))
    p.add_argument("--shoppers", type=int, nargs="+", default=[1, 4, 8])
    p.add_argument("--questions", type=int, default=6, help="questions each shopper asks")
    p.add_argument("--threads", type=int, nargs="+", default=[1])
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    lines = args.queries.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(x)["query"] for x in lines if x.strip()][: args.questions]
    rows = []
    print("| shoppers | processes | threads | answers | errors | first p50 / p95 ms | full p50 / p95 ms | answers/s | "
          "RSS MB per process | load before |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for threads in args.threads:
        for n in args.shoppers:
            for processes in (1, 2):
                if processes > n:
                    continue
                load = os.getloadavg()[0]
                r = run(args.index, n, processes, questions, threads)
                r["load_before"] = load
                rows.append(r)
                print(f"| {r['shoppers']} | {r['processes']} | {threads} | {r['answers']} | {r['errors']} | "
                      f"{r['first_p50_ms']} / {r['first_p95_ms']} | {r['full_p50_ms']} / {r['full_p95_ms']} | "
                      f"{r['answers_per_s']} | {', '.join(map(str, r['rss_mb_per_process']))} | {load:.1f} |",
                      flush=True)  # fmt: skip
    if args.out:
        args.out.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
