"""Bytes to text lines: gzip, per-file encoding detection, and line-by-line decoding that keeps the good lines.

Detection order: a byte-order mark (UTF-8/16/32), UTF-16 without one (every other byte 0, confirmed by decoding),
strict UTF-8, then CP949/EUC-KR with a notice. A line that does not decode is kept as a blank line with its
number and reason in `Decoded.bad`, so the reader reports it and reads the rest.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

HEAD_BYTES = 1 << 20  # the encoding is decided from the first MiB (decompressed)
_LONE_CR = re.compile(r"(?<=\r)(?!\n)")  # old Mac line ends: a \r not followed by \n ends a line too


class SourceError(ValueError):
    """A source that cannot be read at all (missing, unknown format, unreadable header, damaged file)."""


def open_binary(path: Path):
    if not path.name.lower().endswith(".gz"):
        return open(path, "rb")
    with open(path, "rb") as f:
        magic = f.read(2)
    if magic != b"\x1f\x8b":
        raise SourceError(
            f"{path}: is not gzip-compressed (it starts with {magic!r}, gzip starts with b'\\x1f\\x8b'); "
            "rename it without .gz, or compress it with gzip"
        )
    return gzip.open(path, "rb")


def _damaged_gzip(path: Path, lines: int, exc: Exception) -> SourceError:
    return SourceError(
        f"{path}: the gzip data is damaged or cut short ({exc}; {lines:,} lines could be read before it); "
        f"nothing was indexed — re-download or re-compress the file (gzip -t {path.name} checks it) and run again"
    )


def read_head(path: Path) -> bytes:
    """The first HEAD_BYTES of the file's (decompressed) content, for detection."""
    try:
        with open_binary(path) as f:
            return f.read(HEAD_BYTES)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        return _partial_head(path, exc)
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None


def _partial_head(path: Path, exc: Exception) -> bytes:
    """What can be read of a damaged gzip file's head; the damage itself is reported when the rows are read."""
    out = bytearray()
    try:
        with gzip.open(path, "rb") as f:
            while len(out) < HEAD_BYTES:
                chunk = f.read(4096)
                if not chunk:
                    break
                out += chunk
    except (EOFError, OSError, zlib.error):
        pass
    if not out:
        raise _damaged_gzip(path, 0, exc) from None
    return bytes(out)


def _ascii_compatible(encoding: str) -> bool:
    """Encodings whose lines can be split on the byte \\n and decoded one by one (not UTF-16/32)."""
    try:
        return "a,\n".encode(encoding) == b"a,\n"
    except (UnicodeError, LookupError):
        return False


def normalize_encoding(name: str) -> str:
    """A codec name Python knows, or a SourceError naming the bad value (for --encoding)."""
    try:
        found = codecs.lookup(name).name
    except LookupError:
        raise SourceError(f"unknown encoding {name!r}; use a Python codec name such as utf-8, cp949, utf-16") from None
    return "utf-8" if found == "utf-8-sig" else found  # a UTF-8 byte-order mark is always dropped


def sniff_encoding(head: bytes) -> tuple[str, str | None]:
    """(encoding, notice or None) for a file starting with `head`: BOMs, UTF-16 without BOM, UTF-8, then CP949."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return (
                name,
                None if name == "utf-8" else f"read as {name.upper()} (it starts with a {name} byte-order mark)",
            )
    sample = head[: 4096 // 2 * 2]
    if len(sample) >= 4:
        # ASCII in UTF-16 puts a 0 in every other byte, always on the same side; stray NULs fall on both
        half = len(sample) // 2
        even, odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
        for name, zeros, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if zeros >= 0.3 and zeros > 2 * other:
                text = sample.decode(name, errors="replace")
                if "\x00" not in text and text.count("\ufffd") <= 1:
                    return name, f"read as {name.upper()} (no byte-order mark, but every other byte is 0)"
    lines = head.split(b"\n")[:-1] if len(head) == HEAD_BYTES else head.split(b"\n")
    utf8_ok, cp949_ok, failing = 0, 0, 0
    for raw in lines:
        if raw.isascii():
            continue
        try:
            raw.decode("utf-8")
            utf8_ok += 1
        except UnicodeDecodeError:
            failing += 1
            try:
                raw.decode("cp949")
                cp949_ok += 1
            except UnicodeDecodeError:
                pass
    # a CP949 file has no valid non-ASCII UTF-8 line; a UTF-8 file with a stray CP949 line keeps UTF-8 and
    # reports that line by number
    if failing and not utf8_ok and cp949_ok * 2 >= failing:
        return "cp949", "read as CP949 (EUC-KR): it is not valid UTF-8; pass --encoding to read it as another encoding"
    return "utf-8", None


class Decoded:
    """A file's text lines (line ends kept), decoded one by one; an undecodable line becomes a blank line and
    its number and reason are kept in `bad`, so the rows around it are read and it is reported."""

    def __init__(self, path: Path, encoding: str) -> None:
        self.path, self.encoding = path, encoding
        self.bad: dict[int, str] = {}
        self.line = 0  # physical lines handed out so far

    def __iter__(self) -> Iterator[str]:
        try:
            with open_binary(self.path) as binary:
                if _ascii_compatible(self.encoding):
                    yield from self._by_line(binary)
                else:
                    yield from self._by_stream(binary)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise _damaged_gzip(self.path, self.line, exc) from None

    def _by_line(self, binary) -> Iterator[str]:
        encoding = self.encoding
        for raw in binary:
            if self.line == 0 and raw.startswith(codecs.BOM_UTF8) and encoding == "utf-8":
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as exc:
                self.line += 1
                self.bad[self.line] = self._why(raw, exc)
                yield "\n"
                continue
            if "\r" in text and _LONE_CR.search(text):
                for part in _LONE_CR.split(text):
                    if part:
                        self.line += 1
                        yield part
                continue
            self.line += 1
            yield text

    def _by_stream(self, binary) -> Iterator[str]:
        try:
            with io.TextIOWrapper(binary, encoding=self.encoding, newline="") as stream:
                for text in stream:
                    self.line += 1
                    yield text
        except UnicodeDecodeError as exc:
            raise SourceError(
                f"{self.path}: not valid {self.encoding.upper()} after line {self.line:,} ({exc.reason}); "
                "pass --encoding with the file's real encoding"
            ) from None

    def _why(self, raw: bytes, exc: UnicodeDecodeError) -> str:
        message = (
            f"is not valid {self.encoding.upper()} (byte 0x{raw[exc.start]:02x} at byte {exc.start}); "
            "the line is skipped"
        )
        if self.encoding == "utf-8":
            try:
                raw.decode("cp949")
                message += "; it reads as CP949: re-save the file as UTF-8, or pass --encoding cp949 if all of it is"
            except UnicodeDecodeError:
                pass
        return message
