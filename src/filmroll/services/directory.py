"""The user directory (who may list and see whom) and profile images.

Immich lists every active user to every user, which its apps need: the album-share and
partner pickers offer those users, and the mobile app's database needs a user row for
the owner of every asset it stores. `related` keeps the stricter view for servers that host
unrelated people: each user sees itself, partners in either direction, and the owners and
members of albums it is in. `GET /users`, `GET /users/{id}`, profile images and the v2
`UsersV1` stream all follow the one mode in force, which is written to the database at
start-up so sync can tell which mode each session last synced under.
"""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

import anyio.to_thread
from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.errors import BadRequest, NotFound, ServiceUnavailable
from filmroll.media.imaging import DEFAULT_MAX_PIXELS
from filmroll.media.profile import render_profile_image
from filmroll.media.types import UnsupportedMedia
from filmroll.repositories import users
from filmroll.repositories.users import DirectoryMode
from filmroll.storage import Storage, StorageError
from filmroll.storage.keys import profile_key

PROFILE_CONTENT_TYPE = "image/jpeg"
_COPY_CHUNK = 1024 * 1024


class DirectoryService:
    def __init__(
        self,
        db: Database,
        storage: Storage,
        *,
        mode: DirectoryMode = "all",
        max_image_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.db = db
        self.storage = storage
        self.mode: DirectoryMode = mode
        self.max_image_pixels = max_image_pixels

    async def apply_mode(self) -> bool:
        """Record the configured mode; True when it changed (stamped, so sessions catch up)."""
        return await self.db.write(lambda c: users.set_directory(c, self.mode))

    async def search(self, viewer: uuid.UUID) -> Sequence[Row[Any]]:
        return await self.db.read(lambda c: users.visible_to(c, viewer, self.mode))

    async def get(self, viewer: uuid.UUID, user_id: uuid.UUID) -> Row[Any]:
        """A user the viewer may see; any other id is "not found", as for a missing user."""
        row = await self.db.read(lambda c: users.visible(c, viewer, user_id, self.mode))
        if row is None:
            raise BadRequest("User not found")
        return row

    async def profile_image_key(self, viewer: uuid.UUID, user_id: uuid.UUID) -> str:
        row = await self.get(viewer, user_id)
        if not row.profile_image_path:
            raise NotFound("User does not have a profile image")
        return str(row.profile_image_path)

    async def set_profile_image(self, user_id: uuid.UUID, upload: BinaryIO) -> Row[Any]:
        """Re-encode the upload, store it under a new key, then point the user at it.

        Anything but a decodable JPEG, PNG, WebP or HEIC image is a 400 and stores nothing;
        the new file is removed again if the database write fails, and the replaced one
        only once the write is committed.
        """
        with tempfile.TemporaryDirectory(prefix="filmroll-profile-") as tmp:
            source, rendered = Path(tmp, "upload"), Path(tmp, "profile.jpeg")
            await anyio.to_thread.run_sync(_copy, upload, source)
            try:
                await anyio.to_thread.run_sync(
                    lambda: render_profile_image(source, rendered, max_pixels=self.max_image_pixels)
                )
            except UnsupportedMedia as exc:
                raise BadRequest(str(exc)) from exc
            key = profile_key(str(user_id), str(uuid.uuid4()))
            try:
                await self.storage.put_file(key, rendered)
            except StorageError as exc:
                raise ServiceUnavailable("Storage is unavailable, try again later") from exc
        try:
            changed = await self.db.write(lambda c: _point_at(c, user_id, key))
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self._remove(key)
            raise
        row, old = changed
        await self._remove(old)
        return row

    async def delete_profile_image(self, user_id: uuid.UUID) -> None:
        def clear(conn: Connection) -> str:
            row = users.get(conn, user_id)
            if row is None:
                raise BadRequest("User not found")
            if not row.profile_image_path:
                raise BadRequest("Can't delete a missing profile Image")
            changed = users.set_profile_image(conn, user_id, "")
            assert changed is not None
            return changed[1]

        await self._remove(await self.db.write(clear))

    async def _remove(self, key: str) -> None:
        """Best effort: a file left behind costs space, never correctness."""
        if key:
            with contextlib.suppress(StorageError, ValueError):
                await self.storage.delete(key)


def _point_at(conn: Connection, user_id: uuid.UUID, key: str) -> tuple[Row[Any], str]:
    changed = users.set_profile_image(conn, user_id, key)
    if changed is None:
        raise BadRequest("User not found")
    return changed


def _copy(upload: BinaryIO, target: Path) -> None:
    upload.seek(0)
    with target.open("wb") as out:
        while chunk := upload.read(_COPY_CHUNK):
            out.write(chunk)
