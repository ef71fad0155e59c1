"""The dense coverage policy: a budget shared fairly across products, the most informative reviews first."""

from __future__ import annotations

import pytest

from rag.index.catalog import Document
from rag.index.coverage import DenseCoverage, select_dense


def _doc(doc_id: int, product: str, n_terms: int, kind: str = "review") -> Document:
    return Document(
        doc_id,
        kind,
        product,
        f"r{doc_id}" if kind == "review" else None,
        f"text {doc_id}",
        [f"t{doc_id}_{i}" for i in range(n_terms)],
    )


def test_budget_is_water_filled_with_leftover_to_the_most_informative():
    docs = [_doc(0, "A", 5, "product")]
    docs += [_doc(1 + i, "A", 10 - i) for i in range(6)]  # A: 6 reviews
    docs += [_doc(10 + i, "B", 8 - i) for i in range(2)]  # B: 2 reviews
    docs += [_doc(20, "C", 2)]  # C: too few terms to embed
    chosen = select_dense(docs, DenseCoverage(budget=6))
    # the product text first (1), then caps: sizes A=6, B=2 → cap 2 uses 4, leaving 1 for A's third-best review
    assert chosen == {0, 1, 2, 10, 11, 3}


def test_all_mode_and_small_catalogs_embed_everything():
    docs = [_doc(i, "A", 5) for i in range(4)]
    assert select_dense(docs, DenseCoverage(mode="all")) == {0, 1, 2, 3}
    assert select_dense(docs, DenseCoverage(budget=100)) == {0, 1, 2, 3}


def test_helpful_votes_and_duplicates_decide_between_equals():
    docs = [_doc(0, "A", 6), _doc(1, "A", 6), _doc(2, "A", 6)]
    docs[2].text = docs[0].text  # an exact duplicate is embedded once at most
    assert select_dense(docs, DenseCoverage(budget=1), helpful={"r1": 30}) == {1}
    assert len(select_dense(docs, DenseCoverage(budget=5))) == 2


def test_bad_policy_values_name_the_choices():
    with pytest.raises(ValueError, match="coverage mode must be one of budget, all"):
        DenseCoverage(mode="some")
    with pytest.raises(ValueError, match="budget must be ≥ 0"):
        DenseCoverage(budget=-1)
