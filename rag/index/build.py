"""Building an index folder: pure stages over batches, then one atomic publish.

Stages: documents → analyze (kiwi terms) → select dense (coverage) → embed → statistics → write files.
Everything is written into a build folder beside the target; only a complete, checksummed folder is
published, by swapping a symlink (`os.replace` is atomic). Killing the process at any point leaves the
previous index as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..analyzer import KoreanAnalyzer
from ..catalog_shape import CatalogShape
from ..errors import IndexWriteError
from ..facets import summarize, type_attributes
from ..records import Event, Product, Review
from ..stats import StatsConfig, compute_stats
from .catalog import CatalogWriter, Document
from .coverage import DenseCoverage, select_dense
from .manifest import CATALOG, DENSE, FORMAT_VERSION, MANIFEST, SPARSE_DIR, Manifest, checksum_folder

logger = logging.getLogger(__name__)

# progress(total, desc) → an object with update(n) and close(); ingest passes tqdm, the library defaults to none
ProgressFactory = Callable[[int, str], object]


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def no_progress(total: int, desc: str) -> _NoProgress:
    return _NoProgress()


@dataclass
class BuildReport:
    path: Path
    counts: dict = field(default_factory=dict)
    seconds: dict = field(default_factory=dict)  # stage → wall seconds
    rates: dict = field(default_factory=dict)  # stage → items per second


@dataclass
class Existing:
    """What an update starts from: the open index's records, documents and vectors."""

    products: list[Product]
    reviews: list[Review]
    events: list[Event]
    documents: list[Document]
    vectors: np.ndarray  # rows aligned with dense_ids
    dense_ids: np.ndarray
    sources: list


def make_documents(products: Iterable[Product], reviews: Iterable[Review], start: int = 0) -> list[Document]:
    """One document per product with its own text (name alone says too little) and per review with text."""
    docs: list[Document] = []
    for product in products:
        if product.has_own_text():
            docs.append(Document(start + len(docs), "product", product.product_id, None, product.document_text(), []))
    for review in reviews:
        if review.text:
            docs.append(Document(start + len(docs), "review", review.product_id, review.review_id, review.text, []))
    return docs


def analyze(docs: Sequence[Document], analyzer: KoreanAnalyzer, progress: ProgressFactory, every: int = 1024) -> None:
    bar = progress(len(docs), "analyze")
    for i, (doc, terms) in enumerate(zip(docs, analyzer.terms_batch(d.text for d in docs), strict=True), 1):
        doc.terms = terms
        if i % every == 0:
            bar.update(every)
    bar.update(len(docs) % every)
    bar.close()


def embed(texts: Sequence[str], embedder, progress: ProgressFactory, batch: int = 64) -> np.ndarray:
    """Vectors for texts, each distinct text embedded once."""
    unique = list(dict.fromkeys(texts))
    dim = embedder.dim
    out = np.zeros((len(unique), dim), dtype=np.float32)
    bar = progress(len(texts), "embed")
    for i in range(0, len(unique), batch):
        chunk = unique[i : i + batch]
        out[i : i + len(chunk)] = embedder.embed_array(chunk)
        bar.update(len(chunk))
    bar.update(len(texts) - len(unique))
    bar.close()
    row = {t: i for i, t in enumerate(unique)}
    return out[[row[t] for t in texts]] if texts else out


def _write_dense(path: Path, vectors: np.ndarray, ids: np.ndarray, dim: int) -> None:
    import faiss

    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    if len(ids):
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
    faiss.write_index(index, str(path))


def _write_sparse(folder: Path, docs: Sequence[Document]) -> None:
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([d.terms or [""] for d in docs] or [[""]], show_progress=False)
    retriever.save(str(folder), show_progress=False)


@contextlib.contextmanager
def _staged(target: Path):
    """A fresh build folder beside `target`, published only if the block completes; removed otherwise."""
    lock_path = target.parent / f".{target.name}.lock"
    with open(lock_path, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexWriteError(f"another ingest is writing {target}; wait for it to finish") from None
        for stale in target.parent.glob(f".{target.name}.build-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a killed ingest; we hold the lock
        build = target.parent / f".{target.name}.build-{uuid.uuid4().hex[:8]}"
        build.mkdir()
        try:
            yield build
            _publish(build, target)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise


def _publish(build: Path, target: Path) -> None:
    """Make `target` point at the finished build folder, atomically; then drop older versions."""
    parent, name = target.parent, target.name
    version = parent / f".{name}.v{dt.datetime.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"
    build.rename(version)
    if target.exists() and not target.is_symlink():
        if (target / MANIFEST).is_file():  # an index folder from before: keep it until the swap is done
            target.rename(parent / f".{name}.v0-previous")
        elif target.is_dir() and not any(target.iterdir()):
            target.rmdir()
        else:
            raise IndexWriteError(f"{target} exists and is not an index; choose another --index path")
    link = parent / f".{name}.link-{uuid.uuid4().hex[:6]}"
    os.symlink(version.name, link)
    os.replace(link, target)
    for old in parent.glob(f".{name}.v*"):
        if old != version:
            shutil.rmtree(old, ignore_errors=True)


def build_index(
    target: Path,
    products: Sequence[Product],
    reviews: Sequence[Review],
    events: Sequence[Event],
    analyzer: KoreanAnalyzer,
    embedder,
    coverage: DenseCoverage | None = None,
    stats_config: StatsConfig | None = None,
    existing: Existing | None = None,
    sources: Sequence[str] = (),
    progress: ProgressFactory = no_progress,
) -> BuildReport:
    """Write a complete index for these records (plus `existing` ones when updating) and publish it."""
    coverage = coverage or DenseCoverage()
    stats_config = stats_config or StatsConfig()
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    report = BuildReport(target)
    with _staged(target) as build:
        old = existing or Existing([], [], [], [], np.zeros((0, embedder.dim), np.float32), np.zeros(0, np.int64), [])
        all_products = [*old.products, *products]
        all_reviews = [*old.reviews, *reviews]
        all_events = [*old.events, *events]

        timer = time.perf_counter()
        new_docs = make_documents(products, reviews, start=len(old.documents))
        analyze(new_docs, analyzer, progress)
        report.seconds["analyze"] = time.perf_counter() - timer
        report.rates["analyze"] = len(new_docs) / max(report.seconds["analyze"], 1e-9)

        timer = time.perf_counter()
        helpful = {r.review_id: r.helpful for r in reviews}
        already: dict[str, int] = {}
        for doc in old.documents:
            if doc.dense and doc.kind == "review":
                already[doc.product_id] = already.get(doc.product_id, 0) + 1
        chosen = select_dense(new_docs, coverage, helpful, already)
        dense_docs = [d for d in new_docs if d.doc_id in chosen]
        for doc in dense_docs:
            doc.dense = True
        vectors = embed([d.text for d in dense_docs], embedder, progress)
        report.seconds["embed"] = time.perf_counter() - timer
        report.rates["embed"] = len(dense_docs) / max(report.seconds["embed"], 1e-9)

        timer = time.perf_counter()
        stats = compute_stats(all_products, all_reviews, all_events, stats_config)
        report.seconds["stats"] = time.perf_counter() - timer

        timer = time.perf_counter()
        documents = [*old.documents, *new_docs]
        all_vectors = np.concatenate([old.vectors, vectors]) if len(old.dense_ids) else vectors
        all_ids = np.concatenate([old.dense_ids, np.array([d.doc_id for d in dense_docs], dtype=np.int64)])
        _write_dense(build / DENSE, all_vectors, all_ids, embedder.dim)
        (build / SPARSE_DIR).mkdir()
        _write_sparse(build / SPARSE_DIR, documents)
        catalog = CatalogWriter(build / CATALOG)
        catalog.products(all_products)
        catalog.reviews(all_reviews)
        catalog.events(all_events)
        catalog.stats(stats.values())
        catalog.documents(documents)
        # every product's attributes typed again: an --update retypes the old products by the current rules too
        facets = {p.product_id: type_attributes(p.product_id, p.attributes) for p in all_products}
        catalog.facets(f for fs in facets.values() for f in fs)
        catalog.close()
        report.counts = {
            "products": len(all_products),
            "reviews": len(all_reviews),
            "events": len(all_events),
            "documents": len(documents),
            "dense_vectors": len(all_ids),
            "new_documents": len(new_docs),
            "new_dense_vectors": len(dense_docs),
            "attributes": summarize([f for fs in facets.values() for f in fs]).to_dict(),
            "categories": CatalogShape.from_products(all_products, facets).summary(),
        }
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            embedder={"id": embedder.embedder_id, "dim": embedder.dim, "config": getattr(embedder, "config", None)},
            analyzer=analyzer.settings(),
            coverage=coverage.to_dict(),
            stats=stats_config.to_dict(),
            counts={k: v for k, v in report.counts.items() if not k.startswith("new_")},
            files=checksum_folder(build),
            sources=[*old.sources, *sources],
        )
        (build / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        report.seconds["write"] = time.perf_counter() - timer
    return report
