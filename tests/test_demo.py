"""The bundled demo catalog and shopper query set: what a newcomer meets first."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from eval.datasets import satisfies
from ingest.demo import DEMO_DATA
from ingest.demo.make_events import SEED, make_events, render
from ingest.readers import discover
from ingest.validate import validate
from rag.index.store import HybridIndex

QUERIES = Path(__file__).resolve().parents[1] / "eval" / "data" / "demo_queries.jsonl"


@pytest.fixture(scope="module")
def demo():
    return validate(discover(str(DEMO_DATA)))


@pytest.fixture(scope="module")
def queries():
    return [json.loads(line) for line in QUERIES.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_catalog_is_big_and_clean(demo):
    assert demo.problems == [] or all(not p.is_error for p in demo.problems)
    assert len(demo.products) >= 120 and len(demo.reviews) >= 1200
    categories = Counter(p.category_path()[0] for p in demo.products.values())
    assert len(categories) >= 10 and min(categories.values()) >= 10
    per_product = Counter(r.product_id for r in demo.reviews)
    assert sum(n >= 30 for n in per_product.values()) >= 5  # a few products with 30+ reviews
    assert sum(pid not in per_product for pid in demo.products) >= 5  # and some with none
    assert len({r.text for r in demo.reviews}) >= 0.99 * len(demo.reviews)


def test_attributes_differ_within_a_leaf(demo):
    by_leaf: dict[str, list] = {}
    for p in demo.products.values():
        by_leaf.setdefault(p.category, []).append(p)
    for leaf, products in by_leaf.items():
        assert len({json.dumps(p.attributes, sort_keys=True) for p in products}) == len(products), leaf
        assert len({p.price for p in products}) > 1, leaf


def test_events_are_reproducible_and_consistent_with_reviews(demo):
    path = DEMO_DATA / "events.jsonl"
    assert render(make_events()).encode("utf-8") == path.read_bytes()  # the same seed: the same file, byte for byte
    assert render(make_events(seed=SEED + 1)) != render(make_events())  # and the seed is what drives it
    written = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    purchases = Counter(e["product_id"] for e in written if e["event"] == "purchase")
    assert all(purchases[pid] <= (p.purchases or 0) for pid, p in demo.products.items())
    assert sum(purchases.values()) > len(demo.reviews)  # buyers who wrote no review, complements bought along
    seen: dict[tuple[str, str, str], list[dt.date]] = {}
    for e in written:
        seen.setdefault((e["user_id"], e["product_id"], e["event"]), []).append(dt.date.fromisoformat(e["ts"][:10]))
    for r in demo.reviews:  # every reviewer viewed, carted and bought the product before reviewing it
        for kind in ("view", "cart", "purchase"):
            days = seen.get((r.user_id, r.product_id, kind), [])
            assert any(d <= dt.date.fromisoformat(r.created_at) for d in days), (r.review_id, kind)


def test_query_set_judgements_agree_with_the_catalog(demo, queries):
    assert len(queries) >= 60 and len({q["query_id"] for q in queries}) == len(queries)
    kinds = Counter(q["kind"] for q in queries)
    assert set(kinds) == {"need", "constraint", "comparison", "followup", "vague", "misspelled", "no_answer"}
    for q in queries:
        assert bool(q["history"]) == (q["kind"] == "followup"), q["query_id"]
        if q["no_answer"]:
            assert q["relevant"] == {}, q["query_id"]
            # nothing in the catalog meets its constraints (or the product type is absent)
            assert not any(satisfies(p, q["constraints"]) for p in demo.products.values()), q["query_id"]
        for pid, grade in q["relevant"].items():
            assert grade in (1, 2), q["query_id"]
            assert satisfies(demo.products[pid], q["constraints"]), (q["query_id"], pid)


@pytest.mark.slow
def test_demo_index_opens_with_everything_in_it(demo_index_path, embedder):
    counts = HybridIndex.open(demo_index_path, embedder=embedder, verify=True).counts()
    assert counts["products"] == 132 and counts["reviews"] >= 1200 and counts["events"] > 5000
    # a small catalog is embedded whole: every product text and every review with three or more content terms
    assert counts["dense_vectors"] > 1200
