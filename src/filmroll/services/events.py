"""Live events: what Immich's server pushes to its apps over socket.io, sent only after commit.

A service queues events on the write that causes them and the bus hands them on once that
write has committed::

    async with self.events.collect() as outbox:
        await self.db.write(apply)  # apply() calls outbox.send(...)

so a client is never told of a change it cannot read yet, and a write that fails (or raises
anywhere inside the block) sends nothing. Payloads are built inside the transaction, from the
rows as the write left them; asset edits are the exception (`AssetService.update` reads them
after commit, off the request, and sends none for edits of more than 1,000 assets).

Names, payloads and recipients are Immich v2.7.5's:

| event | payload | to |
|---|---|---|
| `on_upload_success` | `AssetResponseDto` | owner, once metadata and thumbnails are stored |
| `AssetUploadReadyV1` | `{asset: SyncAssetV1, exif: SyncAssetExifV1}` | owner, same moment |
| `on_asset_update` | `AssetResponseDto` | owner, after an edit |
| `on_asset_trash` / `on_asset_restore` | `[assetId, ...]` | owner |
| `on_asset_delete` | `assetId` (one event per asset) | owner |
| `on_asset_hidden` | `assetId` | owner (a live photo's video part) |
| `on_asset_stack_update` | none | owner |
| `on_session_delete` | `sessionId` | that session's connections, which are then closed |
| `on_user_delete` | `userId` | everyone (Immich broadcasts it) |
| `on_config_update` | none | everyone, after an admin saves the system config |
| `on_notification` | `NotificationDto` | the user a notification is for (an album invitation) |
| `on_server_version` | `ServerVersionResponseDto` | the connection that just opened |

Asset events go to the owner's connections only, as in Immich: partners and album members
learn of changes through sync. Events that carry an asset's contents are never sent for a
locked asset (it would reach sessions that have not unlocked it), and uploads are announced
only for `timeline` and `archive` assets that are not trashed.

Delivery is the transport's business (`api.socketio.SocketServer`): with one process it
reaches that process's connections; with several, the socket.io server's client manager
fans every emit out to all of them (see `api.socketio.client_manager`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.engine import Connection, Row

from filmroll.mappers.asset import asset_response
from filmroll.repositories import assets as assets_repo
from filmroll.repositories import events as repo
from filmroll.sync.v2.lines import sync_asset, sync_exif

log = logging.getLogger("filmroll.events")

UPLOAD_SUCCESS = "on_upload_success"
UPLOAD_READY = "AssetUploadReadyV1"
ASSET_UPDATE = "on_asset_update"
ASSET_TRASH = "on_asset_trash"
ASSET_RESTORE = "on_asset_restore"
ASSET_DELETE = "on_asset_delete"
ASSET_HIDDEN = "on_asset_hidden"
STACK_UPDATE = "on_asset_stack_update"
SESSION_DELETE = "on_session_delete"
USER_DELETE = "on_user_delete"
CONFIG_UPDATE = "on_config_update"
SERVER_VERSION = "on_server_version"

ANNOUNCED_VISIBILITIES = ("timeline", "archive")
"""Uploads Immich announces: hidden (live-photo videos) and locked ones stay silent."""


@dataclass(frozen=True, slots=True)
class Event:
    """One emit: `data` is the single argument (None: the event has no argument)."""

    name: str
    data: Any = None
    users: tuple[uuid.UUID, ...] = ()
    sessions: tuple[uuid.UUID, ...] = ()
    everyone: bool = False


@dataclass(frozen=True, slots=True)
class Close:
    """Close the connections of these users or sessions (their credentials are gone)."""

    users: tuple[uuid.UUID, ...] = ()
    sessions: tuple[uuid.UUID, ...] = ()


Item = Event | Close


class Outbox:
    """The events of one write, in the order they were queued."""

    def __init__(self) -> None:
        self.items: list[Item] = []

    def send(
        self,
        name: str,
        data: Any = None,
        *,
        users: Iterable[uuid.UUID] = (),
        sessions: Iterable[uuid.UUID] = (),
    ) -> None:
        to_users, to_sessions = tuple(dict.fromkeys(users)), tuple(dict.fromkeys(sessions))
        if to_users or to_sessions:
            self.items.append(Event(name, data, to_users, to_sessions))

    def broadcast(self, name: str, data: Any = None) -> None:
        self.items.append(Event(name, data, everyone=True))

    def close(self, *, users: Iterable[uuid.UUID] = (), sessions: Iterable[uuid.UUID] = ()) -> None:
        item = Close(tuple(users), tuple(sessions))
        if item.users or item.sessions:
            self.items.append(item)


class Transport(Protocol):
    async def deliver(self, items: Sequence[Item]) -> None: ...


class EventBus:
    """Hands committed events to the transport; without one (CLI, tests of services alone)
    events are dropped."""

    def __init__(self) -> None:
        self._transport: Transport | None = None

    def attach(self, transport: Transport | None) -> None:
        self._transport = transport

    @asynccontextmanager
    async def collect(self) -> AsyncIterator[Outbox]:
        """An outbox published when the block exits normally, i.e. after its write committed."""
        outbox = Outbox()
        yield outbox
        await self.publish(outbox)

    async def publish(self, outbox: Outbox) -> None:
        """Deliver; a failure is logged, never raised: the change itself has committed."""
        if not outbox.items or self._transport is None:
            return
        try:
            await self._transport.deliver(outbox.items)
        except Exception:
            log.exception("delivering live events failed")

    async def config_updated(self) -> None:
        """Tell every client to reload the server's configuration and features."""
        outbox = Outbox()
        outbox.broadcast(CONFIG_UPDATE)
        await self.publish(outbox)


# --- payloads, built inside the write ------------------------------------------------------


def asset_updates(conn: Connection, outbox: Outbox, ids: Iterable[uuid.UUID]) -> None:
    """`on_asset_update` with each asset as it is now, to its owner (locked ones stay silent)."""
    ids = list(dict.fromkeys(ids))
    exifs = repo.exifs(conn, ids)
    for row in assets_repo.get_many(conn, ids):
        if row.visibility == "locked":
            continue
        exif = exifs.get(row.id)
        body = asset_response(dict(row._mapping), row.owner_id, exif=dict(exif._mapping) if exif else None)
        outbox.send(ASSET_UPDATE, body, users=[row.owner_id])


def upload_ready(conn: Connection, outbox: Outbox, asset_id: uuid.UUID) -> None:
    """`on_upload_success` and `AssetUploadReadyV1` for an upload whose metadata and thumbnails
    are both stored, as Immich sends them when its thumbnail job finishes."""
    row = assets_repo.get(conn, asset_id)
    if row is None or row.visibility not in ANNOUNCED_VISIBILITIES:
        return
    owner = [row.owner_id]
    if row.deleted_at is None:
        exif = assets_repo.get_exif(conn, asset_id)
        body = asset_response(dict(row._mapping), row.owner_id, exif=dict(exif._mapping) if exif else None)
        outbox.send(UPLOAD_SUCCESS, body, users=owner)
    asset, exif_row = repo.sync_rows(conn, asset_id)
    if asset is not None and exif_row is not None:
        outbox.send(UPLOAD_READY, {"asset": sync_asset(asset), "exif": sync_exif(exif_row)}, users=owner)


def sessions_deleted(outbox: Outbox, session_ids: Iterable[uuid.UUID]) -> None:
    """`on_session_delete` to each session's own connections, which are then closed."""
    ids = tuple(session_ids)
    for session_id in ids:
        outbox.send(SESSION_DELETE, str(session_id), sessions=[session_id])
    outbox.close(sessions=ids)


def user_sessions_deleted(
    conn: Connection, outbox: Outbox, user_id: uuid.UUID, *, keep: uuid.UUID | None = None
) -> None:
    """`sessions_deleted` for the user's sessions (all but `keep`); call before deleting them."""
    sessions_deleted(outbox, repo.session_ids(conn, user_id, keep=keep))


def deleted(outbox: Outbox, rows: Sequence[Row[Any]]) -> None:
    """`on_asset_delete` for each permanently deleted asset row, to its owner."""
    for row in rows:
        outbox.send(ASSET_DELETE, str(row.id), users=[row.owner_id])
