"""The catalog in memory, as arrays: what filtering and ranking read on every query (no SQL on the hot path).

Built once per opened index (`CatalogView.from_index`) and shared by every search. Every product's typed facets
(`rag.facets`) are loaded here once: from the catalog's `facets` table when the index has one, else typed from
the products' attributes on the fly by `CatalogReader.facets` (the same rules ingest uses), so an index built
before facets existed still filters on specs.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field

import numpy as np

from .facets import Facet
from .index.store import HybridIndex
from .records import Product
from .stats import ProductStats

logger = logging.getLogger(__name__)


@dataclass
class CatalogView:
    products: list[Product]
    stats: list[ProductStats]
    position: dict[str, int]  # product_id → row
    price: np.ndarray  # float, NaN where unknown
    in_stock: np.ndarray  # int8: 1 yes, 0 no, -1 unknown
    doc_product: np.ndarray  # doc_id → product row
    doc_review: list[str | None]  # doc_id → review_id (None for a product's own text)
    doc_dense: np.ndarray  # bool per doc_id
    features: dict[str, np.ndarray]  # behaviour features per product row, each scaled to 0–1
    product_doc: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # row → its text doc, -1
    facets: list[list[Facet]] = field(default_factory=list)  # row → its typed facets

    @classmethod
    def from_index(cls, index: HybridIndex) -> CatalogView:
        products = list(index.catalog.products())
        position = {p.product_id: i for i, p in enumerate(products)}
        stats = [index.catalog.stats(p.product_id) or ProductStats(p.product_id) for p in products]
        price = np.array([math.nan if p.price is None else float(p.price) for p in products], dtype=np.float64)
        in_stock = np.array([-1 if p.in_stock is None else int(p.in_stock) for p in products], dtype=np.int8)
        doc_product, doc_review, doc_dense = [], [], []
        product_doc = np.full(len(products), -1, dtype=np.int64)
        for doc_id, product_id, review_id, dense in index.catalog.document_keys():
            if doc_id != len(doc_product):
                raise ValueError(f"documents table has a gap at doc_id {doc_id}")
            doc_product.append(position[product_id])
            doc_review.append(review_id)
            doc_dense.append(dense)
            if review_id is None:
                product_doc[position[product_id]] = doc_id
        return cls(
            products,
            stats,
            position,
            price,
            in_stock,
            np.array(doc_product, dtype=np.int64),
            doc_review,
            np.array(doc_dense, dtype=bool),
            behaviour_features(stats),
            product_doc,
            load_facets(index, products),
        )

    def __len__(self) -> int:
        return len(self.products)


def load_facets(index: HybridIndex, products: list[Product]) -> list[list[Facet]]:
    """Each product's facets, in catalog row order (the reader types an older index's attributes on the fly)."""
    stored = index.catalog.facets()
    return [list(stored.get(p.product_id, ())) for p in products]


def _scaled_log(values: list[float]) -> np.ndarray:
    arr = np.log1p(np.maximum(np.array(values, dtype=np.float64), 0))
    top = arr.max() if len(arr) else 0
    return arr / top if top > 0 else np.zeros_like(arr)


def behaviour_features(stats: list[ProductStats]) -> dict[str, np.ndarray]:
    """0–1 features of the behaviour prior: Bayesian rating, review volume, recency, repurchases, purchases."""
    bayes = np.array([s.bayes_rating_norm if s.bayes_rating_norm is not None else math.nan for s in stats])
    fill = np.nanmean(bayes) if np.isfinite(bayes).any() else 0.5
    bayes = np.where(np.isfinite(bayes), bayes, fill)  # no reviews: the catalog mean, like the prior itself
    last = [dt.date.fromisoformat(s.last_review_at[:10]) if s.last_review_at else None for s in stats]
    known = [d for d in last if d]
    if known:
        newest, span = max(known), max((max(known) - min(known)).days, 1)
        recency = np.array([0.0 if d is None else 1.0 - (newest - d).days / span for d in last])
    else:
        recency = np.zeros(len(stats))
    repurchase = np.array([(s.repurchase_count + 1) / (s.review_count + 5) for s in stats])  # smoothed rate
    repurchase = repurchase / repurchase.max() if len(repurchase) and repurchase.max() > 0 else repurchase
    purchases = [max(s.purchases or 0, s.event_purchases) for s in stats]
    return {
        "rating": bayes,
        "volume": _scaled_log([s.review_count for s in stats]),
        "recency": recency,
        "repurchase": repurchase,
        "purchases": _scaled_log(purchases),
    }
