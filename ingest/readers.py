"""Reading source files into raw rows, each with the file and line it came from.

Formats (detected from the file name and header; see README "Input data"):
- the documented schema: products / reviews / events as JSONL or CSV (UTF-8, with or without BOM);
- NSMC raw TSV (`review_id movie_id author rating date review`, CSV-quoted, multi-line fields);
- naver_shopping (`rating,review` CSV, no product ids).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

KINDS = ("products", "reviews", "events")
NSMC_HEADER = ["review_id", "movie_id", "author", "rating", "date", "review"]
NAVER_SHOPPING_HEADER = ["rating", "review"]
_SUFFIXES = (".jsonl", ".csv", ".tsv", ".jsonl.gz", ".csv.gz", ".tsv.gz")

csv.field_size_limit(16 * 1024 * 1024)


class SourceError(ValueError):
    """A source that cannot be read at all (missing, unknown format, unreadable header)."""


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # products | reviews | events
    fmt: str  # jsonl | csv | nsmc | naver_shopping


@dataclass
class RawRow:
    file: str
    line: int
    data: dict

    def where(self) -> str:
        return f"{self.file} line {self.line}"


def _open_text(path: Path) -> io.TextIOBase:
    # utf-8-sig strips a byte-order mark when there is one
    if path.name.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def _read_header(path: Path) -> list[str]:
    with _open_text(path) as f:
        first = f.readline()
    delimiter = "\t" if ".tsv" in path.name else ","
    return [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]


def _kind_from_name(name: str) -> str | None:
    lowered = name.lower()
    for kind in KINDS:
        if kind in lowered or kind.rstrip("s") in lowered:
            return kind
    return None


def detect(path: Path, kind: str | None = None) -> Source:
    """Decide kind and format of one file; `kind` forces the kind (from `reviews=path` on the command line)."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    name = path.name.lower()
    if not name.endswith(_SUFFIXES):
        raise SourceError(f"{path}: unknown file type; expected one of {', '.join(_SUFFIXES)}")
    if ".jsonl" in name:
        kind = kind or _kind_from_name(name)
        if kind is None:
            raise SourceError(
                f"{path}: cannot tell whether it holds products, reviews or events; "
                "put the kind in the file name (products.jsonl) or write reviews=PATH"
            )
        return Source(path, kind, "jsonl")
    header = _read_header(path)
    if header == NSMC_HEADER:
        return Source(path, "reviews", "nsmc")
    if header == NAVER_SHOPPING_HEADER:
        return Source(path, "reviews", "naver_shopping")
    kind = kind or _kind_from_name(name)
    if kind is None:
        raise SourceError(
            f"{path}: header {header[:6]} matches neither NSMC ({' '.join(NSMC_HEADER)}) nor naver_shopping "
            "(rating,review), and the file name names no kind; name it products/reviews/events or write KIND=PATH"
        )
    return Source(path, kind, "csv")


def discover(arg: str) -> list[Source]:
    """Sources named by one command-line argument: a file, `KIND=FILE`, or a folder of such files."""
    kind = None
    if "=" in arg and arg.split("=", 1)[0] in KINDS:
        kind, arg = arg.split("=", 1)
    path = Path(arg)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(_SUFFIXES))
        sources = [detect(p, kind) for p in files if kind or _kind_from_name(p.name) or ".jsonl" not in p.name]
        if not sources:
            raise SourceError(f"{path}: the folder holds no products/reviews/events files")
        return sources
    return [detect(path, kind)]


def read_rows(source: Source) -> Iterator[RawRow]:
    """Raw rows of one source, with 1-based line numbers where each row starts."""
    name = source.path.name
    with _open_text(source.path) as f:
        if source.fmt == "jsonl":
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield RawRow(name, line_no, {"__error__": f"not valid JSON ({exc.msg})"})
                    continue
                if not isinstance(data, dict):
                    yield RawRow(name, line_no, {"__error__": "a row must be a JSON object"})
                    continue
                yield RawRow(name, line_no, data)
            return
        delimiter = "\t" if source.fmt == "nsmc" or ".tsv" in name.lower() else ","
        reader = csv.reader(f, delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        start = reader.line_num + 1
        for row in reader:
            if len(row) != len(header):
                if any(cell.strip() for cell in row):
                    yield RawRow(name, start, {"__error__": f"has {len(row)} fields, the header has {len(header)}"})
            else:
                yield RawRow(name, start, dict(zip(header, row, strict=True)))
            start = reader.line_num + 1
