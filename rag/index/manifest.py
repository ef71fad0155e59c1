"""`manifest.json`: what an index folder holds and how it was built; checked on every open."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..errors import IndexOpenError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CATALOG = "catalog.sqlite"
DENSE = "dense.faiss"
SPARSE_DIR = "sparse"


@dataclass
class Manifest:
    format_version: int
    created_at: str
    embedder: dict  # {"id", "dim", "config"}
    analyzer: dict  # {"config", "kiwipiepy"}
    coverage: dict
    stats: dict
    counts: dict
    files: dict = field(default_factory=dict)  # relative path → {"bytes", "sha256"}
    sources: list = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2, sort_keys=True)


def file_digest(path: Path) -> dict:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def checksum_folder(folder: Path) -> dict:
    return {
        str(p.relative_to(folder)): file_digest(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


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
        raise IndexOpenError(f"{path} is damaged ({exc}); rebuild the index with python -m ingest") from None
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexOpenError(
            f"{folder} has index format version {version}, this version of rag reads version "
            f"{FORMAT_VERSION}; rebuild it with: python -m ingest SOURCE... --index {folder}"
        )
    try:
        return Manifest(**data)
    except TypeError as exc:
        raise IndexOpenError(f"{path} is damaged ({exc}); rebuild the index with python -m ingest") from None


def verify_files(folder: Path, manifest: Manifest, full: bool = False) -> None:
    """Sizes always (catches truncation and missing files); sha256 too when `full`."""
    for name, expected in manifest.files.items():
        path = folder / name
        if not path.is_file():
            raise IndexOpenError(f"{folder} is incomplete: {name} is missing; rebuild it with python -m ingest")
        if path.stat().st_size != expected["bytes"]:
            raise IndexOpenError(
                f"{folder} is damaged: {name} has {path.stat().st_size} bytes, the manifest says "
                f"{expected['bytes']}; rebuild it with python -m ingest"
            )
        if full and file_digest(path)["sha256"] != expected["sha256"]:
            raise IndexOpenError(
                f"{folder} is damaged: {name} does not match its checksum; rebuild it with python -m ingest"
            )
