"""LangChain `BaseRetriever` over `ProductSearcher`: one `Document` per recommended product.

    retriever = ShoppingRetriever(searcher=searcher, top_k=5)
    docs = retriever.invoke("자취방에서 쓸 조용한 가습기 5만원 이하")
    docs = retriever.invoke("가습기", top_k=2, sort="rating", constraints=Constraints(price_max=50_000))
    pinned = retriever.with_config(configurable={"top_k": 2, "sort": "price_asc"})   # the same, for a chain

`page_content` is the product's name and its best review sentences; `metadata` holds plain JSON values only
(str, int, float, bool, None, lists and dicts of them), so vector stores, serialisers and tracing accept it:
product id, name, brand, category, price, stock, rating, review count, score, the cited review ids with their
ratings, the constraints it satisfied, the facets asked about that it does not state. Code that wants the evidence
objects calls `retriever.search(query, ...)`, which returns the `SearchResult`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import ensure_config
from pydantic import ConfigDict, Field

from .constraints import Constraints
from .guide import RELEVANCE, checked_sort
from .search import ProductSearcher, RankedProduct, SearchResult

PER_CALL = ("top_k", "constraints", "sort")  # what invoke(..., **kwargs) or config["configurable"] may set


def product_document(item: RankedProduct) -> Document:
    p, s = item.product, item.stats
    lines = [f"{p.name} ({p.brand}, {p.price:,}원)" if p.price is not None else p.name]
    lines += [f"- {e.sentence}" for e in item.evidence]
    return Document(
        page_content="\n".join(lines),
        id=p.product_id,
        metadata={
            "product_id": p.product_id,
            "name": p.name,
            "brand": p.brand,
            "category": p.category,
            "price": p.price,
            "in_stock": p.in_stock,
            "rating_mean": None if s.rating_mean is None else float(s.rating_mean),
            "rating_max": float(s.rating_scale[1]),
            "review_count": int(s.review_count),
            "score": float(item.score),
            "review_ids": [e.review_id for e in item.evidence],
            "review_ratings": [float(e.rating) for e in item.evidence],
            "satisfied": [str(label) for label in item.satisfied],
            "unknown": [str(key) for key in item.unknown],
        },
    )


class ShoppingRetriever(BaseRetriever):
    """Hybrid Korean product retrieval with hard constraints, as a LangChain retriever.

    Per call (keyword arguments of `invoke`, or `config={"configurable": {...}}`; keywords win):
    `top_k` (≥ 1), `constraints` (a `Constraints`, replacing what the question states) and `sort` (one of
    `rag.SORT_CHOICES`, replacing the order the question asks for)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: ProductSearcher
    top_k: int = Field(default=5, ge=1)
    constraints: Constraints | None = None  # fixed constraints; None: those the question states
    sort: str | None = None  # fixed order; None: the question's

    def invoke(self, input: str, config: RunnableConfig | None = None, **kwargs: Any) -> list[Document]:
        configurable = ensure_config(config).get("configurable", {})
        given = {k: configurable[k] for k in PER_CALL if k in configurable}
        return super().invoke(input, config, **{**given, **kwargs})

    async def ainvoke(self, input: str, config: RunnableConfig | None = None, **kwargs: Any) -> list[Document]:
        configurable = ensure_config(config).get("configurable", {})
        given = {k: configurable[k] for k in PER_CALL if k in configurable}
        return await super().ainvoke(input, config, **{**given, **kwargs})

    def search(self, query: str, **kwargs: Any) -> SearchResult:
        unknown = sorted(set(kwargs) - set(PER_CALL))
        if unknown:
            raise TypeError(f"unknown retriever argument(s) {', '.join(unknown)}; valid: {', '.join(PER_CALL)}")
        top_k = kwargs.get("top_k", self.top_k)
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
            raise ValueError(f"top_k must be an int ≥ 1, got {top_k!r}")
        constraints = kwargs.get("constraints", self.constraints)
        if constraints is not None and not isinstance(constraints, Constraints):
            raise TypeError(
                f"constraints must be a rag.Constraints or None, got {type(constraints).__name__}; "
                "e.g. Constraints(price_max=50_000)"
            )
        sort = checked_sort(kwargs.get("sort", self.sort))
        parsed = self.searcher.parse(query)
        if sort is not None:
            parsed = replace(parsed, sort=None if sort == RELEVANCE else sort)
        return self.searcher.search(parsed, constraints=constraints, top_k=top_k)

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return [product_document(item) for item in self.search(query, **kwargs).products]
