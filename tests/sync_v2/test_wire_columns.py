"""SQL-side wire formatting must give exactly what the Python mappers give for the same rows."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import asset_exif, assets, stacks
from filmroll.mappers.asset import b64
from filmroll.repositories import sync_v1, users
from filmroll.repositories import sync_v2 as repo
from filmroll.sync.v1_encode import asset_dto
from filmroll.sync.v2_fields import ASSET_FIELDS, EXIF_FIELDS
from filmroll.sync.v2_lines import sync_asset, sync_exif, sync_stack
from filmroll.timefmt import iso
from tests.sync_v1.builders import AssetBuilder

EDGES = [
    datetime(2024, 2, 29, 23, 59, 59, 999999),
    datetime(1970, 1, 1),
    datetime(999, 12, 31, 0, 0, 0, 1000),
    datetime(2030, 6, 1, 12, 30, 15, 123),
]


def _reference(row: Any, fields: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """The wire form computed in Python from typed values, by column name."""

    def wire(value: Any) -> Any:
        if isinstance(value, uuid.UUID):
            return str(value)
        if isinstance(value, datetime):
            return iso(value)
        return b64(value) if isinstance(value, bytes) else value

    return {key: wire(row._mapping[column]) for key, column in fields}


def _both(db: Database, query: sa.Select[Any], seq: Any) -> tuple[list[Any], list[Any]]:
    def read(wire: bool) -> list[Any]:
        return list(db.read_sync(lambda c: repo._page(c, query, seq, 0, 1 << 60, 100, wire=wire)))

    return read(True), read(False)


def test_wired_rows_encode_like_python_rows(database_url: str) -> None:
    db = Database(database_url)
    try:
        owner = db.write_sync(lambda c: users.insert(c, {"email": "w@x.com", "name": "w"})).id
        builder = AssetBuilder(db, seed=7)
        for index, at in enumerate(EDGES):
            builder.insert(
                owner,
                exif=True,
                file_created_at=at,
                file_modified_at=at,
                local_date_time=at,
                deleted_at=at if index % 2 else None,
                live_photo_video_id=uuid.uuid4() if index % 2 else None,
                library_id=uuid.UUID(int=index),
                thumbhash=None if index == 1 else b"\x00\xff" * 5,
            )
        builder.insert(owner)
        stack_id = uuid.uuid4()
        first = db.read_sync(lambda c: c.execute(sa.select(assets.c.id).limit(1)).scalar_one())
        db.write_sync(
            lambda c: c.execute(
                sa.insert(stacks).values(
                    id=stack_id,
                    owner_id=owner,
                    primary_asset_id=first,
                    created_at=EDGES[0],
                    updated_at=EDGES[2],
                    update_seq=1 << 40,
                )
            )
        )

        query = sa.select(*repo.ASSET_COLUMNS, assets.c.update_seq.label("seq"))
        wired, plain = _both(db, query, assets.c.update_seq)
        assert len(wired) == len(EDGES) + 1
        assert [sync_asset(r) for r in wired] == [_reference(r, ASSET_FIELDS) for r in plain]
        assert isinstance(wired[0].id, str) and isinstance(wired[0].file_created_at, str)

        query = sa.select(*repo.EXIF_COLUMNS, asset_exif.c.update_seq.label("seq"))
        wired, plain = _both(db, query, asset_exif.c.update_seq)
        assert len(wired) == len(EDGES)
        assert [sync_exif(r) for r in wired] == [_reference(r, EXIF_FIELDS) for r in plain]

        wired, plain = _both(db, sa.select(stacks, stacks.c.update_seq.label("seq")), stacks.c.update_seq)
        assert [sync_stack(r) for r in wired] == [sync_stack(r) for r in plain] != []
    finally:
        db.dispose()


def test_wired_full_sync_page_encodes_like_python_rows(database_url: str) -> None:
    db = Database(database_url)
    try:
        owner = db.write_sync(lambda c: users.insert(c, {"email": "v@x.com", "name": "v"})).id
        builder = AssetBuilder(db, seed=11)
        for index, at in enumerate(EDGES):
            builder.insert(
                owner,
                exif=index % 2 == 0,
                local_date_time=at,
                deleted_at=at if index % 2 else None,
                duplicate_id=uuid.uuid4() if index % 2 else None,
                library_id=uuid.UUID(int=index + 1),
            )
        wired_query = sync_v1._with_exif(db.read_sync(lambda c: c.dialect.name))
        wired = db.read_sync(lambda c: c.execute(wired_query.order_by(assets.c.id)).all())
        plain = db.read_sync(lambda c: c.execute(sync_v1._with_exif().order_by(assets.c.id)).all())
        assert len(wired) == len(EDGES)
        assert [asset_dto(r, owner, {}) for r in wired] == [asset_dto(r, owner, {}) for r in plain]
        assert isinstance(wired[0].created_at, str) and isinstance(wired[0].id, uuid.UUID)
    finally:
        db.dispose()
