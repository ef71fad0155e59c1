"""Which analyzer settings help Korean BM25 item retrieval on real review text?

    python -m eval.experiments.analyzer_ablation [--nsmc PATH] [--items 1000] [--seed 13]

NSMC held-out (movies stand in for products): one unique review per drawn movie is the query, the other
reviews of the drawn movies are the corpus, a movie's score is its best review's BM25 score. Prints MRR@10,
Recall@10 and analysis speed per variant, measured in one run.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

import bm25s
import numpy as np

from eval.heldout import build_item_heldout
from eval.metrics import mrr_at_k, recall_at_k
from ingest.readers import discover
from ingest.validate import validate
from rag.analyzer import AnalyzerConfig, KoreanAnalyzer

VARIANTS: dict[str, AnalyzerConfig] = {
    "parts (kiwi pieces only)": AnalyzerConfig(compounds="parts"),
    "both (pieces + glued compound)": AnalyzerConfig(compounds="both"),
    "compound (glued only)": AnalyzerConfig(compounds="compound"),
    "both + adverbs (MAG)": AnalyzerConfig(compounds="both", extra_tags=("MAG",)),
    "both + typos=basic": AnalyzerConfig(compounds="both", typos="basic"),
}


def item_ranking(retriever: bm25s.BM25, query_terms: list[str], doc_items: list[str], depth: int = 200) -> list[str]:
    if not query_terms:
        return []
    ids, scores = retriever.retrieve([query_terms], k=min(depth, len(doc_items)), show_progress=False)
    best: dict[str, float] = defaultdict(float)
    for doc, score in zip(ids[0], scores[0], strict=True):
        item = doc_items[int(doc)]
        best[item] = max(best[item], float(score))
    return sorted(best, key=best.get, reverse=True)


def evaluate(corpus_terms, query_terms, doc_items, queries) -> dict[str, float]:
    retriever = bm25s.BM25()
    retriever.index([t or [""] for t in corpus_terms], show_progress=False)
    mrr, rec = [], []
    for terms, q in zip(query_terms, queries, strict=True):
        ranked = item_ranking(retriever, [t for t in terms if t in retriever.vocab_dict], doc_items)
        mrr.append(mrr_at_k(ranked, {q.item_id: 1}, 10))
        rec.append(recall_at_k(ranked, {q.item_id: 1}, 10))
    return {"mrr@10": float(np.mean(mrr)), "recall@10": float(np.mean(rec))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nsmc", default="../shared/data/nsmc/reviews.tsv.gz")
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    data = validate(discover(args.nsmc))
    split = build_item_heldout(data.reviews, max_items=args.items, seed=args.seed, restrict_index_to_items=True)
    docs = [r for r in split.index_reviews if r.text]
    texts = [r.text for r in docs]
    doc_items = [r.product_id for r in docs]
    print(f"NSMC held-out: {split.rule}")
    print(f"{'variant':34s} {'MRR@10':>7s} {'R@10':>7s} {'docs/s':>8s}")
    # whitespace baseline: the public-baseline tokenizer
    ws = evaluate([t.split() for t in texts], [q.text.split() for q in split.queries], doc_items, split.queries)
    print(f"{'whitespace':34s} {ws['mrr@10']:7.4f} {ws['recall@10']:7.4f} {'-':>8s}")
    from kiwipiepy import Kiwi

    kiwi = Kiwi()
    for name, config in VARIANTS.items():
        analyzer = KoreanAnalyzer(config, kiwi=kiwi)
        start = time.perf_counter()
        corpus_terms = list(analyzer.terms_batch(texts))
        rate = len(texts) / (time.perf_counter() - start)
        query_terms = list(analyzer.terms_batch(q.text for q in split.queries))
        res = evaluate(corpus_terms, query_terms, doc_items, split.queries)
        print(f"{name:34s} {res['mrr@10']:7.4f} {res['recall@10']:7.4f} {rate:8.0f}")


if __name__ == "__main__":
    main()
