"""The data files the review readers ship with (rag/generation/*.tsv), read one way: missing means a broken install."""

from __future__ import annotations

from pathlib import Path


def data_lines(path: Path, what: str, builder: str) -> list[list[str]]:
    """The tab-separated fields of every line of `path` that is neither blank nor a # comment. A missing file raises
    an error that names `what` it is and the `builder` module that makes it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RuntimeError(
            f"the {what} {path} is missing ({exc}): reinstall the package, or rebuild it with `python -m {builder}`"
        ) from exc
    return [line.split("\t") for line in lines if line.strip() and not line.startswith("#")]
