"""Opening an index folder: checks first, then read-only access to the catalog, FAISS and BM25."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..analyzer import AnalyzerConfig, KoreanAnalyzer, kiwi_version
from ..embedders import EmbedderConfig, make_embedder
from ..errors import IndexOpenError
from .build import Existing
from .catalog import CatalogReader
from .coverage import DenseCoverage
from .manifest import CATALOG, DENSE, SPARSE_DIR, Manifest, read_manifest, verify_files

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

    @classmethod
    def open(
        cls, path: str | Path, embedder=None, analyzer: KoreanAnalyzer | None = None, verify: bool = False
    ) -> HybridIndex:
        """Open and check an index folder.

        embedder: the embedder to query with; it must be the one the index was built with. When None, the
        manifest's embedder is built. analyzer: a shared `KoreanAnalyzer` (its Kiwi is reused); the index's
        own analyzer settings always win, so queries are analysed exactly like the documents were.
        verify: also compare every file's sha256 with the manifest (sizes are always compared).
        """
        folder = Path(path)
        manifest = read_manifest(folder)
        verify_files(folder, manifest, full=verify)
        built_with = manifest.analyzer.get("kiwipiepy")
        if built_with != kiwi_version():
            logger.warning(
                "index %s was analysed with kiwipiepy %s, this is %s: rebuild it if results look off",
                folder,
                built_with,
                kiwi_version(),
            )
        config = AnalyzerConfig.from_dict(manifest.analyzer["config"])
        if analyzer is None or analyzer.config != config:
            analyzer = KoreanAnalyzer(config, kiwi=analyzer.kiwi if analyzer is not None else None)
        if embedder is None:
            embedder = make_embedder(EmbedderConfig(**(manifest.embedder.get("config") or {})))
        if embedder.embedder_id != manifest.embedder["id"]:
            raise IndexOpenError(
                f"{folder} was built with the embedder {manifest.embedder['id']!r}, but you opened it with "
                f"{embedder.embedder_id!r}; open it with the same embedder (or none, to use the index's own), "
                f"or rebuild it: python -m ingest SOURCE... --index {folder} --embedder ..."
            )
        try:
            import bm25s
            import faiss

            dense = faiss.read_index(str(folder / DENSE))
            sparse = bm25s.BM25.load(str(folder / SPARSE_DIR), mmap=False, show_progress=False)
            catalog = CatalogReader(folder / CATALOG)
        except (RuntimeError, OSError, ValueError) as exc:
            raise IndexOpenError(f"{folder} is damaged ({exc}); rebuild it with python -m ingest") from None
        return cls(folder, manifest, catalog, dense, sparse, analyzer, embedder)

    @property
    def coverage(self) -> DenseCoverage:
        return DenseCoverage(**self.manifest.coverage)

    def counts(self) -> dict:
        return dict(self.manifest.counts)

    def existing(self) -> Existing:
        """Everything an update keeps, with the vectors read back from FAISS (never re-embedded)."""
        import faiss

        ids = faiss.vector_to_array(self.dense.id_map).astype(np.int64)
        flat = self.dense.index
        vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.zeros((0, self.dense.d), np.float32)
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
