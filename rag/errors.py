"""Errors a user of `rag` can act on: each message says what is wrong and what to run."""

from __future__ import annotations


class ShoppingGuideError(Exception):
    """Base class of the library's own errors."""


class IndexOpenError(ShoppingGuideError):
    """An index folder that cannot be opened: missing, damaged, another format version or another embedder."""


class IndexWriteError(ShoppingGuideError):
    """An index could not be written; the previous index at that path is untouched."""
