"""BM25F over each product's own fields — name, category, spec values, brand, description — scored as fields.

A product's relevance used to be "one more document among its reviews": the product's text was one document in the
same BM25 and FAISS lists as every review, so a product with many reviews that share the shopper's words out-voted
the one product whose name says exactly what was asked (`전동 책상`, `캡슐세제`, `두부모래`). Here the product's
fields are a separate, small index (one row per product) that the ranking combines with the review evidence
(`rag.ranking.combine_relevance`).

BM25F (Robertson, Zaragoza & Taylor 2004): per term, the field term frequencies are length-normalised per field,
weighted and summed before one saturation, tf~ = Σ_f w_f · tf_f / (1 − b + b · len_f / avglen_f), score =
Σ_t idf(t) · tf~ / (k1 + tf~). The idf is over products, log(N / n_t): a term every product has (`영화` on NSMC,
where every product is "영화 <id>" in category "영화") scores 0, so a catalog without product fields is unaffected.
The name weight and `RankingConfig.field_weight` were chosen by `python -m eval.experiments.field_weights` (its rule
is in its docstring): name 1.0 and field share 0.7 gave demo MRR@10 0.916 (0.887 with no field share) and put the
named product first for 88 % of the catalog's name-word queries (69 % without); names 3 and 5 were no better.
The other weights (category 2, specs/brand/description 1, k1 1.2, b 0.5) were set once and not tuned.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

from .analyzer import KoreanAnalyzer
from .records import Product

FIELDS: tuple[str, ...] = ("name", "category", "specs", "brand", "description")


@dataclass(frozen=True)
class FieldWeights:
    name: float = 1.0
    category: float = 2.0
    specs: float = 1.0  # attribute keys and values as written ("무게 420g(한쪽, 260mm)")
    brand: float = 1.0
    description: float = 1.0
    k1: float = 1.2
    b: float = 0.5  # fields are short; half the usual length normalisation

    def __post_init__(self) -> None:
        if min(self.name, self.category, self.specs, self.brand, self.description) < 0:
            raise ValueError("field weights must be ≥ 0")
        if self.k1 <= 0 or not 0 <= self.b <= 1:
            raise ValueError(f"k1 must be > 0 and b within 0–1, got k1={self.k1}, b={self.b}")

    def to_dict(self) -> dict:
        return asdict(self)


def product_fields(product: Product) -> dict[str, str]:
    """The text of each field; specs are the attribute keys and values as the catalog writes them."""
    return {
        "name": product.name,
        "category": " ".join(product.category_path()),
        "specs": " ".join(f"{k} {v}" for k, v in product.attributes.items()),
        "brand": product.brand,
        "description": product.description,
    }


class FieldIndex:
    """term → (product rows, saturated BM25F contribution): a query's field score is a sum over its terms."""

    def __init__(
        self,
        postings: dict[str, tuple[np.ndarray, np.ndarray]],
        n_products: int,
        names: Sequence[str] = (),
        weights: FieldWeights | None = None,
    ) -> None:
        self.postings = postings
        self.n_products = n_products
        self.weights = weights or FieldWeights()
        # every name lower-cased without spaces, one per line: a query word is looked up as a substring
        compact = [re.sub(r"\s+", "", n).lower() for n in names]
        self._names = "\n".join(compact)
        self._starts = np.cumsum([0] + [len(n) + 1 for n in compact[:-1]]) if compact else np.zeros(0, dtype=np.int64)

    @classmethod
    def build(
        cls, products: Sequence[Product], analyzer: KoreanAnalyzer, weights: FieldWeights | None = None
    ) -> FieldIndex:
        """One kiwi pass over every product's fields (a catalog without own text — NSMC — gets an empty index)."""
        weights = weights or FieldWeights()
        if not any(p.has_own_text() for p in products):
            return cls(
                {}, len(products), (), weights
            )  # names like "영화 123" in one category: nothing for fields to add
        texts = [product_fields(p)[f] for p in products for f in FIELDS]
        analysed = list(analyzer.terms_batch(texts))
        per_field = [analysed[i * len(FIELDS) : (i + 1) * len(FIELDS)] for i in range(len(products))]
        avg = {f: max(np.mean([len(terms[j]) for terms in per_field]), 1.0) for j, f in enumerate(FIELDS)}
        tf_tilde: dict[str, dict[int, float]] = defaultdict(dict)
        for row, fields in enumerate(per_field):
            combined: Counter = Counter()
            for j, f in enumerate(FIELDS):
                terms = fields[j]
                if not terms:
                    continue
                norm = 1 - weights.b + weights.b * len(terms) / avg[f]
                for term, n in Counter(terms).items():
                    combined[term] += getattr(weights, f) * n / norm
            for term, value in combined.items():
                if value > 0:
                    tf_tilde[term][row] = value
        n = len(products)
        postings = {}
        for term, rows in tf_tilde.items():
            idf = math.log(n / len(rows))
            if idf <= 0:
                continue  # every product has it: it tells none apart
            keys = np.fromiter(rows, dtype=np.int64, count=len(rows))
            values = np.array([rows[r] for r in keys], dtype=np.float64)
            postings[term] = (keys, idf * values / (weights.k1 + values))
        return cls(postings, n, [p.name for p in products], weights)

    def __bool__(self) -> bool:
        return bool(self.postings)

    def scores(self, terms: Sequence[str], allowed: np.ndarray | None = None, text: str = "") -> dict[int, float]:
        """product row → field score (> 0) for the query terms (and the words of `text` found verbatim in a product
        name, see `name_matches`), only rows inside `allowed`."""
        total: dict[int, float] = defaultdict(float)
        for term in dict.fromkeys(terms):
            hit = self.postings.get(term)
            if hit is None:
                continue
            for row, value in zip(hit[0].tolist(), hit[1].tolist(), strict=True):
                if allowed is None or allowed[row]:
                    total[row] += value
        for row, value in self.name_matches(text).items():
            if allowed is None or allowed[row]:
                total[row] += value
        return dict(total)

    def name_matches(self, text: str) -> dict[int, float]:
        """Words of the question that occur verbatim (spaces and case ignored) inside a product's name, scored as a
        name-field hit with their idf over names. Kiwi can read one compound differently alone and in context
        ('두부모래' alone → 부모; in '두부랑 두부모래 오리지널' → 두부 + 모래), so the surface word is matched too."""
        if not self._names or not text:
            return {}
        w, k1 = self.weights.name, self.weights.k1
        out: dict[int, float] = defaultdict(float)
        for word in dict.fromkeys(_surface_words(text)):
            rows = self._rows_containing(word)
            if 0 < len(rows) <= self.n_products / 2:  # a word in half the names tells little apart
                value = math.log(self.n_products / len(rows)) * w / (k1 + w)
                for row in rows:
                    out[row] += value
        return dict(out)

    def _rows_containing(self, word: str) -> set[int]:
        rows, at = set(), self._names.find(word)
        while at >= 0:
            rows.add(int(np.searchsorted(self._starts, at, side="right") - 1))
            at = self._names.find(word, at + 1)
        return rows


# particles and endings a shopper glues to a product word: '두부모래로', '캡슐세제는', '전동책상이요'
_TRAILING = re.compile(r"(?:이랑|랑|으로|로|은|는|이|가|을|를|도|만|에|요|이요|같은|처럼)$")


def _surface_words(text: str) -> list[str]:
    """The question's words of ≥ 2 Hangul syllables (or ≥ 3 Latin letters / digits) without a trailing particle."""
    out = []
    for raw in re.findall(r"[0-9A-Za-z가-힣]+", text.lower()):
        word = raw
        stripped = _TRAILING.sub("", word)
        if len(stripped) >= 2:
            word = stripped
        if (re.fullmatch(r"[가-힣]+", word) and len(word) >= 2) or (word.isascii() and len(word) >= 3):
            out.append(word)
    return out
