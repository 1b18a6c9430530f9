"""On PostgreSQL the owner's asset and exif lines come from one query streamed to its end
(`queries.LineStream`): its batches equal the paged ones, a stale form ends the stream without
losing the snapshot, and closing the snapshot mid-stream frees the connection."""

from __future__ import annotations

import uuid
from functools import partial

import anyio
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.db.schema import assets
from filmroll.repositories import assets as asset_repo
from filmroll.sync.forms.queries import ASSETS
from filmroll.sync.forms.renderer import render_batch
from filmroll.sync.v2 import queries as repo
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.test_composed_batches import NAMES, SOURCES, TOP, _library, _walk

BULK = 20_000
"""Asset lines (about 12 MB) beyond what the sockets between the server and the database hold."""


@pytest.fixture
def db(own_db: Database) -> Database:
    return own_db


def _streamed(conn: Connection, table: str, entity: str, me: uuid.UUID, limit: int) -> list[repo.Blob]:
    lines, blobs, after = repo.LineStream(table, entity, me, TOP), [], 0
    while True:
        blob = lines.batch(conn, after, limit)
        assert blob is not None
        blobs.append(blob)
        if blob.count < limit:
            return blobs
        after = blob.last


def _seqs(conn: Connection, me: uuid.UUID) -> list[int]:
    mine = sa.select(assets.c.update_seq).where(assets.c.owner_id == me).order_by(assets.c.update_seq)
    return [int(s) for s in conn.execute(mine).scalars()]


def test_streamed_batches_equal_paged_ones(db: Database, backend: str) -> None:
    me = _library(db).user_id

    def check(conn: Connection) -> None:
        if backend == "sqlite":  # only psycopg streams; SQLite composes a batch per query
            lines = repo.LineStream(ASSETS.name, "AssetV1", me, TOP)
            assert lines.batch(conn, 0, 10) is None and not lines.usable
            return
        for ft, entity in SOURCES:
            for limit in (1, 3, 5, len(NAMES), 1000):
                assert _streamed(conn, ft.name, entity, me, limit) == _walk(conn, ft, entity, me, limit)
        # The planner setting a stream runs with is the stream's alone.
        assert conn.exec_driver_sql("SHOW enable_sort").scalar() == "on"

    db.read_sync(check)


async def test_stale_form_ends_the_stream_and_keeps_the_snapshot(db: Database, backend: str) -> None:
    """The library is larger than the sockets' buffers, so the database is still sending rows
    when the stream is abandoned: its query is cancelled, which fails the transaction unless
    its savepoint is rolled back."""
    if backend == "sqlite":
        pytest.skip("SQLite never streams (see test_streamed_batches_equal_paged_ones)")
    me = _library(db).user_id
    AssetBuilder(db, seed=5).insert_many(me, BULK)
    upper = db.read_sync(clock.current)
    db.write_sync(partial(render_batch, ft=ASSETS, after=0, upper=upper, limit=BULK + 100))
    seqs = db.read_sync(lambda c: _seqs(c, me))
    stale_at = 1500
    db.write_sync(
        lambda c: c.execute(
            sa.update(assets).where(assets.c.update_seq == seqs[stale_at]).values(wire_version=0)
        )
    )
    snapshot = await db.snapshot()
    try:
        bound = await snapshot.read(clock.current)
        # Committed after the snapshot began: the snapshot must not see it, before or after the
        # stream is abandoned.
        moved = db.read_sync(
            lambda c: c.execute(sa.select(assets.c.id).where(assets.c.update_seq == seqs[0])).scalar_one()
        )
        db.write_sync(lambda c: asset_repo.update(c, [moved], {"is_favorite": True}))
        lines = repo.LineStream(ASSETS.name, "AssetV1", me, TOP)
        snapshot.on_close(lines.close)
        head = await snapshot.read(partial(lines.batch, after=0, limit=1000))
        assert head is not None and (head.last, head.count, head.stale) == (seqs[999], 1000, 0)
        assert await snapshot.read(partial(lines.batch, after=seqs[999], limit=1000)) is None
        assert not lines.usable
        # The transaction goes on, with the same view: nothing past the bound, the paged
        # batches (which render the stale form) as before the change.
        assert await snapshot.read(clock.current) == bound
        assert await snapshot.read(lambda c: _seqs(c, me)) == seqs
        paged = await snapshot.read(
            lambda c: repo.own_blob(c, ASSETS.name, "AssetV1", me, seqs[stale_at], TOP, 100)
        )
        assert paged.stale == 0 and paged.last == seqs[stale_at + 100]
    finally:
        await snapshot.close()


async def test_closing_the_snapshot_mid_stream_frees_the_connection(db: Database, backend: str) -> None:
    me = _library(db).user_id
    for _ in range(3):  # a leaked connection or a held lock would stall the next round
        snapshot = await db.snapshot()
        lines = repo.LineStream(ASSETS.name, "AssetV1", me, TOP)
        snapshot.on_close(lines.close)
        blob = await snapshot.read(partial(lines.batch, after=0, limit=1))
        assert blob is None if backend == "sqlite" else (blob is not None and blob.count == 1)
        with anyio.fail_after(10):
            await snapshot.close()
    assert db.read_sync(lambda c: len(_seqs(c, me))) == len(NAMES)
