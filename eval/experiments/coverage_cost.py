"""What does the dense coverage policy cost in retrieval quality? Measured on NSMC held-out.

    python -m eval.experiments.coverage_cost [--items 200] [--per-item 3] [--cap 3] [--seed 13]

`--items` movies are drawn (seed), `--per-item` unique reviews each are held out as queries, the other
reviews of those movies are the corpus. Every corpus review is embedded once; the policies then differ only
in which vectors the dense search may see:
- all: every review;
- budget: the default policy's choice (most informative reviews, water-filled to `cap` per movie on average,
  the share the full-NSMC ingest can afford);
- random: `cap` random reviews per movie (seeded), to show what the informativeness ranking adds.
BM25 always sees every review. A movie's score is its best document's score; hybrid = reciprocal-rank
fusion (k=60, equal weights) of the BM25 and dense movie rankings.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import defaultdict

import bm25s
import numpy as np

from eval.heldout import build_item_heldout
from eval.metrics import mrr_at_k, recall_at_k
from ingest.readers import discover
from ingest.validate import validate
from rag.analyzer import KoreanAnalyzer
from rag.embedders import make_embedder
from rag.index.build import analyze, embed, make_documents, no_progress
from rag.index.coverage import DenseCoverage, select_dense


def best_per_item(doc_ids, scores, doc_items) -> list[str]:
    best: dict[str, float] = defaultdict(lambda: -1e9)
    for doc, score in zip(doc_ids, scores, strict=True):
        item = doc_items[int(doc)]
        best[item] = max(best[item], float(score))
    return sorted(best, key=best.get, reverse=True)


def rrf(*rankings: list[str], k: int = 60) -> list[str]:
    fused: dict[str, float] = defaultdict(float)
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            fused[item] += 1.0 / (k + rank)
    return sorted(fused, key=fused.get, reverse=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nsmc", default="../shared/data/nsmc/reviews.tsv.gz")
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--per-item", type=int, default=3)
    parser.add_argument("--cap", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--depth", type=int, default=200)
    args = parser.parse_args()

    data = validate(discover(args.nsmc))
    split = build_item_heldout(
        data.reviews, max_items=args.items, per_item=args.per_item, seed=args.seed, restrict_index_to_items=True
    )
    docs = make_documents([], split.index_reviews)
    analyzer = KoreanAnalyzer()
    analyze(docs, analyzer, no_progress)
    embedder = make_embedder()
    start = time.perf_counter()
    vectors = embed([d.text for d in docs], embedder, no_progress)
    embed_seconds = time.perf_counter() - start
    doc_items = [d.product_id for d in docs]
    helpful = {r.review_id: r.helpful for r in split.index_reviews}

    budget_ids = select_dense(docs, DenseCoverage(budget=args.cap * len(split.items)), helpful)
    rng = random.Random(args.seed)
    by_item: dict[str, list[int]] = defaultdict(list)
    for d in docs:
        by_item[d.product_id].append(d.doc_id)
    random_ids = {i for ids in by_item.values() for i in rng.sample(ids, min(args.cap, len(ids)))}
    masks = {"all": np.ones(len(docs), bool), "budget": np.zeros(len(docs), bool), "random": np.zeros(len(docs), bool)}
    masks["budget"][list(budget_ids)] = True
    masks["random"][list(random_ids)] = True

    sparse = bm25s.BM25()
    sparse.index([d.terms or [""] for d in docs], show_progress=False)
    qvecs = np.stack([embedder.embed_query_array(q.text) for q in split.queries])
    results: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for q, qv in zip(split.queries, qvecs, strict=True):
        rel = {q.item_id: 1}
        terms = [t for t in analyzer.terms(q.text) if t in sparse.vocab_dict]
        if terms:
            ids, scores = sparse.retrieve([terms], k=args.depth, show_progress=False)
            bm25_rank = best_per_item(ids[0], scores[0], doc_items)
        else:
            bm25_rank = []
        results["bm25 (all reviews)"].append((mrr_at_k(bm25_rank, rel, 10), recall_at_k(bm25_rank, rel, 10)))
        sims = vectors @ qv
        for name, mask in masks.items():
            allowed = np.flatnonzero(mask)
            top = allowed[np.argsort(-sims[allowed])[: args.depth]]
            dense_rank = best_per_item(top, sims[top], doc_items)
            results[f"dense ({name})"].append((mrr_at_k(dense_rank, rel, 10), recall_at_k(dense_rank, rel, 10)))
            hybrid = rrf(bm25_rank, dense_rank)
            results[f"hybrid rrf ({name})"].append((mrr_at_k(hybrid, rel, 10), recall_at_k(hybrid, rel, 10)))
    print(f"NSMC held-out: {split.rule}")
    print(
        f"corpus {len(docs):,} reviews; dense vectors: all {masks['all'].sum():,}, budget "
        f"{masks['budget'].sum():,}, random {masks['random'].sum():,}; embedding took {embed_seconds:.0f} s"
    )
    print(f"{'system':24s} {'MRR@10':>7s} {'R@10':>6s}")
    for name, rows in results.items():
        arr = np.array(rows)
        print(f"{name:24s} {arr[:, 0].mean():7.4f} {arr[:, 1].mean():6.3f}")


if __name__ == "__main__":
    main()
