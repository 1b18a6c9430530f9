"""Stored wire forms stay equal to a fresh encoding through every kind of write, and a stale
form (new stamp or new format version) is never served: readers render it, the background
renderer replaces it."""

from __future__ import annotations

import asyncio
import json
import random
import time
import uuid
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import asset_exif, assets
from filmroll.sync.forms import queries, render, renderer
from filmroll.sync.forms.renderer import FormRenderer, forms_of
from filmroll.sync.sql import wired
from filmroll.sync.v1 import encode as v1_encode
from filmroll.sync.v1 import queries as v1_queries
from filmroll.sync.v2 import queries as v2_queries
from filmroll.sync.v2.lines import stored_lines
from tests.assets.helpers import MANIFEST, PHOTOS, upload, wait_for_jobs
from tests.locked.helpers import unlock
from tests.support import LiveServer

JPEGS = [PHOTOS / e["path"] for e in MANIFEST if e["mime"] == "image/jpeg"][:6]
TEXTS = ["", "plain", "ünïcödé ✓ 写真", "emoji 📷🎞️", 'quote " and \\ backslash', "x" * 500]
DATES = ["0001-01-02T00:00:00.000Z", "9999-12-30T23:59:59.999Z", "1970-01-01T00:00:00.000Z",
         "2024-02-29T12:34:56.789Z"]  # fmt: skip
VISIBILITIES = ["timeline", "archive", "hidden", "locked"]


def _rows(db: Database, ft: queries.FormTable) -> list[sa.Row[Any]]:
    """Every row of `ft` as the sync queries select it, with its stored forms and stamps."""
    columns = [*ft.source, *(ft.table.c[c] for c in ("wire_v2", "wire_v1", "wire_seq", "wire_version"))]

    def read(conn: sa.Connection) -> list[sa.Row[Any]]:
        query = wired(conn.dialect.name, sa.select(*columns))
        return list(conn.execute(query).all())

    return db.read_sync(read)


def check_forms(db: Database, *, all_fresh: bool, owners: Collection[str] = ()) -> int:
    """Every fresh stored form equals a fresh encoding of its row; returns how many were fresh.
    With `all_fresh`, the rows of `owners` (all rows when empty) must all be fresh: other tests'
    rows on a shared server may be re-stamped by their own jobs at any moment."""
    fresh = 0
    for ft in queries.TABLES:
        for row in _rows(db, ft):
            stored_fresh = row.wire_seq == row.update_seq and row.wire_version == render.VERSION
            if not stored_fresh:
                assert not all_fresh or (owners and row.owner_id not in owners), (
                    f"{ft.name} row {row[0]} not rendered"
                )
                continue
            fresh += 1
            assert (row.wire_v2, row.wire_v1) == forms_of(ft, row), f"{ft.name} row {row[0]} is stale"
    return fresh


def rendered(db: Database, renderer: FormRenderer, owners: Collection[str]) -> int:
    """Catch the renderer up until every row of `owners` is fresh, then `check_forms`. The
    server's own renderer may hold some of those rows for a moment (renderers skip rows another
    holds), so one catch-up is not always enough."""
    deadline = time.monotonic() + 30
    while True:
        asyncio.run(renderer.catch_up())
        try:
            return check_forms(db, all_fresh=True, owners=owners)
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def check_fields(db: Database, owners: Collection[str]) -> None:
    """An independent look at the stored v2 forms of `owners` (the ones this test rendered; other
    tests' rows in the shared database may still wait for the renderer): the fields a user edits
    match the columns."""
    mine = [uuid.UUID(o) for o in owners]

    def check(conn: sa.Connection) -> None:
        query = sa.select(assets.c.id, assets.c.is_favorite, assets.c.visibility, assets.c.deleted_at,
                          assets.c.wire_v2).where(assets.c.owner_id.in_(mine))  # fmt: skip
        for row in conn.execute(query):
            data = json.loads(row.wire_v2)
            assert data["id"] == str(row.id)
            assert data["isFavorite"] == row.is_favorite
            assert data["visibility"] == row.visibility
            assert (data["deletedAt"] is None) == (row.deleted_at is None)
        for exif in conn.execute(
            sa.select(asset_exif.c.asset_id, asset_exif.c.description, asset_exif.c.wire_v2).where(
                asset_exif.c.owner_id.in_(mine)
            )
        ):
            data = json.loads(exif.wire_v2)
            assert (data["assetId"], data["description"]) == (str(exif.asset_id), exif.description)

    db.read_sync(check)


def check_exif_dates(db: Database) -> list[Any]:
    """Every exif row carries its asset's `file_created_at` (exif digests group by it)."""

    def read(conn: sa.Connection) -> list[Any]:
        joined = asset_exif.join(assets, assets.c.id == asset_exif.c.asset_id)
        query = sa.select(asset_exif.c.file_created_at, assets.c.file_created_at).select_from(joined)
        pairs = list(conn.execute(query))
        assert all(mine == theirs for mine, theirs in pairs), pairs
        return [theirs for _mine, theirs in pairs]

    return db.read_sync(read)


def check_v1_pages(db: Database, owner_id: str) -> None:
    """Full-sync pages composed by the database equal pages composed in Python from the same
    stored parts, for the owner's view and a partner's, page boundaries included."""
    owner = uuid.UUID(owner_id)
    until = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)

    def check(conn: sa.Connection) -> None:
        for viewer in (owner, uuid.uuid4()):
            own, after, pages = viewer == owner, None, 0
            while True:
                page = v1_queries.by_id_page_text(conn, own, owner, VISIBILITIES, until, 4, after)
                rows = v1_queries.by_id_page(conn, viewer, owner, VISIBILITIES, until, 4, after)
                stacks = v1_queries.stacks_of(conn, v1_encode.stack_ids(rows))
                assert page.stale == 0 and page.n == len(rows)
                assert (page.body or "").encode() == v1_encode.encode_items(conn, rows, stacks)
                pages += 1
                if len(rows) < 4:
                    break
                after = v1_encode.asset_id(rows[-1])
                assert uuid.UUID(page.last_id) == after
            assert pages > 1

    db.read_sync(check)


def check_v2_batches(db: Database, owner_id: str) -> None:
    """Batches of the owner's asset and exif lines composed by the database equal the lines
    built from the same stored forms in Python, batch boundaries and acks included."""
    owner = uuid.UUID(owner_id)
    sources = (
        ("AssetV1", queries.ASSETS, v2_queries.own_assets),
        ("AssetExifV1", queries.EXIF, v2_queries.own_exif),
    )

    def check(conn: sa.Connection) -> None:
        upper = conn.execute(sa.select(sa.func.max(assets.c.update_seq))).scalar_one() + 10
        for entity, ft, query in sources:
            after, batches = 0, 0
            while True:
                blob = v2_queries.own_blob(conn, ft.name, entity, owner, after, upper, 2)
                rows = query(conn, owner, after, upper, 2)
                assert blob.stale == 0 and blob.count == len(rows)
                assert blob.body == stored_lines(entity, rows)
                batches += 1
                if len(rows) < 2:
                    break
                after = int(rows[-1].seq)
                assert blob.last == after
            assert batches > 1

    db.read_sync(check)


@pytest.fixture
def world(server: LiveServer) -> Iterator[tuple[httpx.Client, httpx.Client, str, str]]:
    owner_id, _e, owner_token = server.new_user("forms-owner")
    friend_id, _e, friend_token = server.new_user("forms-friend")
    with server.client(owner_token) as owner, server.client(friend_token) as friend:
        unlock(owner)  # the writes include changes to locked assets
        yield owner, friend, owner_id, friend_id


def test_every_write_keeps_stored_forms_equal_to_a_fresh_encoding(
    server: LiveServer, db: Database, world: tuple[httpx.Client, httpx.Client, str, str]
) -> None:
    owner, _friend, owner_id, friend_id = world
    rng = random.Random(7)
    renderer = FormRenderer(db, batch=3)
    ids: list[str] = []
    for n, path in enumerate(JPEGS):
        content = path.read_bytes() + uuid.uuid4().bytes
        resp = upload(owner, path, content, visibility=VISIBILITIES[n % 4], fileCreatedAt=DATES[n % 4])
        assert resp.status_code == 201, resp.text
        ids.append(resp.json()["id"])
    writes: list[tuple[str, Callable[[], Any]]] = [
        ("metadata and thumbnail jobs", lambda: wait_for_jobs(server)),
        (
            "edit",
            lambda: owner.put(
                f"/api/assets/{ids[0]}",
                json={
                    "description": rng.choice(TEXTS),
                    "isFavorite": True,
                    "dateTimeOriginal": rng.choice(DATES),
                    "latitude": -90,
                    "longitude": 180,
                    "rating": 5,
                },
            ),
        ),
        (
            "bulk edit",
            lambda: owner.put(
                "/api/assets",
                json={
                    "ids": ids,
                    "isFavorite": False,
                    "description": rng.choice(TEXTS),
                    "visibility": "archive",
                },
            ),
        ),
        (
            "every visibility",
            lambda: [
                owner.put(f"/api/assets/{i}", json={"visibility": v})
                for i, v in zip(ids, VISIBILITIES * 2, strict=False)
            ],
        ),
        ("trash", lambda: owner.request("DELETE", "/api/assets", json={"ids": ids[:2]})),
        ("restore", lambda: owner.post("/api/trash/restore/assets", json={"ids": ids[:1]})),
        ("stack", lambda: owner.post("/api/stacks", json={"assetIds": ids[2:5]})),
        (
            "album",
            lambda: owner.post(
                "/api/albums", json={"albumName": "forms", "assetIds": [ids[0], ids[2], ids[4]]}
            ),
        ),
        ("partner", lambda: owner.post(f"/api/partners/{friend_id}")),
        (
            "permanent delete",
            lambda: owner.request("DELETE", "/api/assets", json={"ids": ids[5:], "force": True}),
        ),
    ]
    asyncio.run(renderer.catch_up())
    dates: set[Any] = set()
    for name, write in writes:
        result = write()
        for resp in result if isinstance(result, list) else [result]:
            if isinstance(resp, httpx.Response):
                assert resp.status_code < 300, (name, resp.text)
        check_forms(db, all_fresh=False)
        assert rendered(db, renderer, {owner_id, friend_id}) > 0, name
        check_v1_pages(db, owner_id)
        check_v2_batches(db, owner_id)
        dates.update(check_exif_dates(db))
    check_fields(db, {owner_id, friend_id})
    assert len(dates) > 1, "the writes should have moved some exif row to another date"


PROBE = ',"formVersionProbe":true}'


def _probed(original: Callable[[Any], tuple[str, str]]) -> Callable[[Any], tuple[str, str]]:
    """An encoder of a "new format version": the old output with one more key."""
    return lambda row: (original(row)[0][:-1] + PROBE, original(row)[1])


def test_a_new_form_version_is_served_at_once_and_rendered_in_the_background(
    server: LiveServer, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No start-up rewrite: after a version change every stored form is stale, the stream renders
    each row with the new encoder on the spot, and the renderer then stores the new forms."""
    uid, _email, token = server.new_user("forms-version")
    with server.client(token) as http:
        for path in JPEGS[:3]:
            assert upload(http, path, path.read_bytes() + uuid.uuid4().bytes).status_code == 201
        wait_for_jobs(server)
        asyncio.run(FormRenderer(db).catch_up())

        def stream() -> list[dict[str, Any]]:
            assert http.request("DELETE", "/api/sync/ack", json={}).status_code == 204
            resp = http.post("/api/sync/stream", json={"types": ["AssetsV1", "AssetExifsV1"]})
            assert resp.status_code == 200
            return [json.loads(line) for line in resp.text.splitlines()]

        before = [line for line in stream() if line["type"] in ("AssetV1", "AssetExifV1")]
        assert len(before) == 6 and not any("formVersionProbe" in line["data"] for line in before)
        old = render.VERSION
        try:
            monkeypatch.setattr(render, "VERSION", old + 1)
            for name in ("assets", "asset_exif"):
                monkeypatch.setitem(renderer._RENDER, name, _probed(renderer._RENDER[name]))
            after = [line for line in stream() if line["type"] in ("AssetV1", "AssetExifV1")]
            assert [line["data"].pop("formVersionProbe") for line in after] == [True] * 6
            assert [line["data"] for line in after] == [line["data"] for line in before]
            assert rendered(db, FormRenderer(db), {uid}) > 0
            stored = db.read_sync(
                lambda c: c.execute(sa.select(assets.c.wire_v2, assets.c.wire_version)).all()
            )
            assert {version for _wire, version in stored} == {old + 1}
            assert all(wire.endswith(PROBE) for wire, _version in stored)
        finally:
            monkeypatch.undo()
            asyncio.run(FormRenderer(db).catch_up())
