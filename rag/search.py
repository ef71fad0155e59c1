"""From a Korean question to a short list of products, each with the evidence behind it.

parse → hard constraints as masks → BM25 (kiwi terms) and dense (FAISS) searches inside the mask →
weighted reciprocal-rank fusion → documents aggregated to products → behaviour prior → evidence.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np

from .catalog_view import CatalogView
from .constraints import Constraints, explain_empty, product_mask
from .index.store import HybridIndex
from .query import ParsedQuery, QueryParser, QueryVocabulary
from .query_types import missing_product_type
from .ranking import RankingConfig, aggregate, final_scores, prior_scores, rrf_scores
from .records import Product
from .stats import ProductStats

logger = logging.getLogger(__name__)


@dataclass
class ReviewEvidence:
    review_id: str
    sentence: str  # the review's sentence that best matches the question
    text: str
    rating: float
    rating_max: float
    created_at: str
    option: str
    helpful: int
    score: float
    matched_terms: list[str]


@dataclass
class RankedProduct:
    product: Product
    stats: ProductStats
    score: float
    relevance: float  # 0–1 within this result
    prior: float  # 0–1 behaviour prior
    evidence: list[ReviewEvidence]
    matched_terms: list[str]  # query terms found in the product's text or its matching reviews
    satisfied: list[str]  # labels of the hard constraints it meets (all of them, by construction)


@dataclass
class SearchResult:
    query: ParsedQuery
    constraints: Constraints
    products: list[RankedProduct]
    candidates: int  # products that satisfy the constraints
    suggestions: list[str] = field(default_factory=list)  # which constraint to loosen, when nothing fits
    sparse_hits: int = 0  # documents with a BM25 match: 0 means no query word occurs in any allowed text
    timings: dict[str, float] = field(default_factory=dict)  # stage → milliseconds

    @property
    def found(self) -> bool:
        return bool(self.products)


class ProductSearcher:
    """Search one opened index. Build once per index and share it; `search` is safe to call from threads."""

    def __init__(
        self, index: HybridIndex, config: RankingConfig | None = None, parser: QueryParser | None = None
    ) -> None:
        self.index = index
        self.config = config or RankingConfig()
        self.view = CatalogView.from_index(index)
        self.parser = parser or QueryParser(
            index.analyzer, QueryVocabulary.from_products(self.view.products, index.analyzer)
        )
        self._n_docs = len(self.view.doc_product)
        self._vocab = index.sparse.vocab_dict
        # product types are judged by categories: a 보조배터리 that charges a 노트북 is no 노트북
        self._category_text = " ".join({p.category for p in self.view.products}).lower()

    def parse(self, text: str) -> ParsedQuery:
        return self.parser.parse(text)

    def search(
        self,
        query: str | ParsedQuery,
        constraints: Constraints | None = None,
        top_k: int = 5,
        config: RankingConfig | None = None,
    ) -> SearchResult:
        if top_k < 1:
            raise ValueError(f"top_k must be ≥ 1, got {top_k}")
        config = config or self.config
        timings: dict[str, float] = {}
        clock = time.perf_counter()

        def lap(name: str) -> None:
            nonlocal clock
            now = time.perf_counter()
            timings[name] = (now - clock) * 1000
            clock = now

        parsed = self.parse(query) if isinstance(query, str) else query
        constraints = constraints if constraints is not None else Constraints.from_query(parsed)
        lap("parse")
        missing = None if parsed.categories else missing_product_type(parsed.text, self._category_text)
        if missing:
            return SearchResult(parsed, constraints, [], 0, [f"이 카탈로그에는 '{missing}' 상품이 없어요."], 0, timings)
        allowed = product_mask(self.view, constraints)
        candidates = int(allowed.sum())
        lap("filter")
        if candidates == 0:
            return SearchResult(parsed, constraints, [], 0, explain_empty(self.view, constraints), 0, timings)
        doc_mask = allowed[self.view.doc_product]
        text = parsed.keywords or parsed.text
        terms = [t for t in dict.fromkeys(self.index.analyzer.terms(text)) if t in self._vocab]
        sparse_ids = self._sparse(terms, doc_mask, config.depth) if config.sparse_weight > 0 else []
        lap("sparse")
        dense_ids: list[int] = []
        if config.dense_weight > 0:
            vector = self.index.embedder.embed_query_array(text)
            lap("embed")
            dense_ids = self._dense(vector, doc_mask, config.depth)
        lap("dense")
        fused = rrf_scores([sparse_ids, dense_ids], [config.sparse_weight, config.dense_weight], config.rrf_k)
        products = aggregate(fused, self.view.doc_product, config.doc_decay, config.docs_per_product)
        rows = np.array(sorted(products), dtype=np.int64)
        relevance = np.array([products[r][0] for r in rows])
        scores = final_scores(relevance, rows, self.view.features, self.view.price, config, parsed.sort, parsed.cheap)
        if parsed.negations:  # complaints are read from the catalog: only for the leading candidates
            lead = np.argsort(-scores, kind="stable")[: max(4 * top_k, 20)]
            complaints = np.zeros(len(rows))
            complaints[lead] = self._complaints(rows[lead], parsed.negations)
            scores = scores - config.negation_penalty * complaints
        order = np.argsort(-scores, kind="stable")[:top_k]
        prior = prior_scores({k: v[rows] for k, v in self.view.features.items()}, config.prior_features)
        top_rel = relevance.max() if len(relevance) else 1.0
        lap("rank")
        ranked = [
            self._ranked(
                int(rows[i]),
                float(scores[i]),
                float(relevance[i] / top_rel),
                float(prior[i]),
                products[int(rows[i])][1],
                terms,
                constraints,
            )
            for i in order
        ]
        lap("evidence")
        return SearchResult(parsed, constraints, ranked, candidates, [], len(sparse_ids), timings)

    # ---- the two searches, both inside the mask ----

    def _sparse(self, terms: list[str], doc_mask: np.ndarray, depth: int) -> list[int]:
        if not terms:
            return []
        k = min(depth, self._n_docs)
        ids, scores = self.index.sparse.retrieve(
            [terms], k=k, weight_mask=doc_mask.astype(np.float32), show_progress=False, n_threads=1
        )
        return [int(d) for d, s in zip(ids[0], scores[0], strict=True) if s > 0 and doc_mask[d]]

    def _dense(self, vector: np.ndarray, doc_mask: np.ndarray, depth: int) -> list[int]:
        import faiss

        allowed = doc_mask & self.view.doc_dense
        n_allowed = int(allowed.sum())
        if n_allowed == 0:
            return []
        query = vector.reshape(1, -1).astype(np.float32)
        k = min(depth, n_allowed)
        if n_allowed == int(self.view.doc_dense.sum()):
            _, ids = self.index.dense.search(query, k)
        else:
            bitmap = np.packbits(allowed, bitorder="little")
            selector = faiss.IDSelectorBitmap(self._n_docs, faiss.swig_ptr(bitmap))
            _, ids = self.index.dense.search(query, k, params=faiss.SearchParameters(sel=selector))
        return [int(i) for i in ids[0] if i >= 0]

    # ---- soft signals and evidence ----

    def _complaints(self, rows: np.ndarray, aspects: list[str]) -> np.ndarray:
        """Share of each product's reviews that mention an unwanted aspect and rate it low (≤ half the scale)."""
        out = np.zeros(len(rows))
        for i, row in enumerate(rows):
            reviews = list(self.index.catalog.reviews(self.view.products[row].product_id))
            if reviews:
                bad = sum(1 for r in reviews if r.rating_norm <= 0.5 and any(a in r.text for a in aspects))
                out[i] = bad / len(reviews)
        return out

    def _ranked(
        self,
        row: int,
        score: float,
        relevance: float,
        prior: float,
        doc_ids: list[int],
        terms: list[str],
        constraints: Constraints,
    ) -> RankedProduct:
        product = self.view.products[row]
        evidence, matched = [], set()
        wanted = set(terms)
        for doc_id in doc_ids:
            doc = self.index.catalog.document(doc_id)
            matched |= wanted & set(doc.terms)
            if doc.review_id is None:
                continue
            review = self.index.catalog.review(doc.review_id)
            sentence, hits = self._best_sentence(review.text, wanted)
            evidence.append(
                ReviewEvidence(
                    review.review_id,
                    sentence,
                    review.text,
                    review.rating,
                    review.rating_max,
                    review.created_at,
                    review.option,
                    review.helpful,
                    float(len(hits)),
                    sorted(hits),
                )
            )
        return RankedProduct(
            product,
            self.view.stats[row],
            score,
            relevance,
            prior,
            evidence,
            [t for t in terms if t in matched],
            constraints.labels(),
        )

    def _best_sentence(self, text: str, wanted: set[str]) -> tuple[str, set[str]]:
        best, best_hits = text, set()
        sentences = self.index.analyzer.sentences(text) if len(text) > 60 else [text]
        for sentence in sentences:
            hits = wanted & set(self.index.analyzer.terms(sentence))
            if len(hits) > len(best_hits):
                best, best_hits = sentence, hits
        return best.strip(), best_hits
