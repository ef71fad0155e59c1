"""Index folders the evaluation builds, reused on a rerun when nothing they depend on has changed.

Beside each index folder `NAME` sits `NAME.eval.json`, the fingerprint it was built from (the data rule, the
source files, the embedder, the analyzer settings, the coverage policy). A folder whose fingerprint matches is
reused; anything else is rebuilt (atomically, by rag's builder).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from ingest.demo import DEMO_DATA
from ingest.pipeline import IngestConfig, run_ingest
from rag.analyzer import KoreanAnalyzer
from rag.index.build import ProgressFactory, no_progress
from rag.index.manifest import MANIFEST

logger = logging.getLogger(__name__)


def _sidecar(path: Path) -> Path:
    return path.parent / f"{path.name}.eval.json"


def files_fingerprint(paths: list[Path]) -> dict[str, str]:
    """sha256 of small files (the demo), size and mtime of big ones (NSMC: hashing 60 MB on every run is waste)."""
    out = {}
    for p in sorted(paths):
        stat = p.stat()
        if stat.st_size < 20_000_000:
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
        else:
            out[p.name] = f"{stat.st_size}:{int(stat.st_mtime)}"
    return out


def ensure_index(path: Path, fingerprint: dict, build: Callable[[], object], reuse: bool = True) -> bool:
    """Build the index at `path` unless a matching one is there; True when it was reused."""
    path = Path(path)
    wanted = json.loads(json.dumps(fingerprint, sort_keys=True, default=str))
    sidecar = _sidecar(path)
    if reuse and (path / MANIFEST).is_file() and sidecar.is_file():
        try:
            if json.loads(sidecar.read_text(encoding="utf-8")) == wanted:
                logger.info("reusing %s (same fingerprint)", path)
                return True
        except json.JSONDecodeError:
            pass
    build()
    sidecar.write_text(json.dumps(wanted, ensure_ascii=False, sort_keys=True, indent=1), encoding="utf-8")
    return False


def model_fingerprint(analyzer: KoreanAnalyzer, embedder) -> dict:
    return {"embedder": embedder.embedder_id, "analyzer": analyzer.settings()}


def ensure_demo_index(
    path: Path, analyzer: KoreanAnalyzer, embedder, progress: ProgressFactory = no_progress, reuse: bool = True
) -> bool:
    """The bundled demo catalog, ingested with `run_ingest` (the same pipeline as `python -m ingest --demo`)."""
    fingerprint = {
        "data": files_fingerprint([p for p in Path(DEMO_DATA).iterdir() if p.suffix == ".jsonl"]),
        **model_fingerprint(analyzer, embedder),
    }

    def build() -> None:
        logger.info("building the demo index at %s", path)
        run_ingest(
            IngestConfig(sources=(str(DEMO_DATA),), index=Path(path)),
            progress=progress,
            analyzer=analyzer,
            embedder=embedder,
        )

    return ensure_index(path, fingerprint, build, reuse)
