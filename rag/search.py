"""From a Korean question to a short list of products, each with the evidence behind it.

parse → hard constraints as masks → BM25 (kiwi terms) and dense (FAISS) searches inside the mask →
weighted reciprocal-rank fusion → documents aggregated to products → behaviour prior → evidence.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

import numpy as np

from .carried import CatalogTypes
from .catalog_view import CatalogView
from .constraints import Constraints, explain_empty, product_mask, unknown_facets
from .facets import USUAL_KEYS, spec_value
from .fields import FieldIndex, FieldWeights
from .generation.aspects import says_word
from .generation.templates import say
from .index.sparse import SparseSearcher
from .index.store import HybridIndex
from .query import ParsedQuery, QueryParser, QueryVocabulary, Superlative
from .query.use_context import UseContexts
from .ranking import RankingConfig, aggregate, combine_relevance, final_scores, rrf_scores
from .records import Product, Review
from .stats import ProductStats

logger = logging.getLogger(__name__)

# a superlative orders the candidates at least this relevant (× the best one's relevance): "가장 가벼운 유모차" orders
# the strollers, not the one light product that only shares a word
SUPERLATIVE_FLOOR = 0.5


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
    unknown: list[str] = field(default_factory=list)  # facets asked about that it does not state ('무게')


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
    ordered_by: str | None = None  # the superlative the products are ordered by ("가장 가벼운"), when one was asked
    notes: list[str] = field(default_factory=list)  # what the answer should say about how the question was read

    @property
    def found(self) -> bool:
        return bool(self.products)


def _single_threaded_faiss() -> None:
    """One query's flat search gains nothing from threads (1.3 ms on 20k vectors with one, 1.9 ms with two on 2
    cores), and FAISS's OpenMP threads fight the embedding model's still-spinning ones: 8 → 4 ms per search in
    eval.bench_search on the full NSMC index. Process-wide; the index build (adds to a flat index) is unaffected."""
    import faiss

    faiss.omp_set_num_threads(1)


def _mostly_latin(text: str) -> bool:
    """An English (or mostly English) question: more Latin letters than Hangul syllables."""
    latin = sum(ch.isascii() and ch.isalpha() for ch in text)
    return latin > sum("가" <= ch <= "힣" for ch in text)


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
    allowed: np.ndarray | None = None  # bool per product row: inside the hard constraints (None: all)
    with_sold_out: Candidates | None = None  # the same searches with sold-out products let in (is the best sold out?)
    notes: list[str] = field(default_factory=list)


class ProductSearcher:
    """Search one opened index. Build once per index and share it; `search` is safe to call from threads."""

    def __init__(
        self,
        index: HybridIndex,
        config: RankingConfig | None = None,
        parser: QueryParser | None = None,
        field_weights: FieldWeights | None = None,
    ) -> None:
        self.index = index
        self.config = config or RankingConfig()
        self.view = CatalogView.from_index(index)
        self.fields = FieldIndex.build(self.view.products, index.analyzer, field_weights)
        if parser is None:
            # the facets the view loaded from the index (typed once, at ingest), not a second typing pass
            stored = {p.product_id: fs for p, fs in zip(self.view.products, self.view.facets, strict=True)}
            vocabulary = QueryVocabulary.from_products(self.view.products, index.analyzer, stored)
            # situations → qualities from the catalog's own texts; a catalog without product fields (NSMC's
            # movies) asks no use cases of products
            contexts = (
                UseContexts.from_documents(
                    (d.terms for d in index.catalog.documents() if d.review_id is not None), index.analyzer
                )
                if self.fields
                else None
            )
            parser = QueryParser(index.analyzer, vocabulary, contexts)
        self.parser = parser
        self._n_docs = len(self.view.doc_product)
        self._n_dense = int(self.view.doc_dense.sum())
        _single_threaded_faiss()
        self._bm25 = SparseSearcher(index.sparse)
        self._vocab = self._bm25.vocab
        # "not carried" is judged by the catalog's product fields; a catalog without them (NSMC's movies) has no
        # product types to judge by beyond one category, and its queries are reviews, not requests: no check
        self.types = CatalogTypes(self.view.products, index.analyzer, self.parser.vocabulary) if self.fields else None

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
        notes: list[str] = []
        timer.lap("parse")
        if self.types is not None:
            # categories the caller set (the shopper's edit, or carried over from the conversation) name a type too
            given = tuple(c for c in constraints.categories if c not in parsed.categories)
            types = self.types.resolve(parsed, given)
            if types.missing is not None:
                word = types.missing.canonical
                nearest = self.types.nearest(word, self.index.embedder)
                note = [say("NOT_CARRIED", word=word)]
                timer.lap("types")
                return SearchResult(parsed, constraints, [], 0, note, 0, timer.timings, word, nearest)
            if types.categories:  # an English type name the parser does not read: 'cheap air fryer' → 에어프라이어
                constraints = replace(constraints, categories=types.categories)
            if types.korean_words:  # and its Korean name is searched too, in reviews and product fields
                parsed = replace(parsed, keywords=" ".join([parsed.keywords or parsed.text, *types.korean_words]))
            if not types.mentions and not constraints.categories and _mostly_latin(parsed.text):
                example = self.types.leaves[0].split(">")[-1] if self.types.leaves else "가습기"
                notes.append(say("NOTE_NO_PRODUCT_TYPE", example=example))
        base = product_mask(self.view, replace(constraints, in_stock_only=False))
        allowed = base & (self.view.in_stock != 0) if constraints.in_stock_only else base
        sold = base & (self.view.in_stock == 0) if constraints.in_stock_only else None
        candidates = int(allowed.sum())
        timer.lap("filter")
        text = parsed.keywords or parsed.text
        terms = [t for t in dict.fromkeys(self.index.analyzer.terms(text)) if t in self._vocab]
        vector = None
        with_sold_out = None
        if sold is not None and sold.any():  # was the best match left out as sold out? the same searches, stock aside
            if config.dense_weight > 0:
                vector = self.index.embedder.embed_query_array(text)
                timer.lap("embed")
            with_sold_out = self._candidates(parsed, constraints, base, terms, vector, config, _Laps())
            timer.lap("sold_out")
        if candidates == 0:
            result = SearchResult(parsed, constraints, [], 0, explain_empty(self.view, constraints), 0, timer.timings)
            if with_sold_out is not None:
                result.sold_out_best = self._sold_out_best(with_sold_out, config)
            return result
        found = self._candidates(parsed, constraints, allowed, terms, vector, config, timer)
        found.with_sold_out = with_sold_out
        found.notes = notes
        return found

    def _candidates(
        self,
        parsed: ParsedQuery,
        constraints: Constraints,
        allowed: np.ndarray,
        terms: list[str],
        vector: np.ndarray | None,
        config: RankingConfig,
        timer: _Laps,
    ) -> Candidates:
        """Both searches inside the product mask `allowed` (the query vector is embedded once and reused)."""
        candidates = int(allowed.sum())
        # no constraint removes anything: search unmasked (saves a gather and a mask over every document)
        doc_mask = None if candidates == len(allowed) else allowed[self.view.doc_product]
        sparse_ids = self._sparse(terms, doc_mask, config.depth) if config.sparse_weight > 0 else []
        timer.lap("sparse")
        dense_ids: list[int] = []
        if config.dense_weight > 0:
            if vector is None:
                vector = self.index.embedder.embed_query_array(parsed.keywords or parsed.text)
                timer.lap("embed")
            dense_ids = self._dense(vector, doc_mask, config.depth)
        timer.lap("dense")
        return Candidates(parsed, constraints, candidates, terms, sparse_ids, dense_ids, timer, allowed)

    def rank(self, found: Candidates, top_k: int = 5, config: RankingConfig | None = None) -> SearchResult:
        """Fuse, aggregate to products, add the behaviour prior and soft preferences, attach the evidence."""
        timer = found.timer.resumed()
        leaders = self.order(found, top_k, config)
        timer.lap("rank")
        ranked = self._with_evidence(leaders, found)
        timer.lap("evidence")
        result = SearchResult(
            found.parsed, found.constraints, ranked, found.candidates, [], len(found.sparse_ids), timer.timings
        )
        if found.with_sold_out is not None:
            result.sold_out_best = self._sold_out_best(found.with_sold_out, config)
            timer.lap("sold_out_rank")
        sup = found.parsed.superlative
        result.notes = list(found.notes)
        if sup is not None and any(self._value(row, sup) is not None for row, *_ in leaders):
            result.ordered_by = sup.label or sup.dimension
            if sup.context:  # implied by a situation (rag.query.use_context): say how the question was read
                key = USUAL_KEYS.get(sup.dimension, (sup.label or sup.dimension,))[0]
                result.notes.append(say("NOTE_USE_CONTEXT", key=key))
        return result

    def _with_evidence(self, leaders: list, found: Candidates) -> list[RankedProduct]:
        docs = {row: self._documents(doc_ids) for row, _, _, _, doc_ids in leaders}
        reviews = [(r, doc.terms) for pairs in docs.values() for doc, r in pairs if r is not None]
        best = self._best_sentences(reviews, found.terms)
        return [
            self._ranked(row, score, relevance, prior, docs[row], best, found.terms, found.constraints)
            for row, score, relevance, prior, _ in leaders
        ]

    def _sold_out_best(self, joint: Candidates, config: RankingConfig | None, most: int = 2) -> list[RankedProduct]:
        """Sold-out products that rank above every in-stock one when stock is set aside: the best match is sold
        out, and the answer says so beside the in-stock alternatives."""
        ahead = []
        for leader in self.order(joint, most + 1, config):
            if self.view.in_stock[leader[0]] != 0:
                break
            ahead.append(leader)
        return self._with_evidence(ahead[:most], joint) if ahead else []

    def _value(self, row: int, sup: Superlative) -> float | None:
        return spec_value(self.view.facets[row], sup.dimension, sup.key_hint, sup.direction)

    def order(
        self, found: Candidates, top_k: int = 5, config: RankingConfig | None = None
    ) -> list[tuple[int, float, float, float, list[int]]]:
        """The best `top_k` products as (catalog row, score, relevance 0–1, prior, best document ids); no evidence.

        After the scores: products that do not state a facet the hard constraints ask about come after every one
        that states a matching value; a superlative ("가장 가벼운") orders the relevance-qualified candidates by the
        facet, those stating it first, and the rest follow by score. Relevance-qualified: inside the hard constraints
        and, when the question names a category, every product of it (the shopper said what kind: "가장 가벼운
        유모차" orders all strollers); without a category, those whose relevance is at least `SUPERLATIVE_FLOOR` of
        the best (so one light product that merely shares a word does not lead)."""
        config = config or self.config
        parsed = found.parsed
        fused = rrf_scores(
            [found.sparse_ids, found.dense_ids], [config.sparse_weight, config.dense_weight], config.rrf_k
        )
        products = aggregate(fused, self.view.doc_product, config.doc_decay, config.docs_per_product)
        fields = (
            self.fields.scores(found.terms, found.allowed, parsed.keywords or parsed.text)
            if config.field_weight > 0 and self.fields
            else {}
        )
        combined = combine_relevance(products, fields, config.field_weight)
        for row in combined.keys() - products.keys():  # found by its fields alone: its own text is the evidence
            doc = int(self.view.product_doc[row])
            products[row] = (0.0, [doc] if doc >= 0 else [])
        rows = np.array(sorted(combined), dtype=np.int64)
        relevance = np.array([combined[r] for r in rows])
        scores, prior = final_scores(
            relevance, rows, self.view.features, self.view.price, config, parsed.sort, parsed.cheap
        )
        if parsed.negations:  # complaints are read from the catalog: only for the leading candidates
            lead = np.argsort(-scores, kind="stable")[: max(4 * top_k, 20)]
            complaints = np.zeros(len(rows))
            complaints[lead] = self._complaints(rows[lead], parsed.negations)
            scores = scores - config.negation_penalty * complaints
        top_rel = relevance.max() if len(relevance) else 1.0
        order = self._facet_order(rows, scores, relevance / (top_rel or 1.0), found.constraints, parsed.superlative)
        return [
            (int(rows[i]), float(scores[i]), float(relevance[i] / top_rel), float(prior[i]), products[int(rows[i])][1])
            for i in order[:top_k]
        ]

    def _facet_order(
        self,
        rows: np.ndarray,
        scores: np.ndarray,
        relevance: np.ndarray,
        constraints: Constraints,
        superlative: Superlative | None,
    ) -> list[int]:
        """Indexes into `rows`, best first: by score, with unstated asked-about facets and superlatives applied."""
        by_score = [int(i) for i in np.argsort(-scores, kind="stable")]
        asks = bool(constraints.specs) or any(not a.wanted for a in constraints.attributes)
        if not asks and superlative is None:
            return by_score
        unknown = {i: bool(asks and unknown_facets(self.view, int(rows[i]), constraints)) for i in by_score}
        sign = 1.0 if superlative is not None and superlative.direction == "min" else -1.0

        named_type = bool(constraints.categories)

        def key(i: int) -> tuple:
            if superlative is None or (not named_type and relevance[i] < SUPERLATIVE_FLOOR):
                return (unknown[i], 2, 0.0)
            value = self._value(int(rows[i]), superlative)
            return (unknown[i], 0, sign * value) if value is not None else (unknown[i], 1, 0.0)

        return sorted(by_score, key=key)  # stable: ties keep the score order

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
                bad = sum(1 for r in reviews if r.rating_norm <= 0.5 and any(says_word(r.text, a) for a in aspects))
                out[i] = bad / len(reviews)
        return out

    def _documents(self, doc_ids: list[int]) -> list[tuple[object, Review | None]]:
        """(document, its review or None for product text) for each document id."""
        out = []
        for doc_id in doc_ids:
            doc = self.index.catalog.document(doc_id)
            out.append((doc, None if doc.review_id is None else self.index.catalog.review(doc.review_id)))
        return out

    def _best_sentences(
        self, reviews: list[tuple[Review, list[str]]], terms: list[str]
    ) -> dict[str, tuple[str, set[str]]]:
        """review id → (its sentence with the most query terms, those terms). A short review is quoted whole and its
        terms are the document's stored ones; only the long ones go through kiwi, in one call."""
        wanted = set(terms)
        out = {}
        long = [r for r, _ in reviews if len(r.text) > 60]
        analysed = dict(
            zip(
                (r.review_id for r in long),
                self.index.analyzer.sentence_terms_batch([r.text for r in long]),
                strict=True,
            )
        )
        for review, doc_terms in reviews:
            sentences = analysed.get(review.review_id)
            best, best_hits = review.text, wanted & set(doc_terms)
            if sentences is not None and len(sentences) > 1:
                best_hits = set()
                for sentence, sentence_terms in sentences:
                    hits = wanted & set(sentence_terms)
                    if len(hits) > len(best_hits):
                        best, best_hits = sentence, hits
            elif sentences is not None:
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
            unknown_facets(self.view, row, constraints),
        )
