"""`catalog.sqlite`: products, reviews, events, per-product statistics, typed facets and the searchable documents.

A document is one searchable text: a product's own text, or one review. Its `doc_id` is its row in the
BM25 matrix and its id in FAISS; `terms` keeps the analyzer's output so an update re-indexes BM25 without
re-analysing, and `dense` says whether the coverage policy embedded it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..facets import Facet, type_attributes
from ..records import Event, Product, Review
from ..stats import ProductStats

SCHEMA = """
CREATE TABLE products (
    product_id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT, brand TEXT, price INTEGER,
    description TEXT, attributes TEXT, purchases INTEGER, views INTEGER, in_stock INTEGER
);
CREATE TABLE reviews (
    review_id TEXT PRIMARY KEY, product_id TEXT NOT NULL, rating REAL NOT NULL, rating_min REAL, rating_max REAL,
    text TEXT, created_at TEXT, helpful INTEGER, repurchase INTEGER, user_id TEXT, option TEXT
);
CREATE INDEX reviews_product ON reviews(product_id);
CREATE TABLE events (user_id TEXT, product_id TEXT, event TEXT, ts TEXT);
CREATE INDEX events_user ON events(user_id);
CREATE TABLE product_stats (
    product_id TEXT PRIMARY KEY, review_count INTEGER, text_review_count INTEGER, rating_mean REAL,
    rating_norm_mean REAL, bayes_rating_norm REAL, bayes_rating REAL, rating_scale_min REAL, rating_scale_max REAL,
    rating_hist TEXT, first_review_at TEXT, last_review_at TEXT, recent_review_count INTEGER, helpful_total INTEGER,
    repurchase_count INTEGER, purchases INTEGER, views INTEGER, event_views INTEGER, event_carts INTEGER,
    event_purchases INTEGER, event_buyers INTEGER
);
CREATE TABLE documents (
    doc_id INTEGER PRIMARY KEY, kind TEXT NOT NULL, product_id TEXT NOT NULL, review_id TEXT,
    text TEXT NOT NULL, terms TEXT NOT NULL, dense INTEGER NOT NULL
);
CREATE INDEX documents_product ON documents(product_id);
CREATE TABLE facets (
    product_id TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, raw TEXT NOT NULL, dimension TEXT, unit TEXT,
    low REAL, high REAL, flag INTEGER, options TEXT, qualifier TEXT, source TEXT
);
CREATE INDEX facets_product ON facets(product_id);
"""


@dataclass
class Document:
    doc_id: int
    kind: str  # "product" | "review"
    product_id: str
    review_id: str | None
    text: str
    terms: list[str]
    dense: bool = False


def _bool_or_none(value) -> int | None:
    return None if value is None else int(bool(value))


class CatalogWriter:
    """Writes a fresh catalog file; used only inside the build folder of an atomic write."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path)
        self._db.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + SCHEMA)

    def products(self, products: Iterable[Product]) -> None:
        self._db.executemany(
            "INSERT INTO products VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    p.product_id,
                    p.name,
                    p.category,
                    p.brand,
                    p.price,
                    p.description,
                    p.attributes_json(),
                    p.purchases,
                    p.views,
                    _bool_or_none(p.in_stock),
                )
                for p in products
            ),
        )

    def reviews(self, reviews: Iterable[Review]) -> None:
        self._db.executemany(
            "INSERT INTO reviews VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    r.review_id,
                    r.product_id,
                    r.rating,
                    r.rating_min,
                    r.rating_max,
                    r.text,
                    r.created_at,
                    r.helpful,
                    int(r.repurchase),
                    r.user_id,
                    r.option,
                )
                for r in reviews
            ),
        )

    def events(self, events: Iterable[Event]) -> None:
        self._db.executemany(
            "INSERT INTO events VALUES (?,?,?,?)", ((e.user_id, e.product_id, e.event, e.ts) for e in events)
        )

    def stats(self, stats: Iterable[ProductStats]) -> None:
        rows = []
        for s in stats:
            row = s.to_row()
            row["rating_hist"] = json.dumps(row["rating_hist"], ensure_ascii=False)
            rows.append(row)
        if rows:
            cols = list(rows[0])
            self._db.executemany(
                f"INSERT INTO product_stats ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                ([r[c] for c in cols] for r in rows),
            )

    def documents(self, docs: Iterable[Document]) -> None:
        self._db.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?)",
            ((d.doc_id, d.kind, d.product_id, d.review_id, d.text, " ".join(d.terms), int(d.dense)) for d in docs),
        )

    def facets(self, facets: Iterable[Facet]) -> None:
        self._db.executemany(
            "INSERT INTO facets VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    f.product_id,
                    f.key,
                    f.kind,
                    f.raw,
                    f.dimension,
                    f.unit,
                    f.low,
                    f.high,
                    _bool_or_none(f.flag),
                    json.dumps(list(f.options), ensure_ascii=False) if f.options else None,
                    f.qualifier,
                    f.source,
                )
                for f in facets
            ),
        )

    def close(self) -> None:
        self._db.commit()
        self._db.close()


class CatalogReader:
    """Read-only access, safe to share across threads (Streamlit serves visitors from several)."""

    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        self._db.close()

    def count(self, table: str) -> int:
        if table not in ("products", "reviews", "events", "documents", "product_stats", "facets"):
            raise ValueError(f"unknown table {table!r}")
        return self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]

    def product(self, product_id: str) -> Product | None:
        row = self._db.execute("SELECT * FROM products WHERE product_id=?", (product_id,)).fetchone()
        return _product(row) if row else None

    def products(self) -> Iterator[Product]:
        for row in self._db.execute("SELECT * FROM products ORDER BY rowid"):
            yield _product(row)

    def reviews(self, product_id: str | None = None) -> Iterator[Review]:
        sql, args = "SELECT * FROM reviews ORDER BY rowid", ()
        if product_id is not None:
            sql, args = "SELECT * FROM reviews WHERE product_id=? ORDER BY rowid", (product_id,)
        for row in self._db.execute(sql, args):
            yield _review(row)

    def review(self, review_id: str) -> Review | None:
        row = self._db.execute("SELECT * FROM reviews WHERE review_id=?", (review_id,)).fetchone()
        return _review(row) if row else None

    def review_ids(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT review_id FROM reviews")}

    def events(self) -> Iterator[Event]:
        for row in self._db.execute("SELECT * FROM events ORDER BY rowid"):
            yield Event(row["user_id"], row["product_id"], row["event"], row["ts"])

    def stats(self, product_id: str) -> ProductStats | None:
        row = self._db.execute("SELECT * FROM product_stats WHERE product_id=?", (product_id,)).fetchone()
        if row is None:
            return None
        data = dict(row)
        data["rating_scale"] = (data.pop("rating_scale_min"), data.pop("rating_scale_max"))
        data["rating_hist"] = json.loads(data["rating_hist"] or "{}")
        return ProductStats(**data)

    def facets(self) -> dict[str, list[Facet]]:
        """Every product's facets, in the order they were typed. An index written before the facets table existed
        has its products' attributes typed now, by the same rules, so that specs work without a rebuild."""
        has_table = self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='facets'").fetchone()
        if not has_table:
            return {p.product_id: type_attributes(p.product_id, p.attributes) for p in self.products()}
        out: dict[str, list[Facet]] = {p: [] for (p,) in self._db.execute("SELECT product_id FROM products")}
        for row in self._db.execute("SELECT * FROM facets ORDER BY rowid"):
            out.setdefault(row["product_id"], []).append(_facet(row))
        return out

    def document(self, doc_id: int) -> Document | None:
        row = self._db.execute("SELECT * FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def document_keys(self) -> Iterator[tuple[int, str, str | None, bool]]:
        """(doc_id, product_id, review_id, dense) of every document, in doc_id order; no texts."""
        for row in self._db.execute("SELECT doc_id, product_id, review_id, dense FROM documents ORDER BY doc_id"):
            yield row[0], row[1], row[2], bool(row[3])

    def documents(self) -> Iterator[Document]:
        for row in self._db.execute("SELECT * FROM documents ORDER BY doc_id"):
            yield _document(row)


def _product(row: sqlite3.Row) -> Product:
    return Product(
        product_id=row["product_id"],
        name=row["name"],
        category=row["category"] or "",
        brand=row["brand"] or "",
        price=row["price"],
        description=row["description"] or "",
        attributes=json.loads(row["attributes"] or "{}"),
        purchases=row["purchases"],
        views=row["views"],
        in_stock=None if row["in_stock"] is None else bool(row["in_stock"]),
    )


def _review(row: sqlite3.Row) -> Review:
    return Review(
        review_id=row["review_id"],
        product_id=row["product_id"],
        rating=row["rating"],
        text=row["text"] or "",
        created_at=row["created_at"] or "",
        helpful=row["helpful"] or 0,
        repurchase=bool(row["repurchase"]),
        user_id=row["user_id"] or "",
        option=row["option"] or "",
        rating_min=row["rating_min"],
        rating_max=row["rating_max"],
    )


def _facet(row: sqlite3.Row) -> Facet:
    return Facet(
        product_id=row["product_id"],
        key=row["key"],
        kind=row["kind"],
        raw=row["raw"],
        dimension=row["dimension"],
        unit=row["unit"],
        low=row["low"],
        high=row["high"],
        flag=None if row["flag"] is None else bool(row["flag"]),
        options=tuple(json.loads(row["options"])) if row["options"] else (),
        qualifier=row["qualifier"] or "",
        source=row["source"] or "",
    )


def _document(row: sqlite3.Row) -> Document:
    return Document(
        doc_id=row["doc_id"],
        kind=row["kind"],
        product_id=row["product_id"],
        review_id=row["review_id"],
        text=row["text"],
        terms=row["terms"].split(),
        dense=bool(row["dense"]),
    )
