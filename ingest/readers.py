"""Reading source files into raw rows, each with the file and line it came from.

Formats (detected from the file name and header; see README "Input data"):
- the documented schema: products / reviews / events as JSONL, a JSON array (`.json`) or CSV;
- NSMC raw TSV (`review_id movie_id author rating date review`, CSV-quoted, multi-line fields);
- naver_shopping (`rating,review` CSV, no product ids).

Nothing is lost quietly: the encoding is detected per file (`decoding.py`; a notice says when it is not
UTF-8), a line that cannot be decoded is reported by its line number and only that line is skipped, the CSV
delimiter is sniffed from the header, header names are read case-insensitively, and a quote that is never
closed is reported where it opens while the rows it swallowed are read again.
"""

from __future__ import annotations

import csv
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .decoding import Decoded, SourceError, normalize_encoding, read_head, sniff_encoding

__all__ = ["KINDS", "RawRow", "Source", "SourceError", "detect", "discover", "normalize_encoding", "read_rows"]

KINDS = ("products", "reviews", "events")
NSMC_HEADER = ["review_id", "movie_id", "author", "rating", "date", "review"]
NAVER_SHOPPING_HEADER = ["rating", "review"]
_SUFFIXES = (".jsonl", ".json", ".csv", ".tsv", ".jsonl.gz", ".json.gz", ".csv.gz", ".tsv.gz")
# columns of the documented schema, and the ones a CSV header must have (README "Input data")
COLUMNS: dict[str, tuple[str, ...]] = {
    "products": (
        "product_id",
        "name",
        "category",
        "brand",
        "price",
        "description",
        "attributes",
        "purchases",
        "views",
        "in_stock",
    ),
    "reviews": (
        "review_id",
        "product_id",
        "rating",
        "text",
        "created_at",
        "helpful",
        "repurchase",
        "user_id",
        "option",
    ),
    "events": ("user_id", "product_id", "event", "ts"),
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "products": ("product_id", "name"),
    "reviews": ("review_id", "product_id", "rating", "text"),
    "events": ("user_id", "product_id", "event"),
}
_DELIMITERS = {",": "comma", "\t": "tab", ";": "semicolon", "|": "pipe"}

csv.field_size_limit(16 * 1024 * 1024)


@dataclass(frozen=True)
class Source:
    path: Path
    kind: str  # products | reviews | events
    fmt: str  # jsonl | json | csv | nsmc | naver_shopping
    encoding: str = "utf-8"
    delimiter: str = ","
    # file-level notices as (where, message), reported with the rows: another encoding or delimiter, files skipped
    notes: tuple[tuple[str, str], ...] = field(default=(), compare=False)


@dataclass
class RawRow:
    file: str
    line: int
    data: dict
    error: str | None = None  # set when the row could not be read at all; data is empty then
    reason: str = "bad_row"

    def where(self) -> str:
        return f"{self.file} line {self.line}"


# ---- detection ----


def _norm_column(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lstrip("\ufeff").strip()).lower()


def _sniff_delimiter(line: str, default: str) -> str:
    """The delimiter that splits the header into the most columns; the file type's own one on a tie."""
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in (default, *_DELIMITERS)}
    best = max(counts.values())
    return default if counts[default] == best else max(counts, key=lambda d: counts[d])


def _kind_from_name(name: str) -> str | None:
    lowered = name.lower()
    for kind in KINDS:
        if kind in lowered or kind.rstrip("s") in lowered:
            return kind
    return None


def _is_json(name: str) -> bool:
    return ".json" in name.lower()


def detect(path: Path, kind: str | None = None, encoding: str | None = None) -> Source:
    """Decide kind, format, encoding and delimiter of one file; `kind` forces the kind (from `reviews=path`),
    `encoding` the encoding (from --encoding)."""
    if not path.exists():
        raise SourceError(f"{path}: no such file or folder")
    name = path.name.lower()
    if not name.endswith(_SUFFIXES):
        raise SourceError(f"{path}: unknown file type; expected one of {', '.join(_SUFFIXES)}")
    notes: list[str] = []  # about this file; paired with its name below
    head = read_head(path)
    if encoding:
        encoding = normalize_encoding(encoding)
    else:
        encoding, note = sniff_encoding(head)
        if note:
            notes.append(note)
    if _is_json(name):
        kind = kind or _kind_from_name(name)
        if kind is None:
            raise SourceError(
                f"{path}: cannot tell whether it holds products, reviews or events; "
                "put the kind in the file name (products.jsonl) or write reviews=PATH"
            )
        fmt = "jsonl" if ".jsonl" in name else "json"
        return Source(path, kind, fmt, encoding, notes=_about(path, notes))
    first = _first_line(path, encoding)
    default = "\t" if ".tsv" in name else ","
    delimiter = _sniff_delimiter(first, default)
    if delimiter != default:
        notes.append(
            f"fields are separated by {_DELIMITERS[delimiter]}s ({delimiter!r}), not {_DELIMITERS[default]}s: "
            f"read with {delimiter!r}"
        )
    header = [_norm_column(h) for h in next(csv.reader([first], delimiter=delimiter), [])]
    if header == NSMC_HEADER:
        return Source(path, "reviews", "nsmc", encoding, delimiter, _about(path, notes))
    if header == NAVER_SHOPPING_HEADER:
        return Source(path, "reviews", "naver_shopping", encoding, delimiter, _about(path, notes))
    kind = kind or _kind_from_name(name)
    if kind is None:
        raise SourceError(
            f"{path}: header {header[:6]} matches neither NSMC ({' '.join(NSMC_HEADER)}) nor naver_shopping "
            "(rating,review), and the file name names no kind; name it products/reviews/events or write KIND=PATH"
        )
    _check_header(path, kind, header, delimiter)
    unknown = [h for h in header if h and h not in COLUMNS[kind]]
    if unknown:
        notes.append(f"columns {', '.join(unknown)} are not {kind} columns and are not read")
    return Source(path, kind, "csv", encoding, delimiter, _about(path, notes))


def _about(path: Path, notes: list[str]) -> tuple[tuple[str, str], ...]:
    return tuple((path.name, note) for note in notes)


def _first_line(path: Path, encoding: str) -> str:
    decoded = Decoded(path, encoding)
    lines = iter(decoded)
    try:
        line = next(lines, "")
    finally:
        lines.close()  # closes the file now, not whenever the generator is collected
    if decoded.bad:
        raise SourceError(f"{path} line 1 (the header) {decoded.bad[1]}; pass --encoding with the file's encoding")
    return line


def _check_header(path: Path, kind: str, header: list[str], delimiter: str) -> None:
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise SourceError(f"{path}: the header names column {', '.join(repeated)} twice (names ignore case)")
    missing = [c for c in REQUIRED[kind] if c not in header]
    if missing:
        raise SourceError(
            f"{path}: the header has no {', '.join(missing)} column (found {delimiter!r}-separated: "
            f"{', '.join(header[:10]) or 'nothing'}); a {kind} file needs {', '.join(REQUIRED[kind])} "
            f"(and may have {', '.join(c for c in COLUMNS[kind] if c not in REQUIRED[kind])})"
        )


def discover(arg: str, encoding: str | None = None) -> list[Source]:
    """Sources named by one command-line argument: a file, `KIND=FILE`, or a folder of such files.

    In a folder, a file whose name says products/reviews/events but whose type is not readable is an error,
    not skipped; hidden files and files that name no kind and are no CSV/TSV are ignored."""
    kind = None
    if "=" in arg and arg.split("=", 1)[0] in KINDS:
        kind, arg = arg.split("=", 1)
    path = Path(arg)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        unreadable = [p.name for p in files if not p.name.lower().endswith(_SUFFIXES) and _kind_from_name(p.name)]
        if unreadable:
            raise SourceError(
                f"{path}: {', '.join(unreadable)} cannot be read (expected one of {', '.join(_SUFFIXES)}); "
                "convert it, or move it out of the folder"
            )
        readable = [p for p in files if p.name.lower().endswith(_SUFFIXES)]
        chosen = [p for p in readable if kind or _kind_from_name(p.name) or not _is_json(p.name)]
        sources = [detect(p, kind, encoding) for p in chosen]
        if not sources:
            raise SourceError(f"{path}: the folder holds no products/reviews/events files")
        ignored = [p.name for p in readable if p not in chosen]
        if ignored:  # said once, with the folder's first file, so nothing in the folder goes unmentioned
            note = f"{', '.join(ignored)} not read: the name names no kind (write reviews=PATH to read it)"
            sources[0] = replace(sources[0], notes=(*sources[0].notes, (str(path), note)))
        return sources
    return [detect(path, kind, encoding)]


# ---- rows ----


def read_rows(source: Source) -> Iterator[RawRow]:
    """Raw rows of one source, with 1-based line numbers where each row starts."""
    decoded = Decoded(source.path, source.encoding)
    name = source.path.name
    if source.fmt == "jsonl":
        yield from _jsonl_rows(decoded, name)
    elif source.fmt == "json":
        yield from _json_array_rows(decoded, source)
    else:
        yield from _csv_rows(decoded, name, source.delimiter)


def _object_row(name: str, line: int, data) -> RawRow:
    if not isinstance(data, dict):
        return RawRow(name, line, {}, f"a row must be a JSON object, got {type(data).__name__}")
    if not all(isinstance(k, str) and k == k.lower() for k in data):
        data = {_norm_column(str(k)): v for k, v in data.items()}  # "Rating" reads as rating, as in CSV headers
    return RawRow(name, line, data)


def _jsonl_rows(decoded: Decoded, name: str) -> Iterator[RawRow]:
    for line_no, line in enumerate(decoded, start=1):
        if line_no in decoded.bad:
            yield RawRow(name, line_no, {}, decoded.bad[line_no], "undecodable_line")
            continue
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            yield RawRow(name, line_no, {}, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield RawRow(name, line_no, {}, "not valid JSON (nested too deeply)")
            continue
        yield _object_row(name, line_no, data)


def _json_array_rows(decoded: Decoded, source: Source) -> Iterator[RawRow]:
    """A `.json` file: an array of objects (read element by element, each with the line it starts on), or
    objects one per line, as JSONL."""
    name = source.path.name
    text = "".join(decoded)
    if decoded.bad:
        line, why = next(iter(decoded.bad.items()))
        raise SourceError(f"{source.path} line {line} {why}; a JSON file cannot be read around it")
    body = text.lstrip()
    if body.startswith("{"):
        yield from _jsonl_rows(_Lines(text), name)
        return
    if not body.startswith("["):
        raise SourceError(
            f"{source.path}: a .json file must hold an array of objects ([{{...}}, ...]) or one object per line; "
            f"it starts with {body[:20]!r}"
        )
    decoder = json.JSONDecoder()
    pos = len(text) - len(body) + 1
    count = 0
    while True:
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == "]":
            break
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (json.JSONDecodeError, RecursionError) as exc:
            where = f"line {exc.lineno} column {exc.colno} ({exc.msg})" if isinstance(exc, ValueError) else "a row"
            where += "" if isinstance(exc, ValueError) else " nested too deeply"
            raise SourceError(
                f"{source.path}: not valid JSON at {where}, after {count:,} rows; fix the file and run again"
            ) from None
        count += 1
        yield _object_row(name, line, value)
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "]":
            raise SourceError(
                f"{source.path}: not valid JSON at line {text.count(chr(10), 0, pos) + 1}: expected , or ] "
                f"after row {count:,}; fix the file and run again"
            )
    if text[pos + 1 :].strip():
        raise SourceError(f"{source.path}: there is more after the JSON array's closing ]; fix the file")


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


class _Lines:
    """Already-decoded text as a `Decoded`-like line source."""

    def __init__(self, text: str) -> None:
        self.bad: dict[int, str] = {}
        self._lines = text.splitlines(keepends=True)

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)


class _Feed:
    """The lines csv.reader reads, remembering which it took for the current row, so they can be given back."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines, self._back = lines, deque()
        self.taken: list[str] = []

    def __iter__(self) -> _Feed:
        return self

    def __next__(self) -> str:
        line = self._back.popleft() if self._back else next(self._lines)
        self.taken.append(line)
        return line

    def give_back(self, lines: list[str]) -> None:
        self._back.extendleft(reversed(lines))


def _csv_rows(decoded: Decoded, name: str, delimiter: str) -> Iterator[RawRow]:
    feed = _Feed(iter(decoded))
    reader = csv.reader(feed, delimiter=delimiter)
    try:
        header = [_norm_column(h) for h in next(reader, [])]
    except csv.Error as exc:
        raise SourceError(f"{name}: the header cannot be read as CSV ({exc})") from None
    if len(feed.taken) > 1:
        raise SourceError(f"{name}: the header line opens a quote that is not closed; fix the header")
    start = 2
    while True:
        feed.taken = []
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield RawRow(name, start, {}, f"cannot be read as CSV ({exc})")
            start += len(feed.taken)
            continue
        taken = feed.taken
        end = start + len(taken) - 1
        if len(taken) > 1 and _swallowed(taken, row, delimiter, len(header)):
            yield RawRow(
                name,
                start,
                {},
                f'a quote (") opens in this row and is not closed before line {end}, so it took in '
                f"{len(taken) - 1} more lines; this row is skipped and those lines are read as rows — close "
                "or remove the quote",
                "unclosed_quote",
            )
            feed.give_back(taken[1:])
            start += 1
            continue
        bad = [line for line in range(start, end + 1) if line in decoded.bad]
        if bad:
            for line in bad:
                spans = f" (the row from line {start} to {end} is skipped)" if end > start else ""
                yield RawRow(name, line, {}, decoded.bad[line] + spans, "undecodable_line")
        elif len(row) != len(header):
            if any(cell.strip() for cell in row):
                yield RawRow(name, start, {}, f"has {len(row)} fields, the header has {len(header)}")
        else:
            yield RawRow(name, start, dict(zip(header, row, strict=True)))
        start = end + 1


def _swallowed(taken: list[str], row: list[str], delimiter: str, columns: int) -> bool:
    """Did a quote that was never closed (or closed somewhere odd) take in lines of other rows?

    A real multi-line field (NSMC has 217) closes its quote and ends the row there; a stray quote runs to the
    end of the file or is "closed" by the next quoted field, mid-field — strict CSV rejects both. Lines that
    merely look like rows are no evidence: a long review may well have a line with as many commas as a row."""
    if len(row) != columns:
        return True
    try:
        for _ in csv.reader(taken, delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return True
    return False
