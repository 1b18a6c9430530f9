"""The owner's asset and exif batches composed by the database (`queries.own_blob`) hold exactly
the lines the row-by-row path encodes: text with backslashes, quotes, control characters,
unicode and emoji, stale forms within a batch, batch boundaries."""

from __future__ import annotations

import asyncio
import json
import uuid
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.db.schema import assets
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import users
from filmroll.services.auth import AuthContext
from filmroll.sync.forms.queries import ASSETS, EXIF, FormTable
from filmroll.sync.forms.renderer import completed, render_batch
from filmroll.sync.v2 import queries as repo
from filmroll.sync.v2.lines import stored_lines
from filmroll.sync.v2.service import SyncV2Service
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.test_batches import login, read_lines

NAMES = [
    "plain.jpg",
    "C:\\Users\\me\\new\\IMG_0001.jpg",  # backslashes before letters that read as escapes
    "\\N.jpg",  # a backslash before a capital letter
    "ends with a backslash\\",
    "two\\\\in a row.jpg",
    'say "cheese".jpg',
    'quote\\"and backslash.jpg',
    "tab\there, new\nline, return\r, bell\x07.jpg",  # escaped in JSON as \t, \n, \r, \u0007
    "Ünïcödé ñame 写真 фото.jpg",
    "emoji 📷🎞️👩‍👩‍👧.heic",
    "!starts like a stale row.jpg",
    'line-like {"type":"AssetV1"}\\n.jpg',
]
SOURCES = ((ASSETS, "AssetV1"), (EXIF, "AssetExifV1"))
TOP = 1 << 40


@pytest.fixture
def db(own_db: Database) -> Database:
    return own_db


def _exif(conn: Connection, asset_id: uuid.UUID, values: dict[str, Any]) -> None:
    asset_repo.upsert_exif(conn, asset_id, values)


def _library(db: Database) -> AuthContext:
    """The owner of one asset (with exif) per name, every stored form rendered; another user's
    assets between them, so a batch must pick the owner's rows only."""
    auth = db.write_sync(lambda c: login(c, "copy"))
    other = db.write_sync(lambda c: users.insert(c, {"email": "other@example.com", "name": "o"})).id
    builder = AssetBuilder(db, seed=3)
    for index, name in enumerate(NAMES):
        builder.insert(other, exif=True)
        asset_id = builder.insert(auth.user_id, original_file_name=name)
        values = {**builder.exif_values(), "description": NAMES[-1 - index], "city": name}
        db.write_sync(partial(_exif, asset_id=asset_id, values=values))
    upper = db.read_sync(clock.current)
    for ft in (ASSETS, EXIF):
        db.write_sync(partial(render_batch, ft=ft, after=0, upper=upper, limit=10_000))
    return auth


def _expected(
    conn: Connection, ft: FormTable, entity: str, me: uuid.UUID, after: int, limit: int
) -> repo.Blob:
    """The batch as the row-by-row path encodes it (stale forms rendered on the spot)."""
    query = repo.own_assets if ft is ASSETS else repo.own_exif
    page = completed(conn, ft, query(conn, me, after, TOP, limit))
    last = int(page[-1].seq) if page else after
    return repo.Blob(stored_lines(entity, page), last, len(page), 0)


def _walk(conn: Connection, ft: FormTable, entity: str, me: uuid.UUID, limit: int) -> list[repo.Blob]:
    """Every composed batch of the owner's rows, as a stream pages through them."""
    blobs, after = [], 0
    while True:
        blob = repo.own_blob(conn, ft.name, entity, me, after, TOP, limit)
        blobs.append(blob)
        if blob.count < limit:
            return blobs
        assert blob.last > after
        after = blob.last


def _data(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(raw)["data"] for raw in body.splitlines()]


def test_composed_batches_equal_row_encoding(db: Database, backend: str) -> None:
    me = _library(db).user_id

    def check(conn: Connection) -> None:
        for ft, entity in SOURCES:
            whole = _expected(conn, ft, entity, me, 0, 1000)
            assert whole.count == len(NAMES)
            for limit in (1, 3, 5, len(NAMES), 1000):
                blobs, after = _walk(conn, ft, entity, me, limit), 0
                for blob in blobs:
                    assert blob == _expected(conn, ft, entity, me, after, limit)
                    after = blob.last
                assert b"".join(b.body for b in blobs) == whole.body
                assert sum(b.count for b in blobs) == len(NAMES)
        (asset_blob,) = _walk(conn, ASSETS, "AssetV1", me, 1000)
        assert [d["originalFileName"] for d in _data(asset_blob.body)] == NAMES
        (exif_blob,) = _walk(conn, EXIF, "AssetExifV1", me, 1000)
        described = [(d["description"], d["city"]) for d in _data(exif_blob.body)]
        assert described == list(zip(reversed(NAMES), NAMES, strict=True))
        if backend == "postgres":  # the batches above came from the server's bytes, not the fallback
            params = {"me": me, "after": 0, "upper": TOP, "limit": 1000}
            assert repo._line_bytes(conn, ASSETS.name, "AssetV1", params) is not None

    db.read_sync(check)


def test_stale_form_in_the_middle_of_a_batch(db: Database) -> None:
    auth = _library(db)
    me = auth.user_id
    mine = sa.select(assets.c.update_seq).where(assets.c.owner_id == me).order_by(assets.c.update_seq)
    seqs = [int(s) for s in db.read_sync(lambda c: c.execute(mine).scalars().all())]
    middle = seqs[4]
    db.write_sync(
        lambda c: c.execute(sa.update(assets).where(assets.c.update_seq == middle).values(wire_version=0))
    )

    def check(conn: Connection) -> None:
        stale = repo.own_blob(conn, ASSETS.name, "AssetV1", me, seqs[2], TOP, 5)  # rows 3 to 7
        assert (stale.last, stale.count, stale.stale) == (seqs[7], 5, 1)  # the body is not to be used
        ends = repo.own_blob(conn, ASSETS.name, "AssetV1", me, seqs[0], middle, 10)  # ends with it
        assert (ends.last, ends.count, ends.stale) == (middle, 4, 1)
        after = repo.own_blob(conn, ASSETS.name, "AssetV1", me, middle, TOP, 3)
        assert after == _expected(conn, ASSETS, "AssetV1", me, middle, 3)
        assert after.stale == 0 and after.count == 3

    db.read_sync(check)

    async def stream(batch: int) -> list[dict[str, Any]]:
        lines = await SyncV2Service(db, batch=batch).open_stream(auth, ["AssetsV1"], reset=False)
        return await read_lines(lines)

    for batch in (3, 5, 1000):
        sent = [line for line in asyncio.run(stream(batch)) if line["type"] == "AssetV1"]
        assert [line["data"]["originalFileName"] for line in sent] == NAMES
        assert [int(line["ack"].rsplit("-", 1)[1], 16) for line in sent] == seqs
