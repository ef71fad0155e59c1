"""LangChain `BaseRetriever` over `ProductSearcher`: one `Document` per recommended product.

    retriever = ShoppingRetriever(searcher=searcher, top_k=5)
    docs = retriever.invoke("자취방에서 쓸 조용한 가습기 5만원 이하")

`page_content` is the product's name and its best review sentences; `metadata` carries the id, price,
rating, review count, score, the cited review ids and the constraints it satisfied — and the whole
`RankedProduct` under "ranked" for code that wants the evidence objects.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from .constraints import Constraints
from .search import ProductSearcher, RankedProduct, SearchResult


def product_document(item: RankedProduct) -> Document:
    p, s = item.product, item.stats
    lines = [f"{p.name} ({p.brand}, {p.price:,}원)" if p.price is not None else p.name]
    lines += [f"- {e.sentence}" for e in item.evidence]
    return Document(
        page_content="\n".join(lines),
        metadata={
            "product_id": p.product_id,
            "name": p.name,
            "brand": p.brand,
            "category": p.category,
            "price": p.price,
            "rating_mean": s.rating_mean,
            "review_count": s.review_count,
            "score": item.score,
            "review_ids": [e.review_id for e in item.evidence],
            "satisfied": item.satisfied,
            "ranked": item,
        },
    )


class ShoppingRetriever(BaseRetriever):
    """Hybrid Korean product retrieval with hard constraints, as a LangChain retriever."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    searcher: ProductSearcher
    top_k: int = 5
    constraints: Constraints | None = None  # fixed constraints; None: those the question states

    def search(self, query: str, **kwargs: Any) -> SearchResult:
        return self.searcher.search(
            query, constraints=kwargs.get("constraints", self.constraints), top_k=kwargs.get("top_k", self.top_k)
        )

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return [product_document(item) for item in self.search(query, **kwargs).products]
