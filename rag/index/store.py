"""Opening an index folder: checks first, then read-only access to the catalog, FAISS and BM25.

Nothing in the folder is trusted: the manifest's shape, the files' places and content (`manifest.py`), the
analyzer and embedder settings it names, and the model folder it may point at (only inside `model_dirs`, an
allow-list the caller passes). Every failure is an `IndexOpenError` that says what is wrong and what to run.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..analyzer import AnalyzerConfig, KoreanAnalyzer, kiwi_version
from ..embedders import EmbedderConfig, make_embedder
from ..errors import IndexOpenError
from ..records import Product, Review
from ..text_safety import has_bidi, neutralize_bidi
from .build import Existing
from .catalog import CatalogReader, Document
from .coverage import DenseCoverage
from .dense import DenseIndex, DensePlan
from .manifest import CATALOG, DENSE, SPARSE_DIR, Manifest, check_layout, index_root, read_manifest, verify_files

logger = logging.getLogger(__name__)


@dataclass
class HybridIndex:
    """An opened index. Build it with `HybridIndex.open(path)`; share one per process."""

    path: Path
    manifest: Manifest
    catalog: CatalogReader
    dense: object  # faiss.IndexIDMap2
    sparse: object  # bm25s.BM25
    analyzer: KoreanAnalyzer
    embedder: object
    dense_index: DenseIndex | None = None  # the searchable wrapper of `dense` (rag.index.dense); built when None

    def __post_init__(self) -> None:
        if self.dense_index is None:
            self.dense_index = DenseIndex(self.dense, DensePlan.from_dict(self.manifest.dense_index))

    @classmethod
    def open(
        cls,
        path: str | Path,
        embedder=None,
        analyzer: KoreanAnalyzer | None = None,
        verify: bool | str = "fast",
        model_dirs: Sequence[str | Path] = (),
    ) -> HybridIndex:
        """Open and check an index folder.

        embedder: the embedder to query with; it must be the one the index was built with. When None, the
        manifest's embedder is built. analyzer: a shared `KoreanAnalyzer` (its Kiwi is reused); the index's
        own analyzer settings always win, so queries are analysed exactly like the documents were.
        verify: "fast" (default: the catalog and small files hashed whole, large search structures by a sampled
        digest), "full" (every byte; True means this) or "sizes" (False). See `rag.index.manifest`.
        model_dirs: folders a manifest may load an embedding model from (sentence-transformers indexes opened
        without an embedder); a model folder outside them is refused, so a doctored manifest cannot make the
        loader run an arbitrary model folder.
        """
        folder = Path(path)
        mode = {True: "full", False: "sizes"}.get(verify, verify) if isinstance(verify, bool) else verify
        for attempt in range(3):
            read_manifest(folder)  # a missing or foreign folder is reported by the name the caller gave
            root = index_root(folder)
            try:
                return cls._open_version(folder, root, embedder, analyzer, mode, model_dirs)
            except IndexOpenError:
                # an ingest published (and removed the version we had resolved) while we read it: open the new one
                if attempt < 2 and folder.exists() and index_root(folder) != root:
                    logger.info("%s was replaced while opening; opening the new version", folder)
                    continue
                raise
        raise AssertionError("unreachable")

    @classmethod
    def _open_version(cls, folder: Path, root: Path, embedder, analyzer, mode: str, model_dirs) -> HybridIndex:
        """Open one published version: every file is read from `root`, the manifest included, so a publish that
        swaps the link meanwhile cannot mix two versions."""
        try:
            manifest = read_manifest(root)
        except IndexOpenError:
            manifest = read_manifest(folder)  # raises the same problem, named by the folder the caller gave
        check_layout(folder, root, manifest)
        verify_files(root, manifest, mode=mode)
        built_with = manifest.analyzer.get("kiwipiepy")
        if built_with != kiwi_version():
            logger.warning(
                "index %s was analysed with kiwipiepy %s, this is %s: rebuild it if results look off",
                folder,
                built_with,
                kiwi_version(),
            )
        config = _analyzer_config(folder, manifest)
        if analyzer is None or analyzer.config != config:
            analyzer = KoreanAnalyzer(config, kiwi=analyzer.kiwi if analyzer is not None else None)
        if embedder is None:
            embedder = make_embedder(_embedder_config(folder, manifest, model_dirs))
        if embedder.embedder_id != manifest.embedder.get("id"):
            raise IndexOpenError(
                f"{folder} was built with the embedder {manifest.embedder.get('id')!r}, but you opened it with "
                f"{embedder.embedder_id!r}; open it with the same embedder (or none, to use the index's own), "
                f"or rebuild it: python -m ingest SOURCE... --index {folder} --embedder ..."
            )
        try:
            import bm25s
            import faiss

            dense = faiss.read_index(str(root / DENSE))
            sparse = bm25s.BM25.load(str(root / SPARSE_DIR), mmap=False, show_progress=False)
            catalog = SafeCatalogReader(root / CATALOG)
            catalog.count("products")  # sqlite reads lazily: a damaged header shows here, not in a visitor's query
        except (RuntimeError, OSError, ValueError, KeyError, sqlite3.DatabaseError) as exc:
            raise IndexOpenError(f"{folder} is damaged ({exc}); rebuild it with python -m ingest") from None
        _check_counts(folder, manifest, dense, sparse)
        try:
            dense_index = DenseIndex(dense, DensePlan.from_dict(manifest.dense_index))
        except (ValueError, TypeError) as exc:
            raise IndexOpenError(f"{folder}'s manifest has a damaged dense_index entry ({exc}); rebuild it with "
                                 "python -m ingest") from None  # fmt: skip
        return cls(folder, manifest, catalog, dense, sparse, analyzer, embedder, dense_index)

    @property
    def coverage(self) -> DenseCoverage:
        return DenseCoverage(**self.manifest.coverage)

    def counts(self) -> dict:
        return dict(self.manifest.counts)

    def existing(self) -> Existing:
        """Everything an update keeps, with the vectors read back from FAISS (never re-embedded)."""
        ids, vectors = self.dense_index.ids, self.dense_index.vectors()
        return Existing(
            products=list(self.catalog.products()),
            reviews=list(self.catalog.reviews()),
            events=list(self.catalog.events()),
            documents=list(self.catalog.documents()),
            vectors=np.asarray(vectors, dtype=np.float32),
            dense_ids=ids,
            sources=list(self.manifest.sources),
        )

    def close(self) -> None:
        self.catalog.close()


def _analyzer_config(folder: Path, manifest: Manifest) -> AnalyzerConfig:
    raw = manifest.analyzer.get("config")
    try:
        if not isinstance(raw, dict):
            raise TypeError(f"expected an object, got {type(raw).__name__}")
        return AnalyzerConfig.from_dict(raw)
    except (TypeError, ValueError) as exc:
        raise IndexOpenError(
            f"{folder}'s manifest has a damaged analyzer config ({exc}); rebuild it with: python -m ingest "
            f"SOURCE... --index {folder}"
        ) from None


def _embedder_config(folder: Path, manifest: Manifest, model_dirs: Sequence[str | Path]) -> EmbedderConfig:
    raw = manifest.embedder.get("config") or {}
    try:
        if not isinstance(raw, dict):
            raise TypeError(f"expected an object, got {type(raw).__name__}")
        config = EmbedderConfig(**raw)
    except (TypeError, ValueError) as exc:
        raise IndexOpenError(
            f"{folder}'s manifest has a damaged embedder config ({exc}); rebuild it with python -m ingest, or open "
            "it with the embedder it was built with (embedder=...)"
        ) from None
    if config.model_path is not None:
        model = Path(config.model_path).resolve()
        allowed = [Path(d).resolve() for d in model_dirs]
        if not any(model == d or d in model.parents for d in allowed):
            where = ", ".join(map(str, allowed)) or "none given"
            raise IndexOpenError(
                f"{folder}'s manifest asks for the model folder {model}, which is outside the allowed model folders "
                f"({where}); models are loaded only from folders you allow: pass model_dirs=[{str(model.parent)!r}] "
                "(or open the index with the embedder it was built with)"
            )
    return config


def _check_counts(folder: Path, manifest: Manifest, dense, sparse) -> None:
    """The structures agree with each other and the manifest (a swapped or stale file that kept its checksum entry
    cannot, since the checksums passed; this catches a manifest whose counts were edited)."""
    counts = manifest.counts
    want_dense, want_docs = counts.get("dense_vectors"), counts.get("documents")
    have_docs = int(getattr(sparse, "scores", {}).get("num_docs", -1))
    dim = manifest.embedder.get("dim")
    problems = []
    if want_dense is not None and dense.ntotal != want_dense:
        problems.append(f"{DENSE} holds {dense.ntotal} vectors, the manifest says {want_dense}")
    if dim is not None and dense.d != dim:
        problems.append(f"{DENSE} has dimension {dense.d}, the manifest says {dim}")
    if want_docs and have_docs not in (-1, want_docs):
        problems.append(f"the BM25 index holds {have_docs} documents, the manifest says {want_docs}")
    if problems:
        raise IndexOpenError(f"{folder} is damaged: {'; '.join(problems)}; rebuild it with python -m ingest")


def _safe_product(p: Product) -> Product:
    fields = (p.name, p.brand, p.category, p.description)
    attributes = p.attributes
    if any(neutralize_bidi(f) is not f for f in fields) or any(
        neutralize_bidi(f"{k}{v}") != f"{k}{v}" for k, v in attributes.items()
    ):
        attributes = {neutralize_bidi(str(k)): neutralize_bidi(v) if isinstance(v, str) else v
                      for k, v in attributes.items()}  # fmt: skip
        name, brand, category, description = (neutralize_bidi(f) for f in fields)
        return replace(p, name=name, brand=brand, category=category, description=description, attributes=attributes)
    return p


def _safe_review(r: Review) -> Review:
    if has_bidi(r.text) is None and has_bidi(r.option) is None:  # every review is read at open: keep this lean
        return r
    return replace(r, text=neutralize_bidi(r.text), option=neutralize_bidi(r.option))


def _safe_document(d: Document) -> Document:
    return d if has_bidi(d.text) is None else replace(d, text=neutralize_bidi(d.text))


class SafeCatalogReader(CatalogReader):
    """The catalog as shown: bidirectional controls removed from every text a shopper may see (a right-to-left
    override in a name or review reorders the characters on screen). Quotes are taken from this text, so a quote
    stays an exact substring of the review it cites."""

    def product(self, product_id: str) -> Product | None:
        p = super().product(product_id)
        return None if p is None else _safe_product(p)

    def products(self) -> Iterator[Product]:
        return map(_safe_product, super().products())

    def reviews(self, product_id: str | None = None) -> Iterator[Review]:
        return map(_safe_review, super().reviews(product_id))

    def review(self, review_id: str) -> Review | None:
        r = super().review(review_id)
        return None if r is None else _safe_review(r)

    def document(self, doc_id: int) -> Document | None:
        d = super().document(doc_id)
        return None if d is None else _safe_document(d)

    def documents(self) -> Iterator[Document]:
        return map(_safe_document, super().documents())
