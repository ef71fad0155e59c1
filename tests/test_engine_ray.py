"""The Ray engine writes the index the local engine writes (a local Ray instance, a 200-review NSMC slice)."""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import IngestConfig, run_ingest
from rag.index.manifest import CATALOG, MANIFEST
from rag.index.store import HybridIndex
from rag.search import ProductSearcher

QUERIES = ("배우 연기가 좋았어요", "지루하고 재미없다", "감동적인 가족 영화", "액션 장면이 멋지다", "스토리가 엉성함")


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="the ray engine is an extra: pip install -e '.[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def _slice(shared_data: Path, folder: Path, start: int, n: int, broken: bool) -> Path:
    """`n` NSMC reviews from row `start`, in NSMC's own format; `broken` adds a row with a rating that is no number."""
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "reviews.tsv"
    with gzip.open(shared_data / "nsmc" / "reviews.tsv.gz", "rt", encoding="utf-8", newline="") as f:
        rows = list(zip(range(start + n + 1), csv.reader(f, delimiter="\t"), strict=False))
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter="\t")
        writer.writerow(rows[0][1])
        writer.writerows(row for _, row in rows[1 + start : 1 + start + n])
        if broken:
            writer.writerow(["x1", "10001", "abc****", "열점", "2015-01-01", "평점이 숫자가 아닌 줄"])
    return out


def _tables(path: Path) -> dict[str, list]:
    db = sqlite3.connect(path.resolve() / CATALOG)
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    out = {n: db.execute(f"SELECT * FROM {n} ORDER BY 1, 2").fetchall() for n in names}
    db.close()
    return out


def _manifest(path: Path) -> dict:
    data = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if k not in ("created_at", "files", "engine")}


def _assert_same_index(local: Path, other: Path, embedder, analyzer) -> None:
    assert _manifest(local) == _manifest(other)
    assert _tables(local) == _tables(other)
    a = HybridIndex.open(local, embedder=embedder, analyzer=analyzer)
    b = HybridIndex.open(other, embedder=embedder, analyzer=analyzer)
    assert a.sparse.vocab_dict == b.sparse.vocab_dict
    for key in ("data", "indices", "indptr"):
        assert np.allclose(a.sparse.scores[key], b.sparse.scores[key])
    assert a.sparse.scores["num_docs"] == b.sparse.scores["num_docs"]
    assert np.array_equal(a.dense_index.ids, b.dense_index.ids)
    assert np.allclose(a.dense_index.vectors(), b.dense_index.vectors(), atol=1e-4)
    sa, sb = ProductSearcher(a), ProductSearcher(b)
    for q in QUERIES:
        top_a = [p.product.product_id for p in sa.search(q, top_k=10).products]
        assert top_a and top_a == [p.product.product_id for p in sb.search(q, top_k=10).products]
    a.close()
    b.close()


@pytest.mark.slow
def test_ray_engine_writes_the_local_engines_index(tmp_path, shared_data, analyzer, embedder, local_ray, monkeypatch):
    from ingest import engine_ray

    monkeypatch.setattr(engine_ray, "ANALYZE_BATCH", 64)  # rows back from several batches over both actors
    first = _slice(shared_data, tmp_path / "first", 0, 200, broken=True)
    later = _slice(shared_data, tmp_path / "later", 200, 30, broken=False)
    results = {}
    for engine in ("local", "ray"):
        index = tmp_path / engine
        config = IngestConfig(sources=(str(first),), index=index, engine=engine, workers=2)
        shared = {"analyzer": analyzer, "embedder": embedder} if engine == "local" else {}
        results[engine] = run_ingest(config, **shared)
        assert json.loads((index / MANIFEST).read_text(encoding="utf-8"))["engine"] == engine
    # the validation report comes back to the driver whole: the same rows skipped, with file and line
    local_problems = [(p.reason, str(p)) for p in results["local"].problems]
    assert local_problems and local_problems == [(p.reason, str(p)) for p in results["ray"].problems]
    assert results["ray"].rows_read == results["local"].rows_read
    _assert_same_index(tmp_path / "local", tmp_path / "ray", embedder, analyzer)
    # the stages' time says what it went on: the actors' start-up and their compute, both from their own clocks
    seconds = results["ray"].seconds
    for stage in ("analyze", "embed"):
        assert 0 < seconds[f"{stage}: busy"] and 0 <= seconds[f"{stage}: actor start"] < seconds[stage]

    # an update adds the same documents and keeps every old vector
    before = HybridIndex.open(tmp_path / "ray", embedder=embedder, analyzer=analyzer).existing()
    for engine in ("local", "ray"):
        config = IngestConfig(sources=(str(later),), index=tmp_path / engine, engine=engine, update=True, workers=1)
        run_ingest(config, analyzer=analyzer, embedder=embedder)
    _assert_same_index(tmp_path / "local", tmp_path / "ray", embedder, analyzer)
    after = HybridIndex.open(tmp_path / "ray", embedder=embedder, analyzer=analyzer).existing()
    assert len(after.dense_ids) > len(before.dense_ids)
    assert np.array_equal(after.vectors[: len(before.dense_ids)], before.vectors)


def test_missing_ray_is_a_clear_error(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    config = IngestConfig(sources=("tests/fixtures/shop",), index=tmp_path / "index", engine="ray")
    with pytest.raises(ImportError, match=r"pip install -e \"\.\[ray\]\""):
        run_ingest(config)
    assert not (tmp_path / "index").exists()  # nothing was written


def test_engine_flags(tmp_path):
    from ingest.__main__ import config_from_args, parse_args

    config = config_from_args(parse_args(["shop/", "--index", "x", "--engine", "ray", "--workers", "2",
                                          "--ray-address", "auto"]))  # fmt: skip
    assert (config.engine, config.workers, config.ray_address) == ("ray", 2, "auto")
    assert config_from_args(parse_args(["shop/", "--index", "x"])).engine == "local"
    with pytest.raises(ValueError, match="workers must be ≥ 1, got 0"):
        IngestConfig(sources=("shop/",), index=tmp_path, engine="ray", workers=0)
    with pytest.raises(ValueError, match="engine must be one of local, ray, got 'spark'"):
        IngestConfig(sources=("shop/",), index=tmp_path, engine="spark")


def test_threads_per_embedding_actor(monkeypatch):
    from ingest import engine_ray
    from ingest.engine_ray import RayEngine

    monkeypatch.setattr(engine_ray, "_local_cpus", lambda: 8)
    assert RayEngine(workers=1).threads == 8  # a lone local worker gets every core, as the local engine's model does
    assert RayEngine(workers=3).threads == 2
    assert RayEngine(workers=16).threads == 1
    assert RayEngine("auto", workers=4).threads == 1  # on a cluster Ray's unit is one CPU per actor
    assert RayEngine(workers=2, threads=3).threads == 3  # the embedder's num_threads, when the user set it
    with pytest.raises(ValueError, match="threads must be ≥ 1, got 0"):
        RayEngine(threads=0)


@pytest.mark.slow
def test_a_local_instance_runs_its_workers_at_the_ingests_priority():
    """Ray's default worker niceness is +15: any other busy process would take the workers' cores from under a Ray
    ingest while the local engine keeps them. A local instance the engine starts runs them at the driver's."""
    ray = pytest.importorskip("ray", reason="the ray engine is an extra: pip install -e '.[ray]'")
    import os

    from ingest.engine_ray import RayEngine

    if ray.is_initialized():  # another test's instance would be reused, not started with the engine's settings
        ray.shutdown()
    with RayEngine(workers=1, threads=1):
        worker = ray.get(ray.remote(num_cpus=1)(lambda: os.nice(0)).remote())
    assert worker == os.nice(0)


def test_an_analysis_actor_runs_kiwi_on_its_own_cpus():
    """Kiwi's pool defaults to every core of the node; an actor packed one per CPU must not start one per core."""
    from ingest.engine_ray import _AnalyzeActor
    from rag.analyzer import AnalyzerConfig

    actor = _AnalyzeActor(AnalyzerConfig().to_dict(), 1)
    assert actor.analyzer.kiwi.num_workers == 1
    out = actor({"row": [0], "text": ["노이즈캔슬링이 좋아요"]})
    assert "노이즈캔슬링" in json.loads(out["terms"][0])


def test_an_embedding_actor_starts_its_threads_in_the_thread_that_runs_its_batches():
    """An OpenMP runtime keeps a thread team per calling thread, and Ray runs an actor's batches on another thread
    than its __init__: a warm-up team left in __init__'s thread made libgomp count more threads than the actor's
    cores and stop spinning at barriers, and the actor embedded ~10 % slower than the same model in one process."""
    import os
    import threading

    from ingest.engine_ray import _EmbedActor
    from rag.embedders import EmbedderConfig

    texts = ["노이즈캔슬링이 좋아요", "배송이 느려요"]
    seen: dict = {}

    def construct() -> None:  # a fresh thread, as an actor's: its team lives as long as it does
        before = len(os.listdir("/proc/self/task"))
        seen["actor"] = _EmbedActor(EmbedderConfig(num_threads=2).to_dict())
        seen["new threads"] = len(os.listdir("/proc/self/task")) - before

    def run_batch() -> None:
        seen["out"] = seen["actor"]({"row": [0, 1], "text": texts})

    for target in (construct, run_batch):
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
    assert seen["new threads"] == 0  # no OpenMP team in the constructing thread
    out = seen["out"]
    actor = seen["actor"]
    np.testing.assert_allclose(out["vector"], actor.embedder.embed_array(texts), atol=1e-5)
    assert json.loads(out["embedder"][0]) == [actor.embedder.embedder_id, actor.embedder.dim]
