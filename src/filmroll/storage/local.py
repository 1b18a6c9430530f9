"""Local-disk storage backend.

Uploads are written to ``<name>.part-<random>`` next to their destination (same
filesystem, so the final ``os.replace`` is atomic), fsynced, renamed into place,
and the directory fsynced so the rename itself survives a crash. A process killed
mid-upload leaves its part file behind; :meth:`LocalStorage.remove_stale_partials`
finds them by name.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import stat as stat_mod
import time
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO

import anyio
from anyio.to_thread import run_sync

from .base import READ_CHUNK_SIZE, Storage, StoredFile, Upload, resolve_range
from .errors import NotFoundError, StorageError
from .keys import KEY_ROOTS, validate_key

#: Marker in temporary file names; such files are never valid finished files.
PART_MARKER = ".part-"

_PART_TOKEN_BYTES = 8
# A part file's name ends with the marker and its random token, which no finished key can.
_PART_NAME = re.compile(re.escape(PART_MARKER) + f"[0-9a-f]{{{2 * _PART_TOKEN_BYTES}}}\\Z")

_COPY_CHUNK_SIZE = 1024 * 1024


def _stored_file(key: str, st: os.stat_result) -> StoredFile:
    return StoredFile(
        key=key,
        size=st.st_size,
        modified=datetime.fromtimestamp(st.st_mtime_ns / 1e9, tz=UTC),
        etag=f"{st.st_mtime_ns:x}-{st.st_size:x}",
    )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class LocalUpload(Upload):
    """An upload into a temporary file beside the destination."""

    def __init__(self, key: str, final_path: Path, temp_path: Path, fd: int) -> None:
        super().__init__(key)
        self._final_path = final_path
        self._temp_path = temp_path
        self._fd: int | None = fd

    @property
    def temp_path(self) -> Path:
        """Where the data is being written until commit."""
        return self._temp_path

    def _check_open(self) -> int:
        if self._finished or self._fd is None:
            raise StorageError(f"upload of {self.key!r} is already finished")
        return self._fd

    def _write_sync(self, chunk: bytes) -> None:
        fd = self._check_open()
        view = memoryview(chunk)
        try:
            while view:
                written = os.write(fd, view)
                view = view[written:]
        except OSError as exc:
            self._abort_sync()
            raise StorageError(f"writing {self.key!r} failed: {exc}") from exc

    def _commit_sync(self) -> StoredFile:
        fd = self._check_open()
        try:
            os.fsync(fd)
            self._fd = None
            os.close(fd)
            os.replace(self._temp_path, self._final_path)
            self._finished = True
            _fsync_dir(self._final_path.parent)
            st = os.stat(self._final_path)
        except OSError as exc:
            if not self._finished:
                self._abort_sync()
                raise StorageError(f"committing {self.key!r} failed: {exc}") from exc
            # The rename happened, so the data is in place; a failing directory
            # fsync or stat afterwards must still be reported as a failure.
            raise StorageError(f"committed {self.key!r} but could not confirm it: {exc}") from exc
        return _stored_file(self.key, st)

    def _abort_sync(self) -> None:
        if self._finished:
            return
        self._finished = True
        fd, self._fd = self._fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
        _unlink_quietly(self._temp_path)

    async def write(self, chunk: bytes) -> None:
        if chunk:
            await run_sync(self._write_sync, chunk)
        else:
            self._check_open()

    async def commit(self) -> StoredFile:
        return await run_sync(self._commit_sync)

    async def abort(self) -> None:
        with anyio.CancelScope(shield=True):
            await run_sync(self._abort_sync)


class LocalStorage(Storage):
    """Files under ``root``, one file per key."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._resolved_root = self.root.resolve()

    def _path(self, key: str) -> Path:
        validate_key(key)
        path = self.root / key
        # Lexical checks cannot see symlinks, so also check where the path really goes.
        if not path.resolve().is_relative_to(self._resolved_root):
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    def _begin_sync(self, key: str, path: Path) -> LocalUpload:
        temp = path.with_name(f"{path.name}{PART_MARKER}{secrets.token_hex(_PART_TOKEN_BYTES)}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise StorageError(f"cannot start writing {key!r}: {exc}") from exc
        return LocalUpload(key, path, temp, fd)

    async def begin_upload(self, key: str) -> LocalUpload:
        path = self._path(key)
        return await run_sync(self._begin_sync, key, path)

    def _stat_sync(self, key: str, path: Path) -> StoredFile | None:
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise StorageError(f"cannot stat {key!r}: {exc}") from exc
        if not stat_mod.S_ISREG(st.st_mode):
            return None
        return _stored_file(key, st)

    async def stat(self, key: str) -> StoredFile | None:
        path = self._path(key)
        return await run_sync(self._stat_sync, key, path)

    async def exists(self, key: str) -> bool:
        return await self.stat(key) is not None

    def _open_range_sync(self, key: str, path: Path, start: int, end: int | None) -> tuple[BinaryIO, int]:
        try:
            f = open(path, "rb")  # noqa: SIM115 - closed by the generator that consumes it
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            raise NotFoundError(f"no such file: {key!r}") from exc
        except OSError as exc:
            raise StorageError(f"cannot open {key!r}: {exc}") from exc
        try:
            offset, length = resolve_range(os.fstat(f.fileno()).st_size, start, end)
            f.seek(offset)
        except BaseException:
            f.close()
            raise
        return f, length

    async def open_range(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        path = self._path(key)
        f, remaining = await run_sync(self._open_range_sync, key, path, start, end)
        try:
            while remaining > 0:
                try:
                    data = await run_sync(f.read, min(READ_CHUNK_SIZE, remaining))
                except OSError as exc:
                    raise StorageError(f"reading {key!r} failed: {exc}") from exc
                if not data:
                    # The file shrank underneath us; end the stream rather than hang.
                    return
                remaining -= len(data)
                yield data
        finally:
            f.close()

    def _delete_sync(self, key: str, path: Path) -> None:
        try:
            os.unlink(path)
        except (FileNotFoundError, NotADirectoryError):
            pass
        except OSError as exc:
            raise StorageError(f"cannot delete {key!r}: {exc}") from exc

    async def delete(self, key: str) -> None:
        path = self._path(key)
        await run_sync(self._delete_sync, key, path)

    def local_path(self, key: str) -> Path:
        return self._path(key)

    @contextlib.asynccontextmanager
    async def fetch_to_temp(self, key: str) -> AsyncIterator[Path]:
        path = self._path(key)
        if await run_sync(self._stat_sync, key, path) is None:
            raise NotFoundError(f"no such file: {key!r}")
        yield path

    def _put_file_sync(self, key: str, path: Path, source: Path) -> StoredFile:
        upload = self._begin_sync(key, path)
        try:
            with open(source, "rb") as src:
                while chunk := src.read(_COPY_CHUNK_SIZE):
                    upload._write_sync(chunk)
            return upload._commit_sync()
        except StorageError:
            raise
        except OSError as exc:
            raise StorageError(f"cannot read {source}: {exc}") from exc
        finally:
            upload._abort_sync()

    async def put_file(self, key: str, path: Path) -> StoredFile:
        target = self._path(key)
        return await run_sync(self._put_file_sync, key, target, Path(path))

    def _remove_partials_sync(self, idle_for: timedelta | None) -> int:
        cutoff = None if idle_for is None else time.time() - idle_for.total_seconds()
        removed, failures = 0, []
        for top in KEY_ROOTS:
            for dirpath, _dirnames, filenames in os.walk(self.root / top):
                for name in filenames:
                    if not _PART_NAME.search(name):
                        continue
                    path = Path(dirpath, name)
                    try:
                        st = os.lstat(path)
                        if not stat_mod.S_ISREG(st.st_mode) or (cutoff is not None and st.st_mtime > cutoff):
                            continue
                        os.unlink(path)
                    except FileNotFoundError:
                        continue
                    except OSError as exc:
                        failures.append(f"{path}: {exc}")
                        continue
                    removed += 1
        if failures:
            raise StorageError(f"cannot remove {len(failures)} partial file(s), first {failures[0]}")
        return removed

    async def remove_stale_partials(self, idle_for: timedelta | None = None) -> int:
        """Delete ``*.part-<token>`` files; "idle" means not modified for ``idle_for``."""
        return await run_sync(self._remove_partials_sync, idle_for)
