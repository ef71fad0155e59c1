"""A fuzz pass over the readers: well-formed files in every supported shape lose no row, and arbitrary damage
never raises anything but a SourceError (a file-level message) nor costs the good rows around it.

Bounded for CI: a fixed number of examples per property, derandomised so every run tries the same inputs.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.readers import SourceError, discover
from ingest.validate import LIMITS, validate

from .conftest import SHOP

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# review text as shoppers and exports write it: Hangul, jamo, ASCII, the CSV's own special characters, line
# breaks of every kind, odd spaces, emoji, decomposed Hangul
PIECES = st.one_of(
    st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3),
    st.characters(min_codepoint=0x3131, max_codepoint=0x318E),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from([",", ";", "\t", "|", '"', "'", "\n", "\r\n", "\r", "\u00a0", "\u2028", "\x85", "😀"]),
    st.just("\u1100\u1161"),  # 가, decomposed
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)
FORMATS = ["csv", "csv;", "tsv", "jsonl", "json"]
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp949"]


def _serialise(rows: list[dict], fmt: str) -> str:
    if fmt.startswith("json"):
        if fmt == "json":
            return json.dumps(rows, ensure_ascii=False, indent=1)
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    out = io.StringIO()
    # "\r\n", as spreadsheets write it: with "\n" alone, Python's writer leaves a lone "\r" unquoted (a line break
    # to every reader), so the file would not be well formed
    writer = csv.writer(out, delimiter={"csv": ",", "csv;": ";", "tsv": "\t"}[fmt])
    writer.writerow(list(rows[0]))
    writer.writerows([list(r.values()) for r in rows])
    return out.getvalue()


def _read(folder: Path, name: str, content: bytes):
    (folder / name).write_bytes(content)
    for extra in ("products.jsonl",):
        (folder / extra).write_bytes((SHOP / extra).read_bytes())
    return validate(discover(str(folder)))


def _expected_text(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())[: LIMITS["text"]].rstrip()


@FUZZ
@given(
    texts=st.lists(TEXTS, min_size=1, max_size=8),
    fmt=st.sampled_from(FORMATS),
    encoding=st.sampled_from(ENCODINGS),
    gz=st.booleans(),
)
def test_well_formed_files_lose_no_row(texts, fmt, encoding, gz):
    rows = [
        {"review_id": f"F{i}", "product_id": "P1", "rating": 1 + i % 5, "text": text} for i, text in enumerate(texts)
    ]
    try:
        content = _serialise(rows, fmt).encode(encoding)
    except UnicodeEncodeError:  # CP949 has no emoji: such a file cannot exist
        content = _serialise(rows, fmt).encode("utf-8")
    suffix = {"csv;": "csv"}.get(fmt, fmt)
    name = f"reviews.{suffix}" + (".gz" if gz else "")
    with tempfile.TemporaryDirectory() as tmp:
        data = _read(Path(tmp), name, gzip.compress(content) if gz else content)
    assert data.skipped() == 0, [str(p) for p in data.problems]
    assert [(r.review_id, r.text) for r in data.reviews] == [(r["review_id"], _expected_text(r["text"])) for r in rows]


GOOD = [{"review_id": f"G{i}", "product_id": "P1", "rating": 5, "text": f"배송 빨라요, 좋아요 {i}"} for i in range(6)]


@FUZZ
@given(
    garbage=st.binary(min_size=1, max_size=80).filter(lambda b: b"\n" not in b),
    at=st.integers(min_value=1, max_value=len(GOOD)),
    fmt=st.sampled_from(["csv", "tsv", "jsonl"]),
)
def test_a_damaged_line_costs_only_itself(garbage, at, fmt):
    lines = _serialise(GOOD, fmt).encode("utf-8").split(b"\n")
    lines.insert(at - 1 if fmt == "jsonl" else at, garbage)  # the header stays whole
    with tempfile.TemporaryDirectory() as tmp:
        try:
            data = _read(Path(tmp), f"reviews.{fmt}", b"\n".join(lines))
        except SourceError:
            return  # refused loudly, with a file-level message: nothing is lost quietly
    kept = {r.review_id for r in data.reviews}
    lost = {r["review_id"] for r in GOOD} - kept
    # no good row is lost to the damage; at most the garbage itself is read as a row, if it happens to be one
    assert not lost, (lost, [str(p) for p in data.problems])
    assert all(p.where.startswith("reviews.") for p in data.problems)


@FUZZ
@given(
    content=st.binary(max_size=400),
    name=st.sampled_from(["reviews.csv", "reviews.jsonl", "reviews.json", "reviews.tsv"]),
    gz=st.sampled_from([None, "whole", "cut"]),
)
def test_arbitrary_bytes_are_rows_problems_or_a_file_error_never_a_traceback(content, name, gz):
    if gz:
        name += ".gz"
        content = gzip.compress(content)
        content = content[: len(content) // 2] if gz == "cut" else content
    with tempfile.TemporaryDirectory() as tmp:
        try:
            data = _read(Path(tmp), name, content)
        except SourceError as exc:
            assert str(exc)  # a message naming the problem
            return
    assert all(p.message for p in data.problems)
