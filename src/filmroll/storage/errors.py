"""Exceptions raised by storage backends.

Callers handle one exception family regardless of the backend, so OS errors and
S3 client errors are translated into these types at the backend boundary.
"""

from __future__ import annotations


class StorageError(Exception):
    """A storage operation failed (I/O error, disk full, remote error...)."""


class NotFoundError(StorageError, FileNotFoundError):
    """The requested key does not exist.

    Also a ``FileNotFoundError`` so code written against plain files keeps working.
    """


class InvalidRangeError(StorageError, ValueError):
    """The requested byte range cannot be satisfied (maps to HTTP 416)."""
