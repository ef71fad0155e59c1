"""Retrieval and ranking on the demo catalog: constraints always hold, fusion and aggregation behave."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from langchain_core.runnables import RunnableLambda

from rag.constraints import Constraints, meets, product_mask
from rag.facets import match_spec
from rag.ranking import RankingConfig, aggregate, rrf_scores
from rag.related import CoBehaviour
from rag.retriever import ShoppingRetriever

pytestmark = pytest.mark.slow  # the demo index takes a minute to embed, once per run

QUERIES = [
    json.loads(line)
    for line in (Path(__file__).resolve().parents[1] / "eval" / "data" / "demo_queries.jsonl")
    .read_text("utf-8")
    .splitlines()
]


def _check(product, c: Constraints, view=None) -> None:
    if c.price_max is not None:
        assert product.price <= c.price_max, (product.product_id, product.price, c)
    if c.price_min is not None:
        assert product.price >= c.price_min, (product.product_id, product.price, c)
    if c.categories:
        assert any(product.category.startswith(x) for x in c.categories), (product.category, c.categories)
    if c.brands:
        assert product.brand in c.brands
    if c.in_stock_only:
        assert product.in_stock is not False
    if view is not None:  # specs and requirements, on the product's typed facets: never contradicted
        facets = view.facets[view.position[product.product_id]]
        assert all(match_spec(facets, s) is not False for s in c.specs), (product.product_id, c.specs)
        assert all(meets(product, facets, a) is not False for a in c.attributes), (product.product_id, c.attributes)


def test_no_product_outside_the_stated_constraints_ever(demo_searcher):
    """Every demo question, parsed: every shown product satisfies every constraint the parser found."""
    shown = 0
    for q in QUERIES:
        result = demo_searcher.search(q["query"], top_k=5)
        for item in result.products:
            _check(item.product, result.constraints, demo_searcher.view)
            shown += 1
    assert shown > 150  # a leaf holds ~3 products, so constrained questions show fewer than 5


@pytest.mark.parametrize("budget", [15_000, 30_000, 50_000, 100_000])
def test_budget_is_a_hard_filter_inside_the_search(demo_searcher, budget):
    """A tight budget never starves the list: all products under it that match come back, none above it."""
    c = Constraints(price_max=budget)
    result = demo_searcher.search("가성비 좋은 거 추천", constraints=c, top_k=10)
    assert result.products and all(p.product.price <= budget for p in result.products)
    assert len(result.products) == min(10, int(product_mask(demo_searcher.view, c).sum()))


def test_each_constraint_kind_is_honoured(demo_searcher):
    cases = [
        Constraints(price_min=100_000, price_max=199_999),
        Constraints(categories=("신발>아웃도어화>등산화",)),
        Constraints(categories=("가전",), price_max=60_000),
        Constraints(brands=(demo_searcher.view.products[0].brand,)),
    ]
    for c in cases:
        result = demo_searcher.search("추천해 주세요", constraints=c, top_k=8)
        assert result.products, c
        for item in result.products:
            _check(item.product, c)
    sold_out = [p for p in demo_searcher.view.products if p.in_stock is False]
    assert sold_out
    for product in sold_out:  # searched by its own name: hidden by default, shown when the shopper asks
        default = demo_searcher.search(product.name, top_k=5)
        assert product.product_id not in {p.product.product_id for p in default.products}
        everything = demo_searcher.search(product.name, constraints=Constraints(in_stock_only=False), top_k=5)
        assert product.product_id in {p.product.product_id for p in everything.products}


def test_attribute_requirement_filters_products(demo_searcher):
    result = demo_searcher.search("방수 등산화", top_k=5)
    assert result.constraints.attributes, "방수 should be understood as a required attribute"
    assert result.products
    assert all("없음" not in str(p.product.attributes.get("방수", "")) for p in result.products)


def test_quiet_humidifier_ranks_the_quiet_one_first(demo_searcher):
    result = demo_searcher.search("자취방에서 쓸 조용한 가습기", top_k=3)
    assert result.products[0].product.category.endswith("가습기")
    top = result.products[0]
    assert top.evidence and all(e.review_id.startswith(top.product.product_id) for e in top.evidence)
    assert top.satisfied and top.stats.review_count > 0


def test_nothing_fits_says_which_constraint_to_loosen(demo_searcher):
    result = demo_searcher.search("3만원 이하 방수 등산화", top_k=5)
    assert not result.found and result.candidates == 0
    assert result.suggestions and any("가격" in s or "방수" in s for s in result.suggestions)


def test_price_constraint_from_the_question(demo_searcher):
    result = demo_searcher.search("5만원 이하 블루투스 스피커", top_k=5)
    assert result.constraints.price_max == 50_000
    assert result.products and all(p.product.price <= 50_000 for p in result.products)


def test_rrf_and_aggregation_by_hand():
    fused = rrf_scores([[7, 3], [3, 9]], [1.0, 2.0], k=10)
    assert fused[7] == pytest.approx(1 / 11)
    assert fused[3] == pytest.approx(1 / 12 + 2 / 11)
    assert fused[9] == pytest.approx(2 / 12)
    doc_product = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
    agg = aggregate({0: 0.5, 1: 0.4, 2: 0.1, 3: 0.45, 9: 0.2}, doc_product, decay=0.5, per_product=2)
    assert agg[0][0] == pytest.approx(0.5 + 0.5 * 0.4) and agg[0][1] == [0, 1]
    assert agg[1][0] == pytest.approx(0.45) and agg[2] == (pytest.approx(0.2), [9])
    with pytest.raises(ValueError, match="rrf_k must be > 0"):
        RankingConfig(rrf_k=0)


def test_fusion_weights_change_the_order(demo_searcher):
    q = "선물용으로 좋은 향 없는 거"
    sparse_only = demo_searcher.search(q, top_k=5, config=RankingConfig(dense_weight=0.0, prior_weight=0.0))
    dense_only = demo_searcher.search(q, top_k=5, config=RankingConfig(sparse_weight=0.0, prior_weight=0.0))
    assert [p.product.product_id for p in sparse_only.products] != [p.product.product_id for p in dense_only.products]


def test_retriever_works_inside_an_lcel_chain(demo_searcher):
    retriever = ShoppingRetriever(searcher=demo_searcher, top_k=3)
    chain = retriever | RunnableLambda(lambda docs: [(d.metadata["product_id"], d.metadata["price"]) for d in docs])
    out = chain.invoke("노이즈캔슬링 무선이어폰")
    # 노이즈캔슬링 is a required attribute: only the earphones that have it come back
    assert out and all(pid.startswith("DIG-") for pid, _ in out)
    assert all(demo_searcher.index.catalog.product(pid).attributes["노이즈캔슬링"].startswith("있음") for pid, _ in out)
    docs = retriever.invoke("노이즈캔슬링 무선이어폰")
    assert docs[0].metadata["review_ids"] and docs[0].page_content.startswith(docs[0].metadata["name"])


def test_co_behaviour_relates_products_bought_by_the_same_users(demo_index_path, embedder):
    from rag.index.store import HybridIndex

    index = HybridIndex.open(demo_index_path, embedder=embedder)
    co = CoBehaviour.from_records(index.catalog.reviews(), index.catalog.events())
    related = co.related("APP-001", k=5)
    assert related and all(r.product_id != "APP-001" and r.common_users >= 2 for r in related)
    assert related == sorted(related, key=lambda r: -r.score)
    assert co.popular(3)[0].score >= co.popular(3)[-1].score


def test_sparse_search_scores_exactly_as_bm25s_inside_a_mask(demo_searcher):
    """Our postings-only BM25 against bm25s' own retrieve on the same arrays: same documents, same scores (up to
    the order of documents tied at the cut-off), with and without a document mask."""
    from rag.index.sparse import SparseSearcher

    index = demo_searcher.index
    sparse = SparseSearcher(index.sparse)
    mask = np.random.default_rng(7).random(sparse.n_docs) < 0.5
    queries = ["조용한 가습기 소음", "방수 블루투스 스피커", "가볍고 편한 등산화", "아기 물티슈", "노캔 이어폰"]
    for text in queries:
        terms = [t for t in dict.fromkeys(index.analyzer.terms(text)) if t in sparse.vocab]
        for m in (None, mask):
            weight = None if m is None else m.astype(np.float32)
            ids, scores = index.sparse.retrieve([terms], k=30, weight_mask=weight, show_progress=False, n_threads=1)
            expected = {int(d): float(s) for d, s in zip(ids[0], scores[0], strict=True) if s > 0}
            got_ids, got_scores = sparse.top(terms, 30, m)
            got = dict(zip(got_ids.tolist(), got_scores.tolist(), strict=True))
            assert len(got) == len(expected) and got, text
            assert np.allclose(sorted(got.values()), sorted(expected.values()), atol=1e-5), text
            cut = min(expected.values())
            assert {d for d, s in got.items() if s > cut + 1e-5} == {d for d, s in expected.items() if s > cut + 1e-5}
            assert list(got_scores) == sorted(got_scores, reverse=True)
            assert m is None or all(m[d] for d in got)
    assert sparse.top(["없는말이에요"], 10)[0].size == 0
