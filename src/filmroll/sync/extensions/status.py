"""Sync status for the Devices page: when each of the caller's sessions and API keys last synced,
by which protocol, and for sessions how many lines their next v2 stream would send.

Not part of Immich's API. Sessions are reported from their v2 checkpoints and v1 sync record;
API keys can only use v1 sync (the v2 stream needs a session), which keeps no checkpoints, so
their pending counts are unknown (`pending` is null).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import session_sync_checkpoints as ckpt
from filmroll.db.schema import sessions
from filmroll.repositories import api_key_sync
from filmroll.services.auth import AuthContext
from filmroll.services.permissions import allows
from filmroll.sync.extensions.estimate import dry, totals
from filmroll.sync.v2.service import SyncV2Service
from filmroll.sync.v2.types import ordered
from filmroll.timefmt import iso

REQUEST_OF_ACK: tuple[tuple[str, str], ...] = (
    ("AuthUser", "AuthUsersV1"), ("UserMetadata", "UserMetadataV1"), ("User", "UsersV1"),
    ("PartnerAssetExif", "PartnerAssetExifsV1"), ("PartnerAsset", "PartnerAssetsV1"),
    ("PartnerStack", "PartnerStacksV1"), ("Partner", "PartnersV1"),
    ("AlbumAssetExif", "AlbumAssetExifsV1"), ("AlbumAsset", "AlbumAssetsV1"),
    ("AlbumToAsset", "AlbumToAssetsV1"), ("AlbumUser", "AlbumUsersV1"), ("Album", "AlbumsV1"),
    ("AssetExif", "AssetExifsV1"), ("AssetMetadata", "AssetMetadataV1"), ("AssetEdit", "AssetEditsV1"),
    ("AssetFace", "AssetFacesV1"), ("Asset", "AssetsV1"), ("Stack", "StacksV1"),
    ("MemoryToAsset", "MemoryToAssetsV1"), ("Memory", "MemoriesV1"), ("Person", "PeopleV1"),
)  # fmt: skip
"""Checkpoint (ack) type prefix to the request type that sends it, longest prefixes first."""

KEYS_PERMISSION = "apiKey.read"
"""An API key caller sees the key rows only with this: they name the user's other keys."""


def request_type_of(ack_type: str) -> str | None:
    """The request type whose stream moves checkpoint `ack_type` (None for `SyncCompleteV1`)."""
    return next((request for prefix, request in REQUEST_OF_ACK if ack_type.startswith(prefix)), None)


def _protocol(v1_at: datetime | None, v2_at: datetime | None) -> str | None:
    """The protocol of the latest sync (v2 on a tie: its checkpoints move only on acks)."""
    if v2_at is not None and (v1_at is None or v2_at >= v1_at):
        return "v2"
    return "v1" if v1_at is not None else None


def _device_name(session: Row[Any]) -> str | None:
    return " · ".join(part for part in (session.device_type, session.device_os) if part) or None


class SyncStatus:
    """Reads for `GET /api/filmroll/sync-status`, on the v2 stream's own runs (`SyncV2Service`)."""

    def __init__(self, v2: SyncV2Service) -> None:
        self.v2 = v2
        self.db = v2.db

    async def status(self, auth: AuthContext) -> list[dict[str, Any]]:
        """One row per session (oldest first), then one per API key (oldest first)."""
        me = auth.user_id
        with_keys = auth.permissions is None or allows(list(auth.permissions), KEYS_PERMISSION)

        def load(conn: Connection) -> tuple[list[Any], list[Any], list[Any]]:
            mine = conn.execute(
                sa.select(
                    sessions.c.id, sessions.c.v1_synced_at, sessions.c.device_type, sessions.c.device_os
                )
                .where(sessions.c.user_id == me)
                .order_by(sessions.c.created_at, sessions.c.id)
            ).all()
            points = conn.execute(
                sa.select(ckpt.c.session_id, ckpt.c.type, ckpt.c.updated_at).where(
                    ckpt.c.session_id.in_([s.id for s in mine])
                )
            ).all()
            keys = api_key_sync.sync_records(conn, me) if with_keys else []
            return list(mine), list(points), list(keys)

        mine, points, keys = await self.db.read(load)
        out: list[dict[str, Any]] = []
        async with await self.db.snapshot() as snapshot:
            for session in mine:
                own = [p for p in points if p.session_id == session.id]
                v2_at: datetime | None = max((p.updated_at for p in own), default=None)
                v1_at: datetime | None = session.v1_synced_at
                protocol = _protocol(v1_at, v2_at)
                last = v2_at if protocol == "v2" else v1_at
                wanted = ordered([t for p in own if (t := request_type_of(p.type)) is not None])
                pending: dict[str, int | None] = {}
                if wanted:
                    sid = uuid.UUID(str(session.id))
                    start = partial(self.v2._start, snapshot=snapshot, me=me, session_id=sid, wanted=wanted)
                    run = await snapshot.read(start)
                    if run is None:
                        pending = dict.fromkeys(wanted)
                    else:
                        counted = await totals(dry(run, snapshot), wanted)
                        pending = {t: counted[t].lines for t in wanted}
                out.append(
                    {
                        "sessionId": str(session.id),
                        "apiKeyId": None,
                        "name": _device_name(session),
                        "lastSyncAt": iso(last),
                        "protocol": protocol,
                        "pending": pending,
                    }
                )
        for key in keys:
            out.append(
                {
                    "sessionId": None,
                    "apiKeyId": str(key.id),
                    "name": key.name,
                    "lastSyncAt": iso(key.v1_synced_at),
                    "protocol": _protocol(key.v1_synced_at, None),
                    "pending": None,
                }
            )
        return out
