"""What verifying an index's content costs when it opens, measured in one run (old vs new in the same process).

    python -m eval.bench_open --index DIR [--rounds 3]

Opens the index with each verify mode in turn, round after round (so a loaded machine affects all alike), and
prints the median seconds of `HybridIndex.open` and of `ShoppingGuide.from_index` (what the app pays) per mode,
with the ratio to "sizes" (the old default: sizes only). "fast" is the new default: the catalog and every file up
to 64 MB hashed whole, larger search structures by a sampled digest; "full" hashes every byte.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from rag.analyzer import KoreanAnalyzer
from rag.embedders import make_embedder
from rag.guide import ShoppingGuide
from rag.index.manifest import VERIFY_MODES
from rag.index.store import HybridIndex


def run(index: Path, rounds: int = 3) -> dict[str, dict[str, float]]:
    analyzer, embedder = KoreanAnalyzer(), make_embedder()
    HybridIndex.open(index, analyzer=analyzer, embedder=embedder, verify="sizes").close()  # warm the page cache
    opened: dict[str, list[float]] = {m: [] for m in VERIFY_MODES}
    guided: dict[str, list[float]] = {m: [] for m in ("sizes", "fast")}
    for _ in range(rounds):
        for mode in ("sizes", "fast", "full"):
            started = time.perf_counter()
            HybridIndex.open(index, analyzer=analyzer, embedder=embedder, verify=mode).close()
            opened[mode].append(time.perf_counter() - started)
        for mode in guided:
            original = HybridIndex.open

            def opener(path, mode=mode, original=original, **kwargs):
                return original(path, **{**kwargs, "verify": mode})

            HybridIndex.open = opener  # from_index has no verify switch: the default is what the app gets
            try:
                started = time.perf_counter()
                ShoppingGuide.from_index(index, analyzer=analyzer, embedder=embedder)
                guided[mode].append(time.perf_counter() - started)
            finally:
                HybridIndex.open = original
    return {
        "HybridIndex.open": {m: statistics.median(v) for m, v in opened.items()},
        "ShoppingGuide.from_index": {m: statistics.median(v) for m, v in guided.items()},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    size = sum(p.stat().st_size for p in args.index.resolve().rglob("*") if p.is_file())
    print(f"index {args.index}: {size / 1e6:,.0f} MB, {args.rounds} rounds, medians")
    for what, times in run(args.index, args.rounds).items():
        base = times["sizes"]
        for mode, seconds in times.items():
            print(f"{what:26} verify={mode:5}  {seconds:7.3f} s   ×{seconds / base:5.2f} of sizes-only")


if __name__ == "__main__":
    main()
