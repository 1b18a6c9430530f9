"""Behaviour every storage backend must share; runs once per storage_backend."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from datetime import datetime
from pathlib import Path

import anyio
import anyio.lowlevel
import pytest

from filmroll.storage import (
    PART_SIZE,
    READ_CHUNK_SIZE,
    InvalidRangeError,
    LocalStorage,
    NotFoundError,
    Storage,
    StorageError,
    StoredFile,
)

from .storage_support import Backend, chunks, collect, data

MULTIPART_SIZE = 2 * PART_SIZE + 123


async def store(storage: Storage, key: str, content: bytes) -> StoredFile:
    async with await storage.begin_upload(key) as upload:
        await upload.write(content)
        return await upload.commit()


async def test_round_trip_of_a_multipart_sized_stream(storage_backend: Backend) -> None:
    storage = storage_backend.storage
    key = "library/owner/2024/05/big.mov"
    written = hashlib.sha256()
    async with await storage.begin_upload(key) as upload:
        for chunk in chunks(MULTIPART_SIZE):
            written.update(chunk)
            await upload.write(chunk)
        stored = await upload.commit()

    assert stored.key == key
    assert stored.size == MULTIPART_SIZE
    read = hashlib.sha256()
    size = 0
    async with aclosing(storage.open_range(key)) as stream:
        async for chunk in stream:
            assert 0 < len(chunk) <= READ_CHUNK_SIZE
            read.update(chunk)
            size += len(chunk)
    assert size == MULTIPART_SIZE
    assert read.hexdigest() == written.hexdigest()
    assert await storage.stat(key) == stored
    assert storage_backend.files() == [key]
    assert storage_backend.in_progress() == []


@pytest.mark.parametrize("size", [0, 1, 1000])
async def test_small_and_empty_files(storage: Storage, size: int) -> None:
    content = data(size)
    stored = await store(storage, "a/b.jpg", content)
    assert stored.size == size
    assert await collect(storage.open_range("a/b.jpg")) == content


async def test_unusual_but_valid_key_names(storage_backend: Backend) -> None:
    key = "library/ü ñ/2024/01/a b+c (1).JPG"
    await store(storage_backend.storage, key, b"x")
    assert await collect(storage_backend.storage.open_range(key)) == b"x"
    assert storage_backend.files() == [key]


RANGE_CONTENT_SIZE = 3 * READ_CHUNK_SIZE + 17


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (0, 0, slice(0, 1)),
        (10, 19, slice(10, 20)),
        (100, None, slice(100, None)),
        (RANGE_CONTENT_SIZE - 1, None, slice(-1, None)),
        (RANGE_CONTENT_SIZE - 1, RANGE_CONTENT_SIZE - 1, slice(-1, None)),
        (5, RANGE_CONTENT_SIZE + 1000, slice(5, None)),
        (READ_CHUNK_SIZE - 3, 2 * READ_CHUNK_SIZE + 3, slice(READ_CHUNK_SIZE - 3, 2 * READ_CHUNK_SIZE + 4)),
        (0, None, slice(None)),
    ],
)
async def test_range_reads(storage: Storage, start: int, end: int | None, expected: slice) -> None:
    content = data(RANGE_CONTENT_SIZE)
    await store(storage, "r.bin", content)
    got = []
    async for chunk in storage.open_range("r.bin", start, end):
        assert 0 < len(chunk) <= READ_CHUNK_SIZE
        got.append(chunk)
    assert b"".join(got) == content[expected]


@pytest.mark.parametrize(("start", "end"), [(10, None), (10, 20), (-1, None), (5, 4)])
async def test_unsatisfiable_ranges(storage: Storage, start: int, end: int | None) -> None:
    await store(storage, "r.bin", b"0123456789")
    with pytest.raises(InvalidRangeError):
        await collect(storage.open_range("r.bin", start, end))


async def test_stopping_a_range_read_early(storage: Storage) -> None:
    await store(storage, "r.bin", data(4 * READ_CHUNK_SIZE))
    async with aclosing(storage.open_range("r.bin")) as stream:
        async for chunk in stream:
            assert len(chunk) == READ_CHUNK_SIZE
            break
    # The object is still readable afterwards (nothing left locked or half-consumed).
    assert len(await collect(storage.open_range("r.bin", 0, 9))) == 10


async def test_missing_key(storage: Storage) -> None:
    assert await storage.stat("nope.jpg") is None
    assert not await storage.exists("nope.jpg")
    with pytest.raises(NotFoundError):
        await collect(storage.open_range("nope.jpg"))
    with pytest.raises(FileNotFoundError):
        await collect(storage.open_range("nope/deeper.jpg", 0, 10))
    with pytest.raises(NotFoundError):
        async with storage.fetch_to_temp("nope.jpg"):
            pass


async def test_stat(storage: Storage) -> None:
    before = datetime.now().astimezone()
    stored = await store(storage, "s/t.jpg", b"hello")
    st = await storage.stat("s/t.jpg")
    assert st == stored
    assert st.size == 5
    assert st.modified.tzinfo is not None
    # Generous bounds: S3 timestamps have second resolution and clocks may differ slightly.
    assert abs((st.modified - before).total_seconds()) < 300
    assert st.etag
    assert await storage.exists("s/t.jpg")
    # A directory-like prefix is not a file.
    assert await storage.stat("s") is None


async def test_overwrite_replaces_atomically_on_commit(storage: Storage) -> None:
    first = await store(storage, "o.jpg", b"old content")
    upload = await storage.begin_upload("o.jpg")
    async with upload:
        await upload.write(b"new, longer content")
        # Until commit, readers still see the complete old file.
        assert await collect(storage.open_range("o.jpg")) == b"old content"
        second = await upload.commit()
    assert await collect(storage.open_range("o.jpg")) == b"new, longer content"
    assert second.etag != first.etag
    assert (await storage.stat("o.jpg")) == second


async def test_delete_is_idempotent(storage_backend: Backend) -> None:
    storage = storage_backend.storage
    await store(storage, "d/e.jpg", b"x")
    await store(storage, "d/keep.jpg", b"y")
    await storage.delete("d/e.jpg")
    assert not await storage.exists("d/e.jpg")
    await storage.delete("d/e.jpg")
    await storage.delete("never/existed.jpg")
    assert storage_backend.files() == ["d/keep.jpg"]


async def test_abort_leaves_nothing(storage_backend: Backend) -> None:
    storage = storage_backend.storage
    upload = await storage.begin_upload("x/y.mov")
    for chunk in chunks(PART_SIZE + 1):
        await upload.write(chunk)
    # Something is in progress (a .part file / an open multipart upload)...
    assert storage_backend.in_progress() != []
    await upload.abort()
    await upload.abort()
    # ...and aborting removed every trace of it.
    assert storage_backend.in_progress() == []
    assert storage_backend.files() == []
    assert await storage.stat("x/y.mov") is None
    with pytest.raises(StorageError):
        await upload.write(b"more")
    with pytest.raises(StorageError):
        await upload.commit()


async def test_exception_inside_context_manager_aborts(storage_backend: Backend) -> None:
    storage = storage_backend.storage
    with pytest.raises(RuntimeError, match="boom"):
        async with await storage.begin_upload("x/y.mov") as upload:
            for chunk in chunks(PART_SIZE + 1):
                await upload.write(chunk)
            assert storage_backend.in_progress() != []
            raise RuntimeError("boom")
    assert upload.finished
    assert storage_backend.in_progress() == []
    assert storage_backend.files() == []


async def test_cancellation_inside_context_manager_still_aborts(storage_backend: Backend) -> None:
    """Cleanup needs I/O (a thread, a network call) that must survive the cancelled scope."""
    with anyio.CancelScope() as scope:
        async with await storage_backend.storage.begin_upload("x/y.mov") as upload:
            for chunk in chunks(PART_SIZE + 1):
                await upload.write(chunk)
            scope.cancel()
            await anyio.lowlevel.checkpoint()
    assert scope.cancelled_caught
    assert upload.finished
    assert storage_backend.in_progress() == []
    assert storage_backend.files() == []


async def test_leaving_context_without_commit_aborts(storage_backend: Backend) -> None:
    async with await storage_backend.storage.begin_upload("x/y.jpg") as upload:
        await upload.write(b"partial")
    assert storage_backend.in_progress() == []
    assert storage_backend.files() == []


async def test_commit_is_final(storage_backend: Backend) -> None:
    storage = storage_backend.storage
    async with await storage.begin_upload("c.jpg") as upload:
        await upload.write(b"data")
        await upload.commit()
        with pytest.raises(StorageError):
            await upload.write(b"more")
        # Aborting after commit must not remove the committed file.
        await upload.abort()
    assert await collect(storage.open_range("c.jpg")) == b"data"
    assert storage_backend.files() == ["c.jpg"]


async def test_error_after_commit_keeps_the_file(storage: Storage) -> None:
    with pytest.raises(RuntimeError):
        async with await storage.begin_upload("c.jpg") as upload:
            await upload.write(b"data")
            await upload.commit()
            raise RuntimeError
    assert await storage.exists("c.jpg")


async def test_put_file_and_fetch_to_temp(storage_backend: Backend, tmp_path: Path) -> None:
    storage = storage_backend.storage
    source = tmp_path / "thumb.webp"
    content = data(PART_SIZE + 5000)
    source.write_bytes(content)
    stored = await storage.put_file("thumbs/o/ab/abc-thumbnail.webp", source)
    assert stored.size == len(content)
    assert source.read_bytes() == content, "the source is copied, not moved"
    assert await collect(storage.open_range("thumbs/o/ab/abc-thumbnail.webp")) == content

    async with storage.fetch_to_temp("thumbs/o/ab/abc-thumbnail.webp") as path:
        assert path.suffix == ".webp"
        assert path.read_bytes() == content
    if isinstance(storage, LocalStorage):
        assert path == storage.local_path("thumbs/o/ab/abc-thumbnail.webp")
        assert path.exists(), "local storage hands out the stored file itself"
    else:
        assert storage.local_path("thumbs/o/ab/abc-thumbnail.webp") is None
        assert not path.exists(), "the downloaded temporary copy is removed afterwards"
    assert storage_backend.in_progress() == []


async def test_put_file_missing_source(storage_backend: Backend, tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        await storage_backend.storage.put_file("a.jpg", tmp_path / "missing.jpg")
    assert storage_backend.files() == []
    assert storage_backend.in_progress() == []


async def test_fetch_to_temp_cleans_up_on_error(storage: Storage) -> None:
    await store(storage, "f.heic", b"image")
    with pytest.raises(RuntimeError):
        async with storage.fetch_to_temp("f.heic") as path:
            assert path.read_bytes() == b"image"
            raise RuntimeError
    assert path.exists() == isinstance(storage, LocalStorage)
    assert await storage.exists("f.heic")


BAD_KEYS = [
    "",
    "..",
    "../escape.jpg",
    "a/../../escape.jpg",
    "a/../b.jpg",
    "/etc/passwd",
    "a//b.jpg",
    "./a.jpg",
    "a/",
    "a\\..\\b.jpg",
    "a\x00b",
]


def _operations(storage: Storage, key: str, tmp_path: Path) -> list[Callable[[], Awaitable[object]]]:
    async def fetch() -> None:
        async with storage.fetch_to_temp(key):
            pass

    async def local_path() -> None:
        storage.local_path(key)

    return [
        lambda: storage.begin_upload(key),
        lambda: storage.stat(key),
        lambda: storage.exists(key),
        lambda: storage.delete(key),
        lambda: collect(storage.open_range(key)),
        lambda: storage.put_file(key, tmp_path / "src"),
        fetch,
        local_path,
    ]


@pytest.mark.parametrize("key", BAD_KEYS)
async def test_keys_escaping_the_root_are_rejected(
    storage_backend: Backend, tmp_path: Path, key: str
) -> None:
    (tmp_path / "src").write_bytes(b"x")
    for operation in _operations(storage_backend.storage, key, tmp_path):
        with pytest.raises(ValueError):
            await operation()
    assert storage_backend.files() == []
    assert storage_backend.in_progress() == []


async def test_streaming_write_does_not_hold_the_file_in_memory(storage_backend: Backend) -> None:
    total = 64 * 1024 * 1024
    chunk_size = 1024 * 1024
    storage = storage_backend.storage
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        async with await storage.begin_upload("mem.bin") as upload:
            for chunk in chunks(total, chunk_size):
                await upload.write(chunk)
            await upload.commit()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Local disk holds about one chunk; S3 at most one part plus the copy being sent.
    allowed = 6 * chunk_size if storage_backend.kind == "local" else 2 * PART_SIZE + 8 * chunk_size
    assert peak - base < allowed, f"peak {(peak - base) / 2**20:.1f} MiB while writing 64 MiB"
    assert (await storage.stat("mem.bin")) is not None
