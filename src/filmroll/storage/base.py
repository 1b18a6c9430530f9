"""The storage interface shared by the local-disk and S3-compatible backends.

Everything is async because the server runs on asyncio; backends run their
blocking I/O in worker threads. Writes stream through an :class:`Upload` so a
file never has to fit in memory, and become visible under their key only once
complete, so readers never observe a partial file.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncGenerator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Self

import anyio

from .errors import InvalidRangeError

#: Size of the chunks yielded by :meth:`Storage.open_range`.
READ_CHUNK_SIZE = 64 * 1024


@dataclass(frozen=True, slots=True)
class StoredFile:
    """Metadata of a stored file.

    ``etag`` changes whenever the content may have changed; it is suitable for
    HTTP ``ETag`` headers but is not a content hash.
    """

    key: str
    size: int
    modified: datetime
    etag: str


class Upload(abc.ABC):
    """A streaming write to one key, published atomically by :meth:`commit`.

    Use as ``async with await storage.begin_upload(key) as upload:``. Leaving the
    block with an exception aborts the upload. Leaving it normally without having
    called :meth:`commit` also aborts, so an early return never publishes a
    truncated file. Calls on one upload must not run concurrently.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._finished = False

    @property
    def finished(self) -> bool:
        """True once the upload has been committed or aborted."""
        return self._finished

    @abc.abstractmethod
    async def write(self, chunk: bytes) -> None:
        """Append ``chunk``. On failure the upload is aborted and ``StorageError`` raised."""

    @abc.abstractmethod
    async def commit(self) -> StoredFile:
        """Make the data durable and visible under the key, replacing any previous file."""

    @abc.abstractmethod
    async def abort(self) -> None:
        """Discard everything written so far. Idempotent; a no-op after commit."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._finished:
            # Shielded so that cleanup still runs when the enclosing task is cancelled.
            with anyio.CancelScope(shield=True):
                await self.abort()


class Storage(abc.ABC):
    """File storage for asset originals and derived files.

    Keys are relative POSIX paths (see :func:`filmroll.storage.keys.validate_key`);
    every method raises ``ValueError`` for a key that is not, before doing any I/O.
    Backend failures surface as :class:`~filmroll.storage.errors.StorageError`.
    """

    @abc.abstractmethod
    async def begin_upload(self, key: str) -> Upload:
        """Start a streaming write to ``key``."""

    @abc.abstractmethod
    async def stat(self, key: str) -> StoredFile | None:
        """Metadata of ``key``, or None if it does not exist."""

    @abc.abstractmethod
    def open_range(self, key: str, start: int = 0, end: int | None = None) -> AsyncGenerator[bytes, None]:
        """Stream bytes ``start`` to ``end`` **inclusive** (HTTP ``Range`` semantics).

        ``end=None`` reads to the end of the file; an ``end`` past the end of the
        file is clamped. Chunks are at most :data:`READ_CHUNK_SIZE` bytes.
        Implemented as an async generator: errors (``NotFoundError``,
        ``InvalidRangeError`` when ``start`` is at or past the end of a non-empty
        file) are raised on the first iteration. ``aclose()`` it (e.g. with
        ``contextlib.aclosing``) when stopping early to release the file/connection
        promptly instead of at garbage collection.
        """

    @abc.abstractmethod
    async def delete(self, key: str) -> None:
        """Delete ``key``; deleting a missing key is not an error."""

    async def exists(self, key: str) -> bool:
        """Whether ``key`` exists."""
        return await self.stat(key) is not None

    @abc.abstractmethod
    def local_path(self, key: str) -> Path | None:
        """A filesystem path for ``key`` if the backend stores files locally, else None.

        Lets callers hand files to libraries that need a path (EXIF, thumbnails,
        ``FileResponse``) without copying. The path is returned whether or not the
        file exists.
        """

    @abc.abstractmethod
    def fetch_to_temp(self, key: str) -> AbstractAsyncContextManager[Path]:
        """``async with storage.fetch_to_temp(key) as path:`` a local file with the content.

        Local storage yields the stored file itself (treat it as read-only); remote
        storage downloads to a temporary file that is removed when the block exits.
        Raises ``NotFoundError`` if the key does not exist.
        """

    @abc.abstractmethod
    async def put_file(self, key: str, path: Path) -> StoredFile:
        """Store a copy of the local file ``path`` (e.g. a generated thumbnail) under ``key``."""

    @abc.abstractmethod
    async def remove_stale_partials(self, idle_for: timedelta | None = None) -> int:
        """Remove what interrupted uploads left behind; return how many were removed.

        An upload aborts itself on any failure it sees, but a process killed mid-upload
        (``kill -9``, power loss) leaves a partial file (local) or an incomplete multipart
        upload (S3) that nothing would ever remove. Only the key roots filmroll writes
        (:data:`~filmroll.storage.keys.KEY_ROOTS`) are searched, so software sharing the
        bucket or directory keeps its own uploads.

        ``idle_for=None`` removes every partial. That is only safe while no upload is in
        progress anywhere on this storage: filmroll runs one server process per data
        directory, so at start-up, before it serves requests, every partial is stale. (A
        multi-process mode would have to pass ``idle_for`` at start-up too.) With
        ``idle_for``, only partials that have not been written to for that long are
        removed, which is safe while uploads run.
        """


def check_range(start: int, end: int | None) -> None:
    """Reject ranges that are malformed whatever the file size."""
    if start < 0:
        raise InvalidRangeError(f"range start must be >= 0, got {start}")
    if end is not None and end < start:
        raise InvalidRangeError(f"range end {end} is before start {start}")


def resolve_range(size: int, start: int, end: int | None) -> tuple[int, int]:
    """Validate an inclusive byte range against ``size``; return ``(offset, length)``.

    Shared by the backends so they agree on edge cases: an open-ended read from 0
    of an empty file is an empty read, any other ``start >= size`` is unsatisfiable.
    """
    check_range(start, end)
    if size == 0 and start == 0 and end is None:
        return 0, 0
    if start >= size:
        raise InvalidRangeError(f"range start {start} is beyond the end of a {size}-byte file")
    last = size - 1 if end is None else min(end, size - 1)
    return start, last - start + 1
