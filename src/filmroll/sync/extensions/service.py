"""filmroll's sync extensions: the next stream's totals, rows by id and each session's status."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.schema import session_sync_checkpoints as ckpt
from filmroll.db.schema import sessions
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.sync.extensions import digests
from filmroll.sync.extensions import rows as by_id
from filmroll.sync.extensions.estimate import Totals, closing, dry, totals
from filmroll.sync.v2.run import Run
from filmroll.sync.v2.service import SyncV2Service, session_of
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


def request_type_of(ack_type: str) -> str | None:
    """The request type whose stream moves checkpoint `ack_type` (None for `SyncCompleteV1`)."""
    return next((request for prefix, request in REQUEST_OF_ACK if ack_type.startswith(prefix)), None)


def _answer(found: dict[str, Totals], end: Totals, reset: bool) -> dict[str, Any]:
    lines = sum(t.lines for t in found.values()) + end.lines
    size = sum(t.bytes for t in found.values()) + end.bytes
    return {
        "reset": reset,
        "lines": lines,
        "bytes": size,
        "types": {request_type: t.as_dict() for request_type, t in found.items()},
    }


class SyncExtensions:
    """Answers built on the v2 stream's own runs and queries (`SyncV2Service`)."""

    def __init__(self, v2: SyncV2Service) -> None:
        self.v2 = v2
        self.db = v2.db

    def _run(
        self,
        conn: Connection,
        snapshot: Any,
        me: uuid.UUID,
        session_id: uuid.UUID,
        wanted: list[str],
        reset: bool,
    ) -> Run | None:
        """The run the next stream would make (None: it would only send `SyncResetV1`); with
        `reset`, the run of a stream asked to start over."""
        if not reset:
            return self.v2._start(conn, snapshot, me, session_id, wanted)
        now = clock.utcnow()
        upper = clock.current(conn)
        return Run(snapshot, me, session_id, upper, now, {}, batch=self.v2.batch, requested=frozenset(wanted))

    async def estimate(self, auth: AuthContext, types: Sequence[str], reset: bool) -> dict[str, Any]:
        """What `POST /sync/stream` with the same body would send now, per request type."""
        session_id = session_of(auth)
        wanted = ordered(list(types))
        async with await self.db.snapshot() as snapshot:
            run = await snapshot.read(
                lambda c: self._run(c, snapshot, auth.user_id, session_id, wanted, reset)
            )
            if run is None:
                return _answer({t: Totals(0, 0) for t in wanted}, closing(None), True)
            found = await totals(dry(run, snapshot), wanted)
        return _answer(found, closing(run), False)

    async def rows(self, auth: AuthContext, request_type: str, ids: Sequence[uuid.UUID]) -> bytes:
        """Current lines of `ids` for `request_type` (see `extensions.rows`)."""
        session_of(auth)
        kind = by_id.KINDS.get(request_type)
        if kind is None:
            names = ", ".join(by_id.KINDS)
            raise BadRequest([f"type must be one of the following values: {names}"])
        me = auth.user_id
        return await self.db.read(lambda c: by_id.lines(c, kind, me, ids, clock.current(c)))

    async def digest(
        self, auth: AuthContext, request_type: str, bucket: str | None, split: bool = False
    ) -> dict[str, Any]:
        """Counts and hashes of what the caller's stream of `request_type` keeps (`extensions.digests`)."""
        session_of(auth)
        me = auth.user_id
        return await self.db.read(lambda c: digests.digest(c, request_type, me, bucket, split))

    async def status(self, auth: AuthContext) -> list[dict[str, Any]]:
        """Each of the caller's sessions: when it last synced, by which protocol, and per request
        type it keeps checkpoints for, how many lines its next stream would send."""
        me = auth.user_id

        def load(conn: Connection) -> tuple[list[Any], list[Any]]:
            mine = conn.execute(
                sa.select(sessions.c.id, sessions.c.v1_synced_at)
                .where(sessions.c.user_id == me)
                .order_by(sessions.c.created_at)
            ).all()
            points = conn.execute(
                sa.select(ckpt.c.session_id, ckpt.c.type, ckpt.c.updated_at).where(
                    ckpt.c.session_id.in_([s.id for s in mine])
                )
            ).all()
            return list(mine), list(points)

        mine, points = await self.db.read(load)
        out: list[dict[str, Any]] = []
        async with await self.db.snapshot() as snapshot:
            for session in mine:
                own = [p for p in points if p.session_id == session.id]
                v2_at: datetime | None = max((p.updated_at for p in own), default=None)
                v1_at: datetime | None = session.v1_synced_at
                protocol = None
                if v2_at is not None and (v1_at is None or v2_at >= v1_at):
                    protocol = "v2"
                elif v1_at is not None:
                    protocol = "v1"
                last = v2_at if protocol == "v2" else v1_at
                wanted = ordered([t for p in own if (t := request_type_of(p.type)) is not None])
                pending: dict[str, int | None] = {}
                if wanted:
                    sid = uuid.UUID(str(session.id))
                    start = partial(
                        self._run, snapshot=snapshot, me=me, session_id=sid, wanted=wanted, reset=False
                    )
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
                        "lastSyncAt": iso(last),
                        "protocol": protocol,
                        "pending": pending,
                    }
                )
        return out
