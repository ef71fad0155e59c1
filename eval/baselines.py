"""Public-style keyword baselines over the same index folder's catalog documents.

- whitespace BM25: `bm25s` over `str.split()` tokens (no analysis at all);
- kiwi-BM25 (Okapi): `rank_bm25.BM25Okapi` over the forms of every morpheme `Kiwi.tokenize` returns, particles
  and endings included, no tag filter, k1=1.5 b=0.75 epsilon=0.25 — what langchain-teddynote's
  `KiwiBM25Retriever` does (`[t.form for t in kiwi.tokenize(text)]` into `BM25Okapi`).

Both see every document of the index (product texts and reviews) and no constraints. A document hit becomes an
item hit like in our searcher: the `depth` best documents with a score above 0, each item scored by its best
document, items sorted by that score.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np

from rag.index.build import ProgressFactory, no_progress

from .datasets import EvalQuery
from .systems import Answer

logger = logging.getLogger(__name__)


def items_by_best_document(
    doc_ids: Sequence[int], scores: Sequence[float], doc_items: Sequence[str], k: int
) -> list[str]:
    """Item ids ranked by their best document's score (ties: the earlier document wins), at most k."""
    best: dict[str, float] = {}
    for doc, score in zip(doc_ids, scores, strict=True):
        if score <= 0:
            continue
        item = doc_items[int(doc)]
        if item not in best or score > best[item]:
            best[item] = float(score)
    order = sorted(best, key=lambda item: -best[item])  # stable: first-seen order among ties
    return order[:k]


class WhitespaceBM25:
    """bm25s (its default Lucene BM25, k1=1.5, b=0.75) over whitespace tokens."""

    key = "bm25_whitespace"

    def __init__(self, texts: Sequence[str], doc_items: Sequence[str], depth: int = 200) -> None:
        import bm25s

        self.doc_items = list(doc_items)
        self.depth = depth
        self.retriever = bm25s.BM25()
        self.retriever.index([t.split() or [""] for t in texts], show_progress=False)
        self._vocab = self.retriever.vocab_dict

    def answer(self, query: EvalQuery, k: int) -> Answer:
        start = time.perf_counter()
        tokens = [t for t in query.text.split() if t in self._vocab]
        items: list[str] = []
        if tokens:
            ids, scores = self.retriever.retrieve(
                [tokens], k=min(self.depth, len(self.doc_items)), show_progress=False, n_threads=1
            )
            items = items_by_best_document(ids[0], scores[0], self.doc_items, k)
        return Answer(items, not items, (time.perf_counter() - start) * 1000)


class TooSlowError(RuntimeError):
    """A baseline whose build would take longer than its time budget."""


class KiwiBM25Okapi:
    """rank_bm25.BM25Okapi over all kiwi morpheme forms, as the common public Korean BM25 retriever does."""

    key = "bm25_kiwi_okapi"

    def __init__(
        self,
        texts: Sequence[str],
        doc_items: Sequence[str],
        kiwi,
        depth: int = 200,
        progress: ProgressFactory = no_progress,
        batch: int = 2048,
        max_build_seconds: float | None = None,
    ) -> None:
        from rank_bm25 import BM25Okapi

        self.kiwi = kiwi
        self.doc_items = list(doc_items)
        self.depth = depth
        start = time.perf_counter()
        corpus: list[list[str]] = []
        bar = progress(len(texts), "kiwi-okapi tokenize")
        for i in range(0, len(texts), batch):
            chunk = [t or " " for t in texts[i : i + batch]]
            corpus.extend([tok.form for tok in tokens] for tokens in kiwi.tokenize(chunk))
            bar.update(len(chunk))
            projected = (time.perf_counter() - start) * len(texts) / len(corpus)
            if max_build_seconds is not None and len(corpus) >= 4 * batch and projected > max_build_seconds:
                bar.close()
                raise TooSlowError(
                    f"tokenizing {len(texts):,} documents would take about {projected:.0f} s, over the "
                    f"{max_build_seconds:.0f} s budget"
                )
        bar.close()
        self.bm25 = BM25Okapi(corpus)
        self.build_seconds = time.perf_counter() - start
        logger.info("kiwi BM25Okapi over %d documents built in %.1f s", len(corpus), self.build_seconds)

    def tokens(self, text: str) -> list[str]:
        return [tok.form for tok in self.kiwi.tokenize(text or " ")]

    def answer(self, query: EvalQuery, k: int) -> Answer:
        start = time.perf_counter()
        scores = self.bm25.get_scores(self.tokens(query.text))
        depth = min(self.depth, len(scores))
        top = np.argpartition(-scores, depth - 1)[:depth] if depth < len(scores) else np.arange(len(scores))
        top = top[np.argsort(-scores[top], kind="stable")]
        items = items_by_best_document(top, scores[top], self.doc_items, k)
        return Answer(items, not items, (time.perf_counter() - start) * 1000)
