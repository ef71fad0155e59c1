"""`manifest.json`: what an index folder holds and how it was built; checked on every open.

Opening trusts nothing in the folder: the manifest's shape is checked, every file it lists must be a regular file
inside the folder (a symlink that leaves it is refused), every file under `sparse/` must be listed (bm25s reads
files there by name), and the content is compared with the recorded checksums. By default (`verify="fast"`) the
catalog — whose text and numbers are shown verbatim — and every file up to `FULL_HASH_UP_TO` bytes are hashed
whole; bigger search structures (FAISS vectors, BM25 arrays of a large catalog) are checked by a sampled digest
(their size plus 64 blocks spread over the file), which catches truncation, zeroed regions and swapped files at
a few MB of reading. `verify="full"` hashes every byte; `verify="sizes"` only compares sizes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from ..errors import IndexOpenError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CATALOG = "catalog.sqlite"
DENSE = "dense.faiss"
SPARSE_DIR = "sparse"
VERIFY_MODES: tuple[str, ...] = ("fast", "full", "sizes")
FULL_HASH_UP_TO = 64 << 20  # sha256 runs at ~1.8 GB/s here: 64 MB costs ~35 ms; above it, sampled
SAMPLE_BLOCKS, SAMPLE_BLOCK = 64, 64 << 10
_REBUILD = "rebuild it with: python -m ingest SOURCE... --index {folder}"


@dataclass
class Manifest:
    format_version: int
    created_at: str
    embedder: dict  # {"id", "dim", "config"}
    analyzer: dict  # {"config", "kiwipiepy"}
    coverage: dict
    stats: dict
    counts: dict
    files: dict = field(default_factory=dict)  # relative path → {"bytes", "sha256"[, "sample_sha256"]}
    sources: list = field(default_factory=list)
    dense_index: dict = field(default_factory=dict)  # {"kind", "params"} (rag.index.dense); empty: flat
    engine: str = "local"  # the ingest engine that wrote it (local, ray)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)


def sampled_digest(path: Path, size: int | None = None) -> str:
    """sha256 of the size and SAMPLE_BLOCKS blocks at evenly spaced offsets (the first and last included)."""
    size = path.stat().st_size if size is None else size
    digest = hashlib.sha256(size.to_bytes(8, "little"))
    last = max(size - SAMPLE_BLOCK, 0)
    with open(path, "rb") as f:
        for i in range(SAMPLE_BLOCKS):
            f.seek(last * i // (SAMPLE_BLOCKS - 1))
            digest.update(f.read(SAMPLE_BLOCK))
    return digest.hexdigest()


def file_digest(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    size = path.stat().st_size
    out = {"bytes": size, "sha256": digest.hexdigest()}
    if size > FULL_HASH_UP_TO:
        out["sample_sha256"] = sampled_digest(path, size)
    return out


def checksum_folder(folder: Path) -> dict:
    return {
        p.relative_to(folder).as_posix(): file_digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def _damaged(path: Path, why: str) -> IndexOpenError:
    folder = path.parent
    return IndexOpenError(f"{path} is damaged ({why}); " + _REBUILD.format(folder=folder))


_SHAPE = {"embedder": dict, "analyzer": dict, "coverage": dict, "stats": dict, "counts": dict, "files": dict,
          "sources": list, "created_at": str, "dense_index": dict, "engine": str}  # fmt: skip


def read_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST
    if not folder.exists():
        raise IndexOpenError(f"no index at {folder}; build one with: python -m ingest SOURCE... --index {folder}")
    if not path.is_file():
        raise IndexOpenError(
            f"{folder} is not an index (no {MANIFEST}); rebuild it with: python -m ingest SOURCE... --index {folder}"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise _damaged(path, str(exc)) from None
    if not isinstance(data, dict):
        raise _damaged(path, f"it holds a JSON {type(data).__name__}, not an object")
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexOpenError(
            f"{folder} has index format version {version}, this version of rag reads version "
            f"{FORMAT_VERSION}; rebuild it with: python -m ingest SOURCE... --index {folder}"
        )
    for key, kind in _SHAPE.items():
        if key in data and not isinstance(data[key], kind):
            raise _damaged(path, f"{key!r} must be a JSON {_json_kind(kind)}, got {type(data[key]).__name__}")
    for name, entry in data.get("files", {}).items():
        ok = isinstance(entry, dict) and isinstance(entry.get("bytes"), int) and isinstance(entry.get("sha256"), str)
        if not ok:
            raise _damaged(path, f"the entry for {name!r} needs an integer 'bytes' and a string 'sha256'")
    try:
        return Manifest(**data)
    except TypeError as exc:
        raise _damaged(path, str(exc)) from None


def _json_kind(kind: type) -> str:
    return {dict: "object", list: "array", str: "string"}[kind]


def index_root(folder: Path) -> Path:
    """The real folder behind `folder` (published indexes are a symlink to a version folder). Reading everything
    through it means a publish that swaps the symlink mid-open cannot mix two versions."""
    root = folder.resolve(strict=True)
    manifest = root / MANIFEST
    if manifest.is_symlink() and not _inside(manifest.resolve(), root):
        raise IndexOpenError(f"{folder}: {MANIFEST} is a symlink to {manifest.resolve()}, outside the index folder; "
                             + _REBUILD.format(folder=folder))  # fmt: skip
    return root


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def check_layout(folder: Path, root: Path, manifest: Manifest) -> None:
    """Every listed file is a regular file inside the folder; nothing under it links out; bm25s reads only listed
    files; the files every index needs are listed."""
    rebuild = _REBUILD.format(folder=folder)
    for name in manifest.files:
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise IndexOpenError(f"{folder}'s manifest lists {name!r}, a path outside the index folder; {rebuild}")
    for dirpath, dirnames, filenames in os.walk(root):
        for entry in (*dirnames, *filenames):
            path = Path(dirpath) / entry
            if path.is_symlink() and not _inside(path.resolve(), root):
                raise IndexOpenError(
                    f"{folder}: {path.relative_to(root).as_posix()} is a symlink to {path.resolve()}, outside the "
                    f"index folder; index files are never read through links that leave it: {rebuild}"
                )
    missing = [n for n in (CATALOG, DENSE) if n not in manifest.files]
    if not any(n.startswith(SPARSE_DIR + "/") for n in manifest.files):
        missing.append(SPARSE_DIR + "/")
    if missing:
        raise IndexOpenError(f"{folder}'s manifest does not list {', '.join(missing)}; {rebuild}")
    sparse = root / SPARSE_DIR
    if sparse.is_dir():
        for path in sorted(sparse.rglob("*")):
            name = path.relative_to(root).as_posix()
            if path.is_file() and name not in manifest.files:
                raise IndexOpenError(
                    f"{folder}: {name} is not in the manifest (the BM25 loader would read it); remove it or {rebuild}"
                )


def verify_files(folder: Path, manifest: Manifest, full: bool = False, mode: str | None = None) -> None:
    """Sizes always (catches truncation and missing files); content by `mode` (see the module docstring).
    `full=True` is the older spelling of mode="full"."""
    mode = mode or ("full" if full else "sizes")
    if mode not in VERIFY_MODES:
        raise ValueError(f"verify must be one of {', '.join(VERIFY_MODES)}, got {mode!r}")
    rebuild = _REBUILD.format(folder=folder)
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise IndexOpenError(f"{folder} is incomplete: {name} is missing; {rebuild}")
        size = path.stat().st_size
        if size != expected["bytes"]:
            raise IndexOpenError(
                f"{folder} is damaged: {name} has {size} bytes, the manifest says {expected['bytes']}; {rebuild}"
            )
        if mode == "sizes":
            continue
        sampled = mode == "fast" and name != CATALOG and size > FULL_HASH_UP_TO and "sample_sha256" in expected
        ok = (
            sampled_digest(path, size) == expected["sample_sha256"]
            if sampled
            else file_digest(path)["sha256"] == expected["sha256"]
        )
        if not ok:
            raise IndexOpenError(f"{folder} is damaged: {name} does not match its checksum; {rebuild}")
