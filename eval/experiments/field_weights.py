"""Choose the product-field weights (`RankingConfig.field_weight`, `FieldWeights.name`) by measurement.

    python -m eval.experiments.field_weights [--index DIR] [--work DIR]

Two sets, both on the demo catalog:
- the demo query set (72 questions, eval/data/demo_queries.jsonl), asked as eval's OurSearcher asks them;
- name-word queries, generated from the catalog by a rule fixed before looking at any output: for every product,
  every word of its name (≥ 2 Hangul syllables, no digits) that occurs in no other product's name and is not its
  category's own name is a query on its own, and the product is the one right answer (`전동` → the 전동 책상,
  `캡슐세제` → the capsule detergent). It measures exactly what field scoring is for: a product whose own name
  says what was asked must come first, whatever the review volume of its neighbours.

Each query is retrieved once; every configuration re-ranks (`ProductSearcher.order`); a name weight rebuilds the
small field index. Rule: admissible = demo MRR@10 not below the no-field configuration's (field_weight 0) and demo
nDCG@10 at most 0.005 below it; among those, maximise name-word top-1, then demo MRR@10, then take the smaller
field weight.
"""

from __future__ import annotations

import argparse
import itertools
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.analyzer import KoreanAnalyzer
from rag.embedders import make_embedder
from rag.fields import FieldIndex, FieldWeights
from rag.index.store import HybridIndex
from rag.ranking import RankingConfig
from rag.search import ProductSearcher, SearchResult

from ..datasets import EvalQuery, load_demo_queries
from ..indexes import ensure_demo_index
from ..metrics import mrr_at_k, ndcg_at_k
from ..systems import OurSearcher

FIELD_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
NAME_WEIGHTS = (1.0, 3.0, 5.0)


def name_word_queries(searcher: ProductSearcher) -> list[EvalQuery]:
    products = searcher.view.products
    out = []
    for p in products:
        leaf = p.category_path()[-1] if p.category else ""
        for w in sorted(set(re.findall(r"[가-힣]{2,}", p.name))):
            if w == leaf or any(w in q.name.replace(" ", "") for q in products if q is not p):
                continue
            out.append(EvalQuery(f"name:{p.product_id}:{w}", w, relevant={p.product_id: 1.0}))
    return out


def retrieved(searcher: ProductSearcher, queries) -> list:
    asker = OurSearcher("fields", searcher, RankingConfig(), parse=True)
    out = []
    for q in queries:
        found = searcher.retrieve(*asker.request(q))
        out.append((q, None if isinstance(found, SearchResult) else found))
    return out


def score(searcher: ProductSearcher, runs: list, config: RankingConfig) -> dict[str, float]:
    mrr, ndcg, top1 = [], [], []
    products = searcher.view.products
    for q, found in runs:
        if not q.answerable:
            continue
        items = [] if found is None else [products[row].product_id for row, *_ in searcher.order(found, 10, config)]
        mrr.append(mrr_at_k(items, q.relevant, 10))
        ndcg.append(ndcg_at_k(items, q.relevant, 10))
        top1.append(float(bool(items) and q.relevant.get(items[0], 0) > 0))
    return {"mrr@10": float(np.mean(mrr)), "ndcg@10": float(np.mean(ndcg)), "top1": float(np.mean(top1))}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--index", type=Path, help="a demo index to reuse (default: built under --work)")
    p.add_argument("--work", type=Path, default=Path("reports/tuning"))
    args = p.parse_args()
    analyzer, embedder = KoreanAnalyzer(), make_embedder()
    path = args.index or args.work / "demo"
    if args.index is None:
        ensure_demo_index(path, analyzer, embedder)
    searcher = ProductSearcher(HybridIndex.open(path, embedder=embedder, analyzer=analyzer))
    demo = retrieved(searcher, load_demo_queries())
    names = retrieved(searcher, name_word_queries(searcher))
    print(f"{len(demo)} demo questions, {len(names)} name-word queries")
    rows = []
    for name_w in NAME_WEIGHTS:
        searcher.fields = FieldIndex.build(searcher.view.products, analyzer, FieldWeights(name=name_w))
        for field_w in FIELD_WEIGHTS:
            config = replace(RankingConfig(), field_weight=field_w)
            rows.append((name_w, field_w, score(searcher, demo, config), score(searcher, names, config)))
    base = next(r for r in rows if r[1] == 0.0)
    admissible = [
        r for r in rows if r[2]["mrr@10"] >= base[2]["mrr@10"] and r[2]["ndcg@10"] >= base[2]["ndcg@10"] - 0.005
    ]
    chosen = max(admissible, key=lambda r: (r[3]["top1"], r[2]["mrr@10"], -r[1]))
    print(f"{'name_w':>6s} {'field_w':>7s} | {'demo MRR':>8s} {'demo nDCG':>9s} | {'name top-1':>10s}")
    for r in itertools.chain(rows):
        mark = "← chosen" if r is chosen else ("" if r in admissible else "(not admissible)")
        print(f"{r[0]:6.1f} {r[1]:7.2f} | {r[2]['mrr@10']:8.4f} {r[2]['ndcg@10']:9.4f} | {r[3]['top1']:10.3f} {mark}")


if __name__ == "__main__":
    main()
