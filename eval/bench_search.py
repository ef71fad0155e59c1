"""Search latency: p50/p95 of search+rank next to the query embedding alone, measured in one run.

    python -m eval.bench_search --index indexes/demo [--queries eval/data/demo_queries.jsonl] [--repeat 3]
    python -m eval.bench_search --index indexes/nsmc --nsmc ../shared/data/nsmc/reviews.tsv.gz --n 300

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", type=Path, default=Path("eval/data/demo_queries.jsonl"))
    parser.add_argument("--nsmc", type=Path, help="draw queries from this NSMC file instead")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    queries = nsmc_queries(args.nsmc, args.n) if args.nsmc else demo_queries(args.queries)
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
