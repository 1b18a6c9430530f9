"""Service-level: paging in small batches yields exactly the lines of one big batch."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.db.schema import user_metadata
from filmroll.repositories import albums as album_repo
from filmroll.repositories import partners as partner_repo
from filmroll.repositories import sessions, users
from filmroll.services.auth import AuthContext
from filmroll.sync.v2.service import SyncV2Service
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import ALL_TYPES, validate_line


@pytest.fixture
def db(own_db: Database) -> Database:
    return own_db


def login(conn: Connection, name: str) -> AuthContext:
    now = clock.utcnow()
    user = users.insert(conn, {"email": f"{name}@example.com", "name": name, "is_admin": False})
    session = sessions.insert(
        conn, {"user_id": user.id, "token_hash": os.urandom(32), "created_at": now, "updated_at": now}
    )
    return AuthContext(user=user, session_id=session.id)


async def read_lines(chunks: AsyncIterator[bytes]) -> list[dict[str, Any]]:
    body = b"".join([chunk async for chunk in chunks])
    return [json.loads(raw) for raw in body.splitlines()]


async def _collect(service: SyncV2Service, auth: AuthContext, ack: bool) -> list[dict[str, Any]]:
    lines = await read_lines(await service.open_stream(auth, ALL_TYPES, reset=False))
    if ack:
        latest = {
            (i["ack"].split("|")[0] if i["type"] == "SyncAckV1" else i["type"]): i["ack"] for i in lines
        }
        await service.set_acks(auth, list(latest.values()))
    return lines


def test_small_batches_match_one_batch(db: Database) -> None:
    alice = db.write_sync(lambda c: login(c, "alice"))
    bob = db.write_sync(lambda c: login(c, "bob"))
    carol = db.write_sync(lambda c: login(c, "carol"))
    builder = AssetBuilder(db, seed=7)
    for _ in range(7):
        builder.insert(bob.user_id, exif=True)
        builder.insert(alice.user_id, exif=True)
    db.write_sync(lambda c: partner_repo.create(c, carol.user_id, alice.user_id))
    builder.insert(carol.user_id)
    small, large = SyncV2Service(db, batch=2), SyncV2Service(db)
    first = asyncio.run(_collect(small, alice, ack=True))
    assert sum(i["type"] == "AssetV1" for i in first) == 7

    def share(conn: Connection) -> None:
        partner_repo.create(conn, bob.user_id, alice.user_id)
        album = album_repo.insert(conn, bob.user_id, {"name": "a"})
        album_repo.add_members(conn, album.id, [(alice.user_id, "viewer")])
        stamp = clock.reserve(conn)
        conn.execute(
            sa.insert(user_metadata).values(
                user_id=alice.user_id, key="preferences", value={"folders": {"enabled": True}},
                updated_at=stamp.at, update_seq=stamp.seq,
            )
        )  # fmt: skip

    db.write_sync(share)
    expected = asyncio.run(_collect(large, alice, ack=False))
    paged = asyncio.run(_collect(small, alice, ack=False))
    strip = [(i["type"], i["data"], i["ack"]) for i in expected[:-1]]
    assert [(i["type"], i["data"], i["ack"]) for i in paged[:-1]] == strip
    assert sum(i["type"] == "PartnerAssetBackfillV1" for i in paged) == 7
    assert [i["data"] for i in paged if i["type"] == "UserMetadataV1"] == [
        {"userId": str(alice.user_id), "key": "preferences", "value": {"folders": {"enabled": True}}}
    ]
    for item in paged:
        validate_line(item)
    db.write_sync(lambda c: partner_repo.delete(c, bob.user_id, alice.user_id))
    gone = asyncio.run(_collect(small, alice, ack=True))
    assert sum(i["type"] == "PartnerAssetDeleteV1" for i in gone) == 7
    assert asyncio.run(_collect(small, alice, ack=False))[0]["type"] == "SyncCompleteV1"
    assert uuid.UUID(gone[-1]["ack"].split("|")[1])
