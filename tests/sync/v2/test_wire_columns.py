"""Stored forms, rendered from rows whose UUIDs and timestamps SQL already formatted, must be
exactly what the Python mappers give for the same rows read as typed values."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

import orjson
import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import asset_exif, assets, stacks
from filmroll.mappers.asset import asset_response, b64
from filmroll.repositories import users
from filmroll.sync.forms.queries import ASSETS, EXIF, FormTable, rows_by_key
from filmroll.sync.forms.render import v1_dto
from filmroll.sync.forms.renderer import forms_of
from filmroll.sync.v2 import queries as repo
from filmroll.sync.v2.fields import ASSET_FIELDS, EXIF_FIELDS
from filmroll.sync.v2.lines import sync_stack
from filmroll.timefmt import iso
from tests.sync.v1.builders import AssetBuilder

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

        for ft, fields, count in ((ASSETS, ASSET_FIELDS, len(EDGES) + 1), (EXIF, EXIF_FIELDS, len(EDGES))):
            plain = db.read_sync(partial(_source_rows, ft=ft))
            rendered = _rendered(db, ft, [r._mapping[ft.key.key] for r in plain])
            assert len(plain) == count
            assert [json.loads(rendered[str(r._mapping[ft.key.key])][0]) for r in plain] == [
                _reference(r, fields) for r in plain
            ]

        wired, plain = _both(db, sa.select(stacks, stacks.c.update_seq.label("seq")), stacks.c.update_seq)
        assert [sync_stack(r) for r in wired] == [sync_stack(r) for r in plain] != []
    finally:
        db.dispose()


def _source_rows(conn: sa.Connection, ft: FormTable) -> Sequence[sa.Row[Any]]:
    """The form table's source columns read back as typed values, in key order."""
    return conn.execute(sa.select(*ft.source).order_by(ft.key)).all()


def _rendered(db: Database, ft: FormTable, keys: list[Any]) -> dict[str, tuple[str, str]]:
    """(v2, v1) forms by key as the renderer makes them from the sync queries' rows."""
    rows = db.read_sync(lambda c: rows_by_key(c, ft, keys))
    assert all(isinstance(r._mapping[ft.key.key], str) for r in rows)
    return {str(r._mapping[ft.key.key]): forms_of(ft, r) for r in rows}


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
        plain = db.read_sync(lambda c: c.execute(sa.select(assets).order_by(assets.c.id)).all())
        exifs = db.read_sync(lambda c: {r.asset_id: r for r in c.execute(sa.select(asset_exif))})
        asset_forms = _rendered(db, ASSETS, [r.id for r in plain])
        exif_forms = _rendered(db, EXIF, list(exifs))
        assert len(plain) == len(EDGES)
        for row in plain:
            exif = exifs.get(row.id)
            stack = {"id": str(uuid.uuid4()), "primaryAssetId": str(row.id), "assetCount": 2}
            for viewer, own in ((owner, True), (uuid.uuid4(), False)):
                expected = asset_response(
                    dict(row._mapping),
                    viewer,
                    exif=None if exif is None else dict(exif._mapping),
                    stack=stack if own else None,
                    with_stack=own,
                )
                composed = v1_dto(
                    asset_forms[str(row.id)][1],
                    None if exif is None else exif_forms[str(row.id)][1],
                    own=own,
                    stack=stack if own else None,
                )
                assert composed == orjson.dumps(expected).decode()
    finally:
        db.dispose()
