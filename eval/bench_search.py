"""Search latency: p50/p95 of search+rank next to the query embedding alone, measured in one run.

    python -m eval.bench_search --index indexes/demo [--queries eval/data/demo_queries.jsonl] [--repeat 3]
    python -m eval.bench_search --index indexes/nsmc --nsmc ../shared/data/nsmc/reviews.tsv.gz --n 300
    python -m eval.bench_search --index NEW_INDEX --against OLD_TREE --against-index OLD_INDEX [--rounds 6]

Old against new (`--against`): a checkout of older code (`git worktree add /tmp/old <commit>`) and its own index of
the same data; one warm searcher process per side, driven alternately round by round from this one invocation (so
both see the same machine load), each round the whole query list once; prints each side's p50/p95 over all rounds
and the ratio new/old of the p50s, with the per-round ratios' spread.

Queries: the demo query set, or NSMC reviews (the first `--n` with ≥ 10 characters, from a seeded draw).
Prints p50/p95 of the whole `ProductSearcher.search` (parse, filter, BM25, embed, FAISS, fuse, rank,
evidence), of the query embedding alone, of everything but the embedding, and the ratio of the last to the
embedding (target ≤ 1).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from rag.index.store import HybridIndex
from rag.search import ProductSearcher


def demo_queries(path: Path) -> list[str]:
    return [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def nsmc_queries(path: Path, n: int, seed: int = 13) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        texts = [row[5] for i, row in zip(range(200_000), reader, strict=False) if len(row) == 6 and len(row[5]) >= 10]
    return random.Random(seed).sample(texts, n)


def percentiles(ms: list[float]) -> tuple[float, float]:
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 95))


def rss_mb() -> float:
    """This process's resident memory now (Linux /proc), in MB; 0 where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def disk_mb(index_path: Path) -> float:
    """Size of the index's files on disk (the published version the folder points at)."""
    folder = Path(index_path).resolve()
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def run(index_path: Path, queries: list[str], repeat: int = 3, top_k: int = 5) -> dict:
    before = rss_mb()
    start = time.perf_counter()
    index = HybridIndex.open(index_path)
    searcher = ProductSearcher(index)
    open_s = time.perf_counter() - start
    opened_mb = rss_mb() - before
    for q in queries[:5]:  # warm-up
        searcher.search(q, top_k=top_k)
    total, embed, rest = [], [], []
    stages: dict[str, list[float]] = {}
    early = 0
    for _ in range(repeat):
        for q in queries:
            t = time.perf_counter()
            result = searcher.search(q, top_k=top_k)
            total.append((time.perf_counter() - t) * 1000)
            if "embed" not in result.timings:  # nothing satisfied the constraints: answered before any search
                early += 1
                continue
            for name, ms in result.timings.items():
                stages.setdefault(name, []).append(ms)
            embed.append(result.timings["embed"])
            rest.append(total[-1] - result.timings["embed"])
    alone = []
    for q in queries:
        t = time.perf_counter()
        index.embedder.embed_query_array(q)
        alone.append((time.perf_counter() - t) * 1000)
    return {
        "index": str(index_path),
        "reviews": index.counts()["reviews"],
        "dense": index.counts()["dense_vectors"],
        "queries": len(queries),
        "runs": len(total),
        "answered_before_search": early,
        "open_s": open_s,
        "disk_mb": disk_mb(index_path),
        "rss_open_mb": opened_mb,  # memory the opened index and searcher hold (models already loaded count once)
        "search": percentiles(total),
        "embed_in_search": percentiles(embed),
        "embed_alone": percentiles(alone),
        "rest": percentiles(rest),
        "stages": {name: percentiles(ms) for name, ms in stages.items()},
    }


# one side of --against: a warm searcher in its own process (its own checkout's `rag` on sys.path via the cwd),
# answering "run" with one JSON line of per-query milliseconds over the whole query list
_WORKER = """
import json, sys, time
from rag.index.store import HybridIndex
from rag.search import ProductSearcher
queries = json.loads(sys.stdin.readline())
searcher = ProductSearcher(HybridIndex.open(sys.argv[1]))
for q in queries[:5]:
    searcher.search(q, top_k=5)
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    ms = []
    for q in queries:
        t = time.perf_counter()
        searcher.search(q, top_k=5)
        ms.append((time.perf_counter() - t) * 1000)
    print(json.dumps(ms), flush=True)
"""


def compare(new_index: Path, old_tree: Path, old_index: Path, queries: list[str], rounds: int = 6) -> dict:
    """p50/p95 of `ProductSearcher.search` for this checkout and `old_tree`, rounds interleaved (new, old, old, new …
    so neither side always runs first)."""
    sides = {"new": (Path.cwd(), new_index), "old": (old_tree, old_index)}
    procs = {}
    for name, (tree, index) in sides.items():
        proc = subprocess.Popen(
            [sys.executable, "-c", _WORKER, str(Path(index).resolve())],
            cwd=tree,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        proc.stdin.write(json.dumps(queries) + "\n")
        proc.stdin.flush()
        procs[name] = proc
    for name, proc in procs.items():
        if not json.loads(proc.stdout.readline() or "{}").get("ready"):
            raise RuntimeError(f"the {name} side ({sides[name][0]}) did not start; run it alone to see why")
    ms: dict[str, list[float]] = {"new": [], "old": []}
    round_ratios = []
    for i in range(rounds):
        p50s = {}
        for name in ("new", "old") if i % 2 == 0 else ("old", "new"):
            procs[name].stdin.write("run\n")
            procs[name].stdin.flush()
            got = json.loads(procs[name].stdout.readline())
            ms[name] += got
            p50s[name] = float(np.percentile(got, 50))
        round_ratios.append(p50s["new"] / p50s["old"])
    for proc in procs.values():
        proc.stdin.close()
        proc.wait(timeout=60)
    new, old = percentiles(ms["new"]), percentiles(ms["old"])
    return {
        "queries": len(queries),
        "rounds": rounds,
        "new": {"tree": str(Path.cwd()), "index": str(new_index), "p50": new[0], "p95": new[1]},
        "old": {"tree": str(old_tree), "index": str(old_index), "p50": old[0], "p95": old[1]},
        "ratio_p50": new[0] / old[0],
        "round_ratios": round_ratios,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=Path("eval/data/demo_queries.jsonl"))
    parser.add_argument("--nsmc", type=Path, help="draw queries from this NSMC file instead")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", type=Path, help="a checkout of older code to compare with, in one run")
    parser.add_argument("--against-index", type=Path, help="the older code's index of the same data")
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    queries = nsmc_queries(args.nsmc, args.n) if args.nsmc else demo_queries(args.queries)
    if args.against is not None:
        if args.against_index is None:
            parser.error("--against needs --against-index (the older code's own index of the same data)")
        c = compare(args.index, args.against, args.against_index, queries, args.rounds)
        print(f"{c['queries']} queries × {c['rounds']} rounds, interleaved; p50 / p95 ms of ProductSearcher.search")
        print(f"new {c['new']['tree']}: {c['new']['p50']:.1f} / {c['new']['p95']:.1f}")
        print(f"old {c['old']['tree']}: {c['old']['p50']:.1f} / {c['old']['p95']:.1f}")
        spread = f"{min(c['round_ratios']):.2f}–{max(c['round_ratios']):.2f}"
        print(f"new/old p50: {c['ratio_p50']:.2f} (per round {spread})")
        return
    r = run(args.index, queries, args.repeat)
    print(
        f"index {r['index']}: {r['reviews']:,} reviews, {r['dense']:,} dense vectors, {r['disk_mb']:.0f} MB on disk; "
        f"opened in {r['open_s']:.2f} s, +{r['rss_open_mb']:.0f} MB resident"
    )
    print(
        f"{r['runs']} searches ({r['queries']} queries × {args.repeat}); {r['answered_before_search']} had no "
        "product satisfying their constraints and returned before searching (in 'all' only)"
    )
    print(f"{'':28s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for name, key in [
        ("search + rank (all)", "search"),
        ("query embedding, in search", "embed_in_search"),
        ("query embedding alone", "embed_alone"),
        ("everything but embedding", "rest"),
    ]:
        p50, p95 = r[key]
        print(f"{name:28s} {p50:8.1f} {p95:8.1f}")
    print("stages of the searches that ran them: " + ", ".join(f"{k} {v[0]:.1f}" for k, v in r["stages"].items()))
    print(f"everything-but-embedding / embedding (p50): {r['rest'][0] / r['embed_alone'][0]:.2f}")


if __name__ == "__main__":
    main()
