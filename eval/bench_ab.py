"""Old code against new code in one run: a benchmark module run in two source trees, interleaved, as ratios.

    python -m eval.bench_ab --old 179e043 --bench answer [--rounds 3] [--work /tmp/ab]
    python -m eval.bench_ab --old 179e043 --bench search --args "--n 200"

The machine is noisy, so a number measured today is not compared with a number measured yesterday: the old tree
(a detached `git worktree` of `--old`) and this tree each build their own demo index with their own ingest, then
the benchmark (`eval.bench_answer` or `eval.bench_search`) runs in each tree alternately, `--rounds` times
(old, new, new, old, …), and every `p50`/`p95` it prints is reported as the median over rounds with new ÷ old.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# "full answer:          p50 29.9 ms, p95 49.0 ms" → ("full answer", "p50", 29.9)
_NUMBER = re.compile(r"(p50|p95)\s+([0-9.]+)\s*ms")
# eval.bench_search's table, under a "p50 ms   p95 ms" header: "search + rank (all)   19.1   34.2"
_ROW = re.compile(r"^(\S.*?)\s{2,}([0-9.]+)\s+([0-9.]+)\s*$")


def _run(cmd: list[str], cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{done.stderr[-2000:]}")
    return done.stdout


def old_tree(commit: str, work: Path) -> Path:
    tree = work / f"tree-{commit}"
    if not tree.exists():
        _run(["git", "worktree", "add", "--detach", str(tree), commit], ROOT)
    return tree


def build_demo(tree: Path, index: Path) -> None:
    if not (index / "manifest.json").exists():
        _run([sys.executable, "-m", "ingest", "--demo", "--index", str(index), "--no-progress"], tree)


def parse(stdout: str) -> dict[str, float]:
    """Every "label: p50 N ms, p95 M ms" line of a benchmark's output, and every row of a "p50 ms  p95 ms" table,
    keyed "label p50"."""
    numbers = {}
    table = False  # inside a "p50 ms  p95 ms" table
    for line in stdout.splitlines():
        if re.search(r"p50 ms\s+p95 ms", line):
            table = True
            continue
        row = _ROW.match(line) if table else None
        if row:
            numbers[f"{row[1]} p50"], numbers[f"{row[1]} p95"] = float(row[2]), float(row[3])
            continue
        table = False
        label = line.split(":")[0].strip() if ":" in line else line.strip()
        for stat, value in _NUMBER.findall(line):
            numbers[f"{label} {stat}"] = float(value)
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="git commit of the old code")
    parser.add_argument("--bench", choices=("answer", "search"), default="answer")
    parser.add_argument("--args", default="", help="extra arguments for the benchmark module")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--work", type=Path, default=Path("/tmp/bench-ab"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    trees = {"old": old_tree(args.old, args.work), "new": ROOT}
    indexes = {side: args.work / f"index-{side}" for side in trees}
    for side, tree in trees.items():
        build_demo(tree, indexes[side])
    runs: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for r in range(args.rounds):
        order = ("old", "new") if r % 2 == 0 else ("new", "old")
        for side in order:
            cmd = [sys.executable, "-m", f"eval.bench_{args.bench}", "--index", str(indexes[side]), *args.args.split()]
            runs[side].append(parse(_run(cmd, trees[side])))
    print(f"eval.bench_{args.bench}: old = {args.old}, new = this tree, {args.rounds} interleaved rounds each")
    print(f"{'measure':<34} {'old ms':>9} {'new ms':>9} {'new/old':>8}")
    for key in runs["new"][0]:
        if not all(key in run for run in runs["old"]):
            continue
        old = statistics.median(run[key] for run in runs["old"])
        new = statistics.median(run[key] for run in runs["new"])
        print(f"{key:<34} {old:>9.1f} {new:>9.1f} {new / old:>7.2f}×")


if __name__ == "__main__":
    main()
