"""Downloads: how a selection splits into archives, and each archive streamed as a zip.

`info` lists what a download of some assets, an album or the caller's library holds, split into
archives of about `archiveSize` bytes (an archive closes once it passes the size), with the
motion parts of live photos after the rest, as Immich does. `archive` streams one zip of the
originals: entries are stored, not compressed (photos and videos do not shrink), written with
data descriptors so nothing has to be known before a file's bytes have passed, and read from
the storage backend chunk by chunk, so neither a temporary file nor a whole original is ever
held (memory stays flat whatever the archive's size). Zip64 records are written as needed.

Access is decided before the response starts (`_readable`): by asset ids (owner, partner,
album member: the one access rule), by album (owner or member) or by user (the caller only).
A shared-link context would add one more branch there and nothing else.
"""

from __future__ import annotations

import logging
import re
import uuid
import zipfile
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import aclosing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import download as repo
from filmroll.services.access import denied, require_album, require_assets, unlocked
from filmroll.services.auth import AuthContext
from filmroll.storage import NotFoundError, Storage

log = logging.getLogger("filmroll.download")

SEND_SIZE = 1024 * 1024
"""Bytes gathered before a write to the client: fewer, larger sends cost less per byte."""
DEFAULT_ARCHIVE_SIZE = 4 * 1024**3
"""Immich's default split: 4 GiB per archive."""
_UNSAFE = re.compile(r'[/?<>\\:*|"\x00-\x1f\x80-\x9f]')
_RESERVED = re.compile(r"^\.+$")
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_WINDOWS_TRAILING = re.compile(r"[. ]+$")


def safe_name(name: str) -> str:
    """A file name every unzip tool accepts: no path separators, control or reserved characters,
    no reserved Windows names, at most 255 bytes; `unnamed` when nothing is left."""
    cleaned = _UNSAFE.sub("", name)
    cleaned = _RESERVED.sub("", cleaned)
    cleaned = _WINDOWS_RESERVED.sub("", cleaned)
    cleaned = _WINDOWS_TRAILING.sub("", cleaned)
    cleaned = cleaned.encode()[:255].decode(errors="ignore")
    return cleaned or "unnamed"


def numbered(name: str, count: int) -> str:
    """`IMG_1.jpg` → `IMG_1+2.jpg`: the n-th repeat of a name in one archive."""
    dot = name.rfind(".")
    if dot <= 0:
        return f"{name}+{count}"
    return f"{name[:dot]}+{count}{name[dot:]}"


@dataclass
class _Archives:
    """Immich's split: add assets in order, close an archive once its size passes the target."""

    target: int
    done: list[dict[str, Any]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    size: int = 0

    def add(self, asset_id: Any, size: int | None) -> None:
        self.ids.append(str(asset_id))
        self.size += int(size or 0)
        if self.size > self.target:
            self._close()

    def _close(self) -> None:
        self.done.append({"size": self.size, "assetIds": self.ids})
        self.ids, self.size = [], 0

    def result(self) -> dict[str, Any]:
        if self.ids:
            self._close()
        return {"totalSize": sum(a["size"] for a in self.done), "archives": self.done}


class _Pipe:
    """A write-only, unseekable file for `zipfile`: what it writes is taken out as it comes."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


@dataclass(frozen=True, slots=True)
class _Entry:
    key: str
    name: str
    modified: datetime


def _zip_time(value: datetime) -> tuple[int, int, int, int, int, int]:
    """Zip timestamps hold years 1980 to 2107 only."""
    year = min(max(value.year, 1980), 2107)
    return (year, value.month, value.day, value.hour, value.minute, value.second)


def _entries(ids: Sequence[uuid.UUID], rows: dict[uuid.UUID, Row[Any]]) -> list[_Entry]:
    """One entry per requested id in request order, repeated names numbered as Immich does."""
    seen: dict[str, int] = {}
    entries = []
    for asset_id in ids:
        row = rows.get(asset_id)
        if row is None:
            continue
        name = safe_name(row.original_file_name)
        count = seen.get(name, 0)
        seen[name] = count + 1
        entries.append(
            _Entry(row.original_path, numbered(name, count) if count else name, row.file_modified_at)
        )
    return entries


class DownloadService:
    def __init__(self, db: Database, storage: Storage) -> None:
        self.db = db
        self.storage = storage

    @staticmethod
    def _readable(
        conn: Connection,
        auth: AuthContext,
        *,
        asset_ids: Sequence[uuid.UUID] | None,
        album_id: uuid.UUID | None,
        user_id: uuid.UUID | None,
    ) -> Iterable[Row[Any]]:
        """The assets a download covers, after checking the caller may download them."""
        if asset_ids is not None:
            require_assets(conn, auth, asset_ids, "download")
            return repo.of_ids(conn, asset_ids)
        if album_id is not None:
            require_album(conn, auth, album_id, "album.download", ("owner", "editor", "viewer"))
            return repo.of_album(conn, album_id)
        if user_id is not None:
            # A shared link's visitor acts as the link's owner but has none of its rights.
            if user_id != auth.user_id or auth.link is not None:
                raise denied("timeline.download")
            return repo.of_owner(conn, user_id, unlocked=unlocked(auth))
        raise BadRequest("assetIds, albumId, or userId is required")

    async def info(
        self,
        auth: AuthContext,
        *,
        asset_ids: Sequence[uuid.UUID] | None = None,
        album_id: uuid.UUID | None = None,
        user_id: uuid.UUID | None = None,
        archive_size: int | None = None,
    ) -> dict[str, Any]:
        """Immich's `DownloadResponseDto`: the archives a download needs and their sizes."""

        def load(conn: Connection) -> dict[str, Any]:
            rows = self._readable(conn, auth, asset_ids=asset_ids, album_id=album_id, user_id=user_id)
            archives = _Archives(archive_size or DEFAULT_ARCHIVE_SIZE)
            included: set[uuid.UUID] = set()
            motion: dict[uuid.UUID, None] = {}
            for row in rows:
                archives.add(row.id, row.file_size)
                included.add(uuid.UUID(str(row.id)))
                if row.live_photo_video_id is not None:
                    motion[uuid.UUID(str(row.live_photo_video_id))] = None
            for row in repo.of_ids(conn, [m for m in motion if m not in included]):
                archives.add(row.id, row.file_size)
            return archives.result()

        return await self.db.read(load)

    async def archive(self, auth: AuthContext, asset_ids: Sequence[uuid.UUID]) -> AsyncIterator[bytes]:
        """Check access to every id (400 before anything is sent), then the zip's bytes."""

        def load(conn: Connection) -> list[_Entry]:
            require_assets(conn, auth, asset_ids, "download")
            return _entries(asset_ids, repo.originals(conn, asset_ids))

        entries = await self.db.read(load)
        return self._zip(entries)

    async def _zip(self, entries: list[_Entry]) -> AsyncIterator[bytes]:
        pipe = _Pipe()
        with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            for entry in entries:
                stat = await self.storage.stat(entry.key)
                if stat is None:
                    log.warning("original missing, left out of the archive: %s", entry.key)
                    continue
                info = zipfile.ZipInfo(entry.name, _zip_time(entry.modified))
                info.compress_type = zipfile.ZIP_STORED
                info.file_size = stat.size
                info.external_attr = 0o644 << 16
                with archive.open(info, "w") as dest:
                    async with aclosing(self.storage.open_range(entry.key)) as chunks:
                        try:
                            async for chunk in chunks:
                                dest.write(chunk)
                                if pipe.size >= SEND_SIZE:
                                    yield pipe.take()
                        except NotFoundError:
                            log.warning("original vanished while it was archived: %s", entry.key)
                if data := pipe.take():
                    yield data
        if data := pipe.take():
            yield data
