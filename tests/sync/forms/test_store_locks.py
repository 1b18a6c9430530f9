"""Storing rendered forms skips rows another transaction is writing, never rows it only
references: a new album link, exif row or job takes a key-share lock on its asset without
re-stamping it, and a form skipped then would stay stale after the renderer's cursor passed."""

from __future__ import annotations

import uuid
from functools import partial

import pytest
import sqlalchemy as sa

from filmroll.db import clock
from filmroll.db.engine import Database, admin_engine
from filmroll.db.schema import assets
from filmroll.repositories import users
from filmroll.sync.forms.queries import ASSETS
from filmroll.sync.forms.renderer import render_batch
from tests.sync.v1.builders import AssetBuilder


def _fresh(db: Database, asset: uuid.UUID) -> bool:
    query = sa.select(assets.c.wire_seq == assets.c.update_seq).where(assets.c.id == asset)
    return bool(db.read_sync(lambda c: c.execute(query).scalar_one()))


@pytest.mark.parametrize(("lock", "stored"), [("FOR KEY SHARE", True), ("FOR NO KEY UPDATE", False)])
def test_referenced_rows_are_stored_and_written_ones_skipped(
    database_url: str, backend: str, lock: str, stored: bool
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite has a single writer and no row locks")
    db = Database(database_url)
    holder_engine = admin_engine(database_url)
    try:
        owner = db.write_sync(lambda c: users.insert(c, {"email": "l@example.com", "name": "l"})).id
        asset = AssetBuilder(db, seed=9).insert(owner)  # its forms not rendered yet
        upper = db.read_sync(clock.current)
        with holder_engine.connect() as holder, holder.begin():
            # The lock a foreign-key insert (or an update) of another transaction holds.
            holder.execute(sa.text(f"SELECT id FROM assets WHERE id = :id {lock}"), {"id": asset})
            db.write_sync(partial(render_batch, ft=ASSETS, after=0, upper=upper, limit=100))
        assert _fresh(db, asset) is stored
    finally:
        holder_engine.dispose()
        db.dispose()
