"""A user's notifications: list, mark read or unread, delete; and the album invitation that
fills the list.

A user sees and changes only notifications addressed to them. Naming another user's (or a
deleted) notification answers Immich's 400 "Not found or no notification.<action> access", for
one id as for a bulk call, which then changes nothing. Deleting is soft, as in Immich.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.mappers.notification import notification_response
from filmroll.repositories import notifications as repo
from filmroll.services import access
from filmroll.services.auth import AuthContext
from filmroll.services.events import Outbox

NotificationLevel = Literal["success", "error", "warning", "info"]
NotificationType = Literal[
    "JobFailed", "BackupFailed", "SystemMessage", "AlbumInvite", "AlbumUpdate", "Custom"
]

NOTIFICATION = "on_notification"
"""The live event carrying a new `NotificationDto` to its addressee."""

_UNCHANGED: Any = object()


class NotificationService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def search(
        self,
        auth: AuthContext,
        *,
        notification_id: uuid.UUID | None,
        level: NotificationLevel | None,
        type: NotificationType | None,
        unread: bool | None,
    ) -> list[Row[Any]]:
        """Newest first; `unread=false` filters nothing, as in Immich."""

        def load(conn: Connection) -> list[Row[Any]]:
            return list(
                repo.search(
                    conn,
                    auth.user_id,
                    notification_id=notification_id,
                    level=level,
                    type=type,
                    unread_only=bool(unread),
                )
            )

        return await self.db.read(load)

    async def get(self, auth: AuthContext, notification_id: uuid.UUID) -> Row[Any]:
        def load(conn: Connection) -> Row[Any]:
            return _require(conn, auth, notification_id, "notification.read")

        return await self.db.read(load)

    async def update(
        self, auth: AuthContext, notification_id: uuid.UUID, read_at: datetime | None = _UNCHANGED
    ) -> Row[Any]:
        """Set (or, with None, clear) when it was read; left out, nothing changes."""

        def update(conn: Connection) -> Row[Any]:
            _require(conn, auth, notification_id, "notification.update")
            if read_at is not _UNCHANGED:
                repo.set_read(conn, auth.user_id, [notification_id], read_at, utcnow())
            return _require(conn, auth, notification_id, "notification.update")

        return await self.db.write(update)

    async def update_all(
        self, auth: AuthContext, ids: Sequence[uuid.UUID], read_at: datetime | None = _UNCHANGED
    ) -> None:
        def update(conn: Connection) -> None:
            _require_all(conn, auth, ids, "notification.update")
            if read_at is not _UNCHANGED:
                repo.set_read(conn, auth.user_id, ids, read_at, utcnow())

        await self.db.write(update)

    async def delete(self, auth: AuthContext, ids: Sequence[uuid.UUID]) -> None:
        def delete(conn: Connection) -> None:
            _require_all(conn, auth, ids, "notification.delete")
            repo.soft_delete(conn, auth.user_id, ids, utcnow())

        await self.db.write(delete)


def _require(conn: Connection, auth: AuthContext, notification_id: uuid.UUID, permission: str) -> Row[Any]:
    row = None if auth.link is not None else repo.get(conn, auth.user_id, notification_id)
    if row is None:
        raise access.denied(permission)
    return row


def _require_all(conn: Connection, auth: AuthContext, ids: Sequence[uuid.UUID], permission: str) -> None:
    if auth.link is not None or repo.owned_ids(conn, auth.user_id, ids) != set(ids):
        raise access.denied(permission)


def album_invite(
    conn: Connection, outbox: Outbox, album: Row[Any], recipient_id: uuid.UUID, sender_name: str
) -> None:
    """Tell a user they were added to an album, in the write that adds them (Immich builds the
    same title, description and `data`, and pushes it live as `on_notification`)."""
    values = {
        "level": "success",
        "type": "AlbumInvite",
        "title": "Shared Album Invitation",
        "description": f"{sender_name} shared an album ({album.name}) with you",
        "data": json.dumps({"albumId": str(album.id)}),
    }
    row = repo.insert(conn, recipient_id, values, utcnow())
    outbox.send(NOTIFICATION, notification_response(row), users=[recipient_id])
