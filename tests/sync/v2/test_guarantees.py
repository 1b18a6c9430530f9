"""Guarantees beyond Immich: commit-ordered cursors and tombstone pruning."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.db.schema import AUDIT_TABLES, album_audit, asset_audit, partner_audit, stack_audit
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import partners as partner_repo
from filmroll.sync.v2.service import SyncV2Service
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import new_client, of_type
from tests.sync.v2.test_batches import _collect, login, read_lines


def test_row_committed_late_is_still_delivered(
    server: LiveServer, db: Database, builder: AssetBuilder
) -> None:
    """A write that took its change id before a client acked past it still reaches that client."""
    alice = new_client(server, "alice")
    owner = uuid.UUID(alice.user_id)
    neighbour = builder.insert(owner)
    holding, release = threading.Event(), threading.Event()
    slow_values = builder.values(owner)

    def slow(conn: Connection) -> None:
        asset_repo.insert(conn, slow_values)
        holding.set()
        release.wait(30)

    slow_writer = threading.Thread(target=db.write_sync, args=(slow,))
    slow_writer.start()
    assert holding.wait(30)
    later = builder.values(owner)
    fast_writer = threading.Thread(target=lambda: db.write_sync(lambda c: asset_repo.insert(c, later)))
    fast_writer.start()
    first = alice.stream(["AssetsV1"])
    release.set()
    slow_writer.join(30)
    fast_writer.join(30)
    assert [a["id"] for a in of_type(first, "AssetV1")] == [str(neighbour)]
    alice.ack(first)
    second = alice.stream(["AssetsV1"])
    assert [a["id"] for a in of_type(second, "AssetV1")] == [str(slow_values["id"]), str(later["id"])]


def _tombstones(conn: Connection, age: timedelta) -> None:
    stamp = clock.reserve(conn, 4)
    when = clock.utcnow() - age
    some = uuid.uuid4()
    conn.execute(
        sa.insert(asset_audit).values(seq=stamp.seq_at(0), asset_id=some, owner_id=some, deleted_at=when)
    )
    conn.execute(
        sa.insert(partner_audit).values(
            seq=stamp.seq_at(1), shared_by_id=some, shared_with_id=some, deleted_at=when
        )
    )
    conn.execute(
        sa.insert(album_audit).values(seq=stamp.seq_at(2), album_id=some, user_id=some, deleted_at=when)
    )
    conn.execute(
        sa.insert(stack_audit).values(seq=stamp.seq_at(3), stack_id=some, user_id=some, deleted_at=when)
    )


def _count(conn: Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def test_audit_pruning_after_31_days(database_url: str) -> None:
    """v2-only tombstones go after 31 days; asset and partner ones stay for v1's longer window."""
    db = Database(database_url)
    try:
        db.write_sync(lambda c: _tombstones(c, timedelta(days=35)))
        db.write_sync(lambda c: _tombstones(c, timedelta(days=25)))
        removed = asyncio.run(SyncV2Service(db).prune_audit())
        assert removed == 2
        counts = db.read_sync(lambda c: {t.name: _count(c, t) for t in AUDIT_TABLES})
        assert counts["album_audit"] == 1 and counts["stack_audit"] == 1
        assert counts["asset_audit"] == 2 and counts["partner_audit"] == 2
    finally:
        db.dispose()


def test_asset_deleted_while_an_unshare_streams_is_still_deleted(database_url: str) -> None:
    """An asset deleted while an unshare is about to stream: the delete is in this run (the run's
    snapshot is taken when the stream is read) or the next one, never lost."""
    db = Database(database_url)
    try:
        alice = db.write_sync(lambda c: login(c, "alice"))
        bob = db.write_sync(lambda c: login(c, "bob"))
        db.write_sync(lambda c: partner_repo.create(c, bob.user_id, alice.user_id))
        builder = AssetBuilder(db, seed=3)
        doomed = builder.insert(bob.user_id)
        service = SyncV2Service(db)
        assert "PartnerAssetV1" in [i["type"] for i in asyncio.run(_collect(service, alice, ack=True))]
        db.write_sync(lambda c: partner_repo.delete(c, bob.user_id, alice.user_id))

        async def interleaved() -> list[dict[str, Any]]:
            lines = await service.open_stream(alice, ["PartnerAssetsV1"], reset=False)
            builder.delete([doomed])
            found = await read_lines(lines)
            await service.set_acks(alice, [found[-2]["ack"], found[-1]["ack"]])
            return found

        first = asyncio.run(interleaved())
        assert first[-1]["type"] == "SyncCompleteV1"
        again = asyncio.run(_collect(service, alice, ack=False))
        deletes = [i["data"] for i in first + again if i["type"] == "PartnerAssetDeleteV1"]
        assert {"assetId": str(doomed)} in deletes
    finally:
        db.dispose()
