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
from .index.sparse import SparseSearcher
from .index.store import HybridIndex
from .query import ParsedQuery, QueryParser, QueryVocabulary
from .query import missing_product_type
from .ranking import RankingConfig, aggregate, final_scores, rrf_scores
from .records import Product, Review
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
    not_carried: str | None = None  # a product type the question names that the catalog does not carry
    nearest_categories: list[str] = field(default_factory=list)  # carried categories nearest to it
    sold_out_best: list[RankedProduct] = field(default_factory=list)  # better matches left out as sold out

    @property
    def found(self) -> bool:
        return bool(self.products)


def _single_threaded_faiss() -> None:
    """One query's flat search gains nothing from threads (1.3 ms on 20k vectors with one, 1.9 ms with two on 2
    cores), and FAISS's OpenMP threads fight the embedding model's still-spinning ones: 8 → 4 ms per search in
    eval.bench_search on the full NSMC index. Process-wide; the index build (adds to a flat index) is unaffected."""
    import faiss

    faiss.omp_set_num_threads(1)


class _Laps:
    """Milliseconds per stage, in the order the stages ran."""

    def __init__(self, timings: dict[str, float] | None = None) -> None:
        self.timings = dict(timings or {})
        self._clock = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = (now - self._clock) * 1000
        self._clock = now

    def resumed(self) -> _Laps:
        return _Laps(self.timings)


@dataclass
class Candidates:
    """What `ProductSearcher.retrieve` found: both ranked document lists, inside the hard constraints."""

    parsed: ParsedQuery
    constraints: Constraints
    candidates: int  # products that satisfy the constraints
    terms: list[str]  # the query's BM25 terms that occur in the index
    sparse_ids: list[int]
    dense_ids: list[int]
    timer: _Laps


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
        self._n_dense = int(self.view.doc_dense.sum())
        _single_threaded_faiss()
        self._bm25 = SparseSearcher(index.sparse)
        self._vocab = self._bm25.vocab
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
        found = self.retrieve(query, constraints, config)
        return found if isinstance(found, SearchResult) else self.rank(found, top_k, config)

    def retrieve(
        self, query: str | ParsedQuery, constraints: Constraints | None = None, config: RankingConfig | None = None
    ) -> Candidates | SearchResult:
        """Parse, filter and run both searches inside the filter. A `SearchResult` when the search stops early
        (nothing satisfies the constraints, or the catalog has no such product type); otherwise the candidates
        that `rank` orders, so one retrieval can be ranked under several configs (eval's tuning does)."""
        config = config or self.config
        timer = _Laps()
        parsed = self.parse(query) if isinstance(query, str) else query
        constraints = constraints if constraints is not None else Constraints.from_query(parsed)
        timer.lap("parse")
        missing = None if parsed.categories else missing_product_type(parsed.text, self._category_text)
        if missing:
            note = [f"이 카탈로그에는 '{missing}' 상품이 없어요."]
            return SearchResult(parsed, constraints, [], 0, note, 0, timer.timings)
        allowed = product_mask(self.view, constraints)
        candidates = int(allowed.sum())
        timer.lap("filter")
        if candidates == 0:
            return SearchResult(parsed, constraints, [], 0, explain_empty(self.view, constraints), 0, timer.timings)
        # no constraint removes anything: search unmasked (saves a gather and a mask over every document)
        doc_mask = None if candidates == len(allowed) else allowed[self.view.doc_product]
        text = parsed.keywords or parsed.text
        terms = [t for t in dict.fromkeys(self.index.analyzer.terms(text)) if t in self._vocab]
        sparse_ids = self._sparse(terms, doc_mask, config.depth) if config.sparse_weight > 0 else []
        timer.lap("sparse")
        dense_ids: list[int] = []
        if config.dense_weight > 0:
            vector = self.index.embedder.embed_query_array(text)
            timer.lap("embed")
            dense_ids = self._dense(vector, doc_mask, config.depth)
        timer.lap("dense")
        return Candidates(parsed, constraints, candidates, terms, sparse_ids, dense_ids, timer)

    def rank(self, found: Candidates, top_k: int = 5, config: RankingConfig | None = None) -> SearchResult:
        """Fuse, aggregate to products, add the behaviour prior and soft preferences, attach the evidence."""
        timer = found.timer.resumed()
        leaders = self.order(found, top_k, config)
        timer.lap("rank")
        docs = {row: self._documents(doc_ids) for row, _, _, _, doc_ids in leaders}
        best = self._best_sentences([r for pairs in docs.values() for _, r in pairs if r is not None], found.terms)
        ranked = [
            self._ranked(row, score, relevance, prior, docs[row], best, found.terms, found.constraints)
            for row, score, relevance, prior, _ in leaders
        ]
        timer.lap("evidence")
        sparse_hits = len(found.sparse_ids)
        return SearchResult(found.parsed, found.constraints, ranked, found.candidates, [], sparse_hits, timer.timings)

    def order(
        self, found: Candidates, top_k: int = 5, config: RankingConfig | None = None
    ) -> list[tuple[int, float, float, float, list[int]]]:
        """The best `top_k` products as (catalog row, score, relevance 0–1, prior, best document ids); no evidence."""
        config = config or self.config
        parsed = found.parsed
        fused = rrf_scores(
            [found.sparse_ids, found.dense_ids], [config.sparse_weight, config.dense_weight], config.rrf_k
        )
        products = aggregate(fused, self.view.doc_product, config.doc_decay, config.docs_per_product)
        rows = np.array(sorted(products), dtype=np.int64)
        relevance = np.array([products[r][0] for r in rows])
        scores, prior = final_scores(
            relevance, rows, self.view.features, self.view.price, config, parsed.sort, parsed.cheap
        )
        if parsed.negations:  # complaints are read from the catalog: only for the leading candidates
            lead = np.argsort(-scores, kind="stable")[: max(4 * top_k, 20)]
            complaints = np.zeros(len(rows))
            complaints[lead] = self._complaints(rows[lead], parsed.negations)
            scores = scores - config.negation_penalty * complaints
        top_rel = relevance.max() if len(relevance) else 1.0
        return [
            (int(rows[i]), float(scores[i]), float(relevance[i] / top_rel), float(prior[i]), products[int(rows[i])][1])
            for i in np.argsort(-scores, kind="stable")[:top_k]
        ]

    # ---- the two searches, both inside the mask ----

    def _sparse(self, terms: list[str], doc_mask: np.ndarray | None, depth: int) -> list[int]:
        return self._bm25.top(terms, min(depth, self._n_docs), doc_mask)[0].tolist()

    def _dense(self, vector: np.ndarray, doc_mask: np.ndarray | None, depth: int) -> list[int]:
        # the index searches inside the mask itself, exactly or by its graph as its size and the mask call for
        return self.index.dense_index.search(vector, depth, doc_mask)

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

    def _documents(self, doc_ids: list[int]) -> list[tuple[object, Review | None]]:
        """(document, its review or None for product text) for each document id."""
        out = []
        for doc_id in doc_ids:
            doc = self.index.catalog.document(doc_id)
            out.append((doc, None if doc.review_id is None else self.index.catalog.review(doc.review_id)))
        return out

    def _best_sentences(self, reviews: list[Review], terms: list[str]) -> dict[str, tuple[str, set[str]]]:
        """review id → (its sentence with the most query terms, those terms); one kiwi call for all reviews."""
        wanted = set(terms)
        out = {}
        analysed = self.index.analyzer.sentence_terms_batch([r.text for r in reviews])
        for review, sentences in zip(reviews, analysed, strict=True):
            best, best_hits = review.text, set()
            if len(sentences) > 1 and len(review.text) > 60:  # a short review is quoted whole
                for sentence, sentence_terms in sentences:
                    hits = wanted & set(sentence_terms)
                    if len(hits) > len(best_hits):
                        best, best_hits = sentence, hits
            else:
                best_hits = wanted & {t for _, sentence_terms in sentences for t in sentence_terms}
            out[review.review_id] = (best.strip(), best_hits)
        return out

    def _ranked(
        self,
        row: int,
        score: float,
        relevance: float,
        prior: float,
        docs: list[tuple[object, Review | None]],
        best: dict[str, tuple[str, set[str]]],
        terms: list[str],
        constraints: Constraints,
    ) -> RankedProduct:
        product = self.view.products[row]
        evidence, matched = [], set()
        wanted = set(terms)
        for doc, review in docs:
            matched |= wanted & set(doc.terms)
            if review is None:
                continue
            sentence, hits = best[review.review_id]
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
