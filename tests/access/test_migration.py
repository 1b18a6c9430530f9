"""Upgrading to 0002: existing assets get `ever_timeline`, album links to locked assets go away,
and nothing else is lost (album links and EXIF rows survive the new column)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Connection

from filmroll.db.engine import admin_engine
from filmroll.db.migrate import alembic_config, upgrade
from filmroll.db.schema import album_asset_audit, album_assets, asset_exif, assets
from filmroll.repositories import albums as album_repo
from filmroll.repositories import users as user_repo
from tests.sync.v1.builders import AssetBuilder

OLD_ASSETS = sa.table("assets", *(sa.column(c.name, c.type) for c in assets.c if c.name != "ever_timeline"))
"""The `assets` table as revision 0001 has it."""


def test_upgrade_flags_assets_and_unlinks_locked_ones(database_url: str) -> None:
    engine = admin_engine(database_url)
    builder = AssetBuilder(None, seed=7)  # type: ignore[arg-type]  # only `values` is used
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(conn), "0001")
        with engine.begin() as conn:
            owner = user_repo.insert(conn, {"email": "o@example.com", "name": "o", "is_admin": False}).id
            ids = {v: uuid.uuid4() for v in ("timeline", "archive", "hidden", "locked")}
            for visibility, asset_id in ids.items():
                values = builder.values(owner, id=asset_id, visibility=visibility)
                stamps = {"created_at": values["file_created_at"], "updated_at": values["file_created_at"]}
                flags = {"is_favorite": False, "is_offline": False, "is_edited": False, "update_seq": 1}
                conn.execute(sa.insert(OLD_ASSETS).values(**values, **stamps, **flags))
            conn.execute(
                sa.insert(asset_exif).values(
                    asset_id=ids["timeline"], updated_at=stamps["created_at"], update_seq=2
                )
            )
            album = album_repo.insert(conn, owner, {"name": "a"})
            album_repo.add_assets(conn, album.id, list(ids.values()))
        upgrade(database_url)
        with engine.connect() as conn:
            flags = dict(conn.execute(sa.select(assets.c.visibility, assets.c.ever_timeline)).all())
            assert flags == {"timeline": True, "archive": True, "hidden": False, "locked": False}
            assert _linked(conn, album.id) == {ids["timeline"], ids["archive"], ids["hidden"]}
            tombstones = conn.execute(
                sa.select(album_asset_audit.c.album_id, album_asset_audit.c.asset_id)
            ).all()
            assert [tuple(t) for t in tombstones] == [(album.id, ids["locked"])]
            assert list(conn.execute(sa.select(asset_exif.c.asset_id)).scalars()) == [ids["timeline"]]
    finally:
        engine.dispose()


def _linked(conn: Connection, album_id: uuid.UUID) -> set[uuid.UUID]:
    query = sa.select(album_assets.c.asset_id).where(album_assets.c.album_id == album_id)
    return set(conn.execute(query).scalars())
