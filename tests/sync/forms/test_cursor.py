"""The renderer's cursor never passes a row whose form it could not store.

Storing skips rows another transaction holds (PostgreSQL). The holder does not always re-stamp
the row: a write may roll back, and another renderer (every server and worker process runs one)
locks the rows it stores even when a row has been re-stamped since it read it, and then stores
nothing for it. A cursor moved past such a row left its form stale for good.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
import sqlalchemy as sa

from filmroll.db import clock
from filmroll.db.engine import Database, admin_engine
from filmroll.db.schema import assets
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import users
from filmroll.sync.forms import queries
from filmroll.sync.forms.queries import ASSETS
from filmroll.sync.forms.renderer import FormRenderer, read_batch, write_batch
from tests.sync.v1.builders import AssetBuilder


@pytest.fixture
def pg(database_url: str, backend: str) -> Iterator[tuple[Database, sa.Engine]]:
    """A fresh database and a second engine for the transaction that holds a row."""
    if backend == "sqlite":
        pytest.skip("SQLite has a single writer and no row locks: nothing is ever skipped")
    db = Database(database_url)
    holder = admin_engine(database_url)
    try:
        yield db, holder
    finally:
        holder.dispose()
        db.dispose()


def _new_asset(db: Database) -> uuid.UUID:
    email = f"c-{uuid.uuid4().hex[:8]}@example.com"
    owner = db.write_sync(lambda c: users.insert(c, {"email": email, "name": "c"})).id
    return AssetBuilder(db, seed=11).insert(owner)


def _fresh(db: Database, asset: uuid.UUID) -> bool:
    query = sa.select(assets.c.wire_seq == assets.c.update_seq).where(assets.c.id == asset)
    return bool(db.read_sync(lambda c: c.execute(query).scalar_one()))


def _catch_up(db: Database) -> None:
    asyncio.run(FormRenderer(db).catch_up())


def test_a_row_held_by_a_write_that_rolls_back_is_rendered_in_the_next_round(
    pg: tuple[Database, sa.Engine],
) -> None:
    db, holder_engine = pg
    asset = _new_asset(db)
    with holder_engine.connect() as holder:
        holder.begin()
        asset_repo.update(holder, [asset], {"is_favorite": True})  # a request that fails later
        _catch_up(db)  # skips the row the write holds
        holder.rollback()
    assert not _fresh(db, asset)
    _catch_up(db)
    assert _fresh(db, asset), "the cursor passed a row whose form was never stored"


def _wait_until_blocked(db: Database, deadline: float = 10) -> None:
    """Until a session of this database waits for a lock (the other renderer's cursor row)."""
    query = sa.text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    end = time.monotonic() + deadline
    while not db.read_sync(lambda c: c.execute(query).scalar_one()):
        assert time.monotonic() < end, "the second renderer never waited"
        time.sleep(0.02)


def test_two_renderers_never_leave_a_re_stamped_row_behind(pg: tuple[Database, sa.Engine]) -> None:
    """Renderer A reads the row, a write re-stamps it, renderer B reads the new stamp; A then locks
    the row to store its old stamp (which no longer matches) while B stores its batch, skipping
    the row, and moves the cursor past the new stamp once A has committed."""
    db, holder_engine = pg
    db.write_sync(lambda c: queries.set_cursor(c, ASSETS, 0))  # as on any running server
    asset = _new_asset(db)
    upper_a = db.read_sync(clock.current)
    forms_a, reached_a = db.read_sync(partial(read_batch, ft=ASSETS, after=0, upper=upper_a, limit=100))
    assert [key for key, *_ in forms_a] == [asset]
    AssetBuilder(db).update([asset], is_favorite=True)  # a new stamp, past A's range
    upper_b = db.read_sync(clock.current)
    forms_b, reached_b = db.read_sync(partial(read_batch, ft=ASSETS, after=0, upper=upper_b, limit=100))
    with ThreadPoolExecutor(1) as pool, holder_engine.connect() as renderer_a:
        renderer_a.begin()
        write_batch(renderer_a, ASSETS, forms_a, reached_a)  # holds the row and the cursor row
        renderer_b = pool.submit(
            db.write_sync, partial(write_batch, ft=ASSETS, forms=forms_b, reached=reached_b)
        )
        _wait_until_blocked(db)
        renderer_a.commit()
        renderer_b.result(timeout=30)
    assert not _fresh(db, asset)
    assert db.read_sync(lambda c: queries.cursor(c, ASSETS)) < upper_b
    _catch_up(db)
    assert _fresh(db, asset), "the cursor passed a row whose form was never stored"
