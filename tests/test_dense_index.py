"""The dense index grows: flat below the threshold, HNSW above it, recorded in the manifest; filters never starve."""

from __future__ import annotations

import json

import numpy as np
import pytest

from rag.errors import IndexOpenError
from rag.index import build as build_module
from rag.index.build import build_index
from rag.index.dense import FLAT_UP_TO, DenseIndex, DensePlan, build_faiss, plan_for
from rag.index.manifest import MANIFEST
from rag.index.store import HybridIndex
from rag.search import ProductSearcher


def _unit(rng, n: int, d: int = 32) -> np.ndarray:
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def _exact_top(vectors, ids, query, allowed, k):
    scores = vectors @ query
    if allowed is not None:
        scores = np.where(allowed[ids], scores, -np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return [int(ids[i]) for i in order if np.isfinite(scores[i])]


def test_plan_by_size():
    assert plan_for(FLAT_UP_TO, 384).kind == "flat"
    big = plan_for(FLAT_UP_TO + 1, 384)
    assert big.kind == "ivf" and big.params["nprobe"] < big.params["nlist"]
    assert plan_for(712_404, 384).params["nlist"] > plan_for(100_000, 384).params["nlist"]
    hnsw = plan_for(712_404, 384, kind="hnsw")
    assert hnsw.params["ef_search"] > plan_for(100_000, 384, kind="hnsw").params["ef_search"]
    with pytest.raises(ValueError, match="kind must be one of flat, hnsw, ivf"):
        DensePlan("annoy")


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
@pytest.mark.parametrize("share", [0.003, 0.02, 0.3])
def test_filtered_search_stays_inside_and_never_starves(kind, share):
    """A shopper's filter (a price band, a category) allows a few documents: every one returned is allowed, and
    as many are returned as exist, up to k, the best ones (the rule searches exactly when the mask is selective)."""
    rng = np.random.default_rng(7)
    n = 6000
    vectors, ids = _unit(rng, n), np.arange(n, dtype=np.int64) * 3 + 1  # document ids are not positions
    plan = plan_for(n, 32, kind=kind, flat_up_to=100)
    dense = DenseIndex(build_faiss(vectors, ids, plan), plan)
    allowed = np.zeros(3 * n + 2, dtype=bool)
    allowed[ids[rng.random(n) < share]] = True
    for query in _unit(rng, 5):
        got = dense.search(query, 50, allowed)
        want = _exact_top(vectors, ids, query, allowed, 50)
        assert all(allowed[i] for i in got)
        assert len(got) == len(want)
        if share < plan.params["exact_below"]:
            assert got == want  # searched exactly
        elif kind == "hnsw":  # the graph search inside a wide mask (IVF on random vectors is far from exact)
            assert len(set(got) & set(want)) >= 0.8 * len(want)


def test_empty_and_full_masks():
    rng = np.random.default_rng(3)
    vectors, ids = _unit(rng, 300), np.arange(300, dtype=np.int64)
    plan = plan_for(300, 32, kind="hnsw", flat_up_to=10)
    dense = DenseIndex(build_faiss(vectors, ids, plan), plan)
    query = vectors[17]
    assert dense.search(query, 10, np.zeros(300, dtype=bool)) == []
    assert dense.search(query, 10, np.ones(300, dtype=bool))[0] == 17
    assert dense.search(query, 10)[0] == 17
    with pytest.raises(ValueError, match="allowed must cover every document id"):
        dense.search(query, 10, np.ones(5, dtype=bool))


@pytest.mark.parametrize("kind", ["ivf", "hnsw"])
def test_manifest_records_the_index_and_search_uses_it(
    tmp_path, shop_data, analyzer, embedder, shop_index_path, monkeypatch, kind
):
    # the builder's size rule with a threshold of 2 vectors, so the small shop gets an approximate index
    monkeypatch.setattr(build_module, "plan_for", lambda n, dim: plan_for(n, dim, kind=kind, flat_up_to=2))
    path = tmp_path / "shop"
    build_index(path, list(shop_data.products.values()), shop_data.reviews, shop_data.events, analyzer, embedder)
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    want = plan_for(manifest["counts"]["dense_vectors"], embedder.dim, kind=kind, flat_up_to=2)
    assert manifest["dense_index"] == want.to_dict()
    assert manifest["engine"] == "local"
    index = HybridIndex.open(path, embedder=embedder, analyzer=analyzer)
    assert index.dense_index.plan.kind == kind
    # the shopper sees what the flat index shows: the same products, in the same order, inside the budget
    searcher = ProductSearcher(index)
    flat = ProductSearcher(HybridIndex.open(shop_index_path, embedder=embedder, analyzer=analyzer))
    assert flat.index.dense_index.plan.kind == "flat"
    for question in ("조용한 가습기 5만원 이하", "가볍고 쿠션 좋은 신발", "노이즈캔슬링 이어폰", "가습기"):
        shown = [p.product.product_id for p in searcher.search(question, top_k=3).products]
        assert shown and shown == [p.product.product_id for p in flat.search(question, top_k=3).products]
    assert all(p.product.price <= 50_000 for p in searcher.search("가습기 5만원 이하").products)
    # an update reads the HNSW index's vectors back instead of re-embedding them
    existing = index.existing()
    assert existing.vectors.shape == (index.dense.ntotal, embedder.dim)
    first = int(existing.dense_ids[0])
    assert np.allclose(existing.vectors[0], index.dense.reconstruct(first))
    index.close()


def test_index_from_before_the_field_opens_flat(tmp_path, shop_index_path, embedder, analyzer):
    manifest = json.loads((shop_index_path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["dense_index"] == {"kind": "flat", "params": {}}
    old = tmp_path / "old"
    old.mkdir()
    for f in shop_index_path.resolve().rglob("*"):
        target = old / f.relative_to(shop_index_path.resolve())
        if f.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.read_bytes())
    del manifest["dense_index"], manifest["engine"]
    (old / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    index = HybridIndex.open(old, embedder=embedder, analyzer=analyzer)
    assert index.dense_index.plan.kind == "flat"
    index.close()
    manifest["dense_index"] = {"kind": "annoy", "params": {}}
    (old / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexOpenError, match="damaged dense_index entry"):
        HybridIndex.open(old, embedder=embedder, analyzer=analyzer)
