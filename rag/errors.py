"""Errors the library raises; the CLI and the app turn them into messages."""
from __future__ import annotations


class RagError(Exception):
    """Base class for every error this package raises on purpose.

    The message is English, for logs and tests; `swedish`, where given, is the reason as a user
    reads it (the app and the CLI's answer text show that)."""

    def __init__(self, message: str = "", swedish: str = ""):
        super().__init__(message)
        self.swedish = swedish


class CorpusError(RagError):
    """A report or the manifest cannot be read as given (names file and line)."""


class IndexError_(RagError):
    """The built index is missing, stale, corrupt or built with another model."""


class IndexMissing(IndexError_):
    """No index has been built yet."""


class IndexMismatch(IndexError_):
    """The index on disk does not match the corpus, the model or the format."""


class QuestionError(RagError):
    """The question cannot be answered as asked (empty, too long, not text)."""


class BadFileName(CorpusError):
    """An uploaded file name that cannot be stored (too long, control characters, hidden).

    Carries a plain-Swedish reason for the app next to the English message."""

    def __init__(self, message: str, swedish: str):
        super().__init__(message, swedish)


class StorageError(RagError):
    """A file or folder cannot be written: a read-only folder, a full disk, a bad path."""
