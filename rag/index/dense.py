"""The dense index: a FAISS index chosen by size, always searched inside the shopper's mask.

Up to `FLAT_UP_TO` vectors the index is exact (`IndexFlatIP`); above it, IVF (`IndexIVFFlat`, inner product) with
~4·√n lists and 1/16 of them probed. The choice and its parameters are recorded in the manifest (`dense_index`),
so an index opens the way it was built. HNSW is available (`plan_for(..., kind="hnsw")`) but not chosen: on the
benchmark's 712k mix its recall@10 was 0.64 against IVF's 1.00 (README "Dense index by size",
`python -m eval.bench_dense`). IVF-PQ was measured and left out: 13× less RAM at 712k, but recall@10 0.74.

Filters are applied inside the search (`SearchParameters*(sel=...)`), never after it. An approximate search inside
a selective mask starves: IVF's probed lists may hold few allowed vectors, HNSW walks its graph through excluded
nodes (recall@10 0.46 inside a 1 % mask at 20k with the plain efSearch, 0.84 with 4x efSearch). So when the mask
allows few vectors (at most `exact_up_to`, or a share below `exact_below`) `DenseIndex.search` searches exactly
over the allowed ones (IVF: every list probed; HNSW: its flat storage scanned), and also whenever the filtered
approximate search came back short of k.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np

logger = logging.getLogger(__name__)

# Exact search up to here: a flat query took 1.4 ms at 20k vectors and 41 ms at 100k on one (shared) core, IVF 13 ms
# at 100k with recall@10 0.97 and no worse at 712k (eval.bench_dense); 50k keeps flat near the query embedding's cost.
FLAT_UP_TO = 50_000
KINDS: tuple[str, ...] = ("flat", "hnsw", "ivf")


@dataclass(frozen=True)
class DensePlan:
    """Which FAISS index and with which parameters; `to_dict` goes into the manifest."""

    kind: str = "flat"
    params: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"dense index kind must be one of {', '.join(KINDS)}, got {self.kind!r}")

    def to_dict(self) -> dict:
        return {"kind": self.kind, "params": dict(self.params)}

    @classmethod
    def from_dict(cls, data: dict | None) -> DensePlan:
        """The manifest's entry; an index written before this field existed is flat."""
        if not data:
            return cls()
        if not isinstance(data, dict) or not isinstance(data.get("params", {}), dict):
            raise ValueError(f"expected {{'kind': ..., 'params': {{...}}}}, got {data!r}")
        return cls(str(data.get("kind", "flat")), dict(data.get("params", {})))

    def with_params(self, **params) -> DensePlan:
        return replace(self, params={**self.params, **params})


# FAISS threads per query. One query gains nothing from more (1.3 ms on 20k vectors with one, 1.9 ms with two on 2
# cores) and concurrent ones lose. Applied in the thread that searches, at every search: OpenMP's thread count is per
# calling thread once set, so faiss.omp_set_num_threads in the thread that opened the index left every other thread
# (each Streamlit session runs its own) on all cores.
_search_threads = 1


def set_search_threads(threads: int) -> None:
    """FAISS's threads for every search of this process, from whichever thread it runs on (the app's --threads)."""
    global _search_threads
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be ≥ 1 (a whole number), got {threads!r}")
    _search_threads = threads


def search_threads() -> int:
    return _search_threads


@contextmanager
def _threads(n: int) -> Iterator[None]:
    """FAISS on `n` OpenMP threads in this thread for the block; what the thread had before is put back."""
    import faiss

    before = faiss.omp_get_max_threads()
    if before == n:
        yield
        return
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def plan_for(n: int, dim: int, kind: str | None = None, flat_up_to: int = FLAT_UP_TO) -> DensePlan:
    """The index for `n` vectors: flat up to `flat_up_to`, else IVF (or `kind`), its parameters from `n`."""
    kind = kind or ("flat" if n <= flat_up_to else "ivf")
    if kind == "flat":
        return DensePlan("flat", {})
    if kind == "hnsw":
        # M=32, efSearch 64: recall@10 0.96 at 20k, 0.93 at 100k; a bigger graph gets a longer search
        ef_search = 64 if n <= 250_000 else 96
        return DensePlan("hnsw", {"m": 32, "ef_construction": 80, "ef_search": ef_search, "exact_below": 0.05,
                                  "exact_up_to": flat_up_to})  # fmt: skip
    # IVF: ~4·√n lists (a power of two), trained on at most 64 points per list; probing 1/16 of them gave recall@10
    # 0.97 at 100k and 1.00 at 712k
    nlist = 2 ** max(4, round(math.log2(4 * math.sqrt(max(n, 1)))))
    return DensePlan("ivf", {"nlist": nlist, "nprobe": max(8, nlist // 16), "exact_below": 0.05,
                             "exact_up_to": flat_up_to})  # fmt: skip


def build_faiss(vectors: np.ndarray, ids: np.ndarray, plan: DensePlan):
    """A FAISS index over `vectors` (rows aligned with `ids`), wrapped so that it answers with `ids`."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    dim = vectors.shape[1]
    p = plan.params
    if plan.kind == "flat":
        inner = faiss.IndexFlatIP(dim)
    elif plan.kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, int(p["m"]), faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = int(p["ef_construction"])
        inner.hnsw.efSearch = int(p["ef_search"])
    else:
        quantizer = faiss.IndexFlatIP(dim)
        inner = faiss.IndexIVFFlat(quantizer, dim, int(p["nlist"]), faiss.METRIC_INNER_PRODUCT)
        if len(vectors):
            sample = np.random.default_rng(0).permutation(len(vectors))[: 64 * int(p["nlist"])]
            inner.train(vectors[np.sort(sample)])
        inner.nprobe = int(p["nprobe"])
        inner.make_direct_map()  # an --update reads the vectors back
    index = faiss.IndexIDMap2(inner)
    if len(ids):
        index.add_with_ids(vectors, np.asarray(ids, dtype=np.int64))
    return index


class DenseIndex:
    """The opened dense index: `search(query, k, allowed)` returns document ids, best first, all inside `allowed`
    (a bool array over document ids; None allows every document). Safe to call from threads."""

    def __init__(self, index, plan: DensePlan | None = None, refill: bool = True) -> None:
        """refill: search exactly when a filtered approximate search returns fewer than k (off only to measure)."""
        import faiss

        self.refill = refill
        self.faiss = index  # faiss.IndexIDMap2
        self.plan = plan or DensePlan()
        self.ids = faiss.vector_to_array(index.id_map).astype(np.int64)  # internal position → document id
        self.ntotal = int(index.ntotal)
        self.d = int(index.d)
        inner = faiss.downcast_index(index.index)
        self._inner = inner
        self._storage = faiss.downcast_index(inner.storage) if self.plan.kind == "hnsw" else None

    def __len__(self) -> int:
        return self.ntotal

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
        if k < 1 or self.ntotal == 0:
            return []
        with _threads(_search_threads):
            return self._search_allowed(query, k, allowed)

    def _search_allowed(self, query: np.ndarray, k: int, allowed: np.ndarray | None) -> list[int]:
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.d)
        if allowed is None:
            return self._search(query, min(k, self.ntotal), None, self.ntotal)
        allowed = np.asarray(allowed, dtype=bool)
        if len(allowed) <= int(self.ids.max()):
            raise ValueError(f"allowed must cover every document id (≥ {int(self.ids.max()) + 1}), got {len(allowed)}")
        inside = allowed[self.ids]  # by internal position
        n_allowed = int(inside.sum())
        if n_allowed == 0:
            return []
        if n_allowed == self.ntotal:
            return self._search(query, min(k, self.ntotal), None, self.ntotal)
        return self._search(query, min(k, n_allowed), (allowed, inside), n_allowed)

    def _search(self, query: np.ndarray, k: int, mask, n_allowed: int) -> list[int]:
        import faiss

        p = self.plan.params
        kind = self.plan.kind
        few = n_allowed <= p.get("exact_up_to", 0) or n_allowed < p.get("exact_below", 0.0) * self.ntotal
        if mask is not None and kind != "flat" and few:
            return self._exact(query, k, mask)
        selector, keep = self._selector(mask[0]) if mask is not None else (None, None)
        if kind == "hnsw":
            params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(int(p["ef_search"]), k))
        elif kind == "ivf":
            params = faiss.SearchParametersIVF(sel=selector, nprobe=int(p["nprobe"]))
        else:
            params = faiss.SearchParameters(sel=selector) if selector is not None else None
        _, ids = self.faiss.search(query, k, params=params)
        del keep
        found = [int(i) for i in ids[0] if i >= 0]
        # the approximate search starved inside the mask: never return fewer than exist
        if len(found) < k and kind != "flat" and self.refill:
            logger.debug("dense search found %d of %d inside the mask; searching exactly", len(found), k)
            return self._exact(query, k, mask)
        return found

    @staticmethod
    def _selector(allowed: np.ndarray):
        import faiss

        bitmap = np.packbits(allowed, bitorder="little")  # the caller keeps it referenced until the search returns
        return faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap)), bitmap

    def _exact(self, query: np.ndarray, k: int, mask) -> list[int]:
        """Exact inner-product search over the allowed vectors (all of them when `mask` is None)."""
        import faiss

        if self.plan.kind == "hnsw":  # HNSW keeps its vectors in a flat storage: scan it by internal position
            inside = mask[1] if mask is not None else np.ones(self.ntotal, dtype=bool)
            selector, keep = self._selector(inside)
            _, pos = self._storage.search(query, k, params=faiss.SearchParameters(sel=selector))
            del keep
            return [int(self.ids[i]) for i in pos[0] if i >= 0]
        # IVF: probing every list is exact over the allowed ids
        selector, keep = self._selector(mask[0]) if mask is not None else (None, None)
        params = faiss.SearchParametersIVF(sel=selector, nprobe=int(self.plan.params["nlist"]))
        _, ids = self.faiss.search(query, k, params=params)
        del keep
        return [int(i) for i in ids[0] if i >= 0]

    def vectors(self) -> np.ndarray:
        """Every vector, rows aligned with `ids` (an update reads them back; nothing is re-embedded)."""
        if self.ntotal == 0:
            return np.zeros((0, self.d), np.float32)
        return np.asarray(self._inner.reconstruct_n(0, self.ntotal), dtype=np.float32)
