"""`POST /api/sync/digest`: counts and hashes a client can recompute from the lines it got."""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from datetime import datetime
from functools import partial
from typing import Any

import orjson
import pytest
import sqlalchemy as sa

from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.db.schema import assets
from filmroll.sync.forms.queries import TABLES, FormTable
from filmroll.sync.forms.renderer import render_batch
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client

MASK = (1 << 64) - 1


def row_hash(data: Any) -> int:
    """The spec, written independently: SHA-256 of the compact JSON, first 8 bytes, unsigned."""
    return int.from_bytes(hashlib.sha256(orjson.dumps(data)).digest()[:8], "big")


def _render_next(conn: sa.Connection, ft: FormTable, after: int, upper: int) -> int:
    """One batch of the renderer; the new cursor."""
    return render_batch(conn, ft, after, upper, 5000)[1]


def render_all(db: Database) -> None:
    """What the server's background renderer does, done now."""
    upper = db.read_sync(clock.current)
    for ft in TABLES:
        after = 0
        while after < upper:
            after = db.write_sync(partial(_render_next, ft=ft, after=after, upper=upper))


def hashed(db: Database, owner: uuid.UUID) -> int:
    query = sa.select(sa.func.count()).where(assets.c.owner_id == owner, assets.c.wire_hash.is_not(None))
    return int(db.read_sync(lambda c: c.execute(query).scalar_one()))


def digest(client: SyncClient, request_type: str, bucket: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": request_type}
    if bucket is not None:
        body["bucket"] = bucket
    resp = client.http.post("/api/sync/digest", json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def expected(lines: list[dict[str, Any]], entity: str, key: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in lines:
        if item["type"] == entity:
            entry = groups[key(item["data"])]
            entry[0] += 1
            entry[1] = (entry[1] + row_hash(item["data"])) & MASK
    return [{"bucket": b, "count": n, "hash": f"{h:016x}"} for b, (n, h) in sorted(groups.items())]


def test_digests_match_what_the_stream_sent(server: LiveServer, builder: AssetBuilder, db: Database) -> None:
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    ids = [
        builder.insert(me, exif=True, file_created_at=datetime(2024, month, day, 12))
        for month, day in ((1, 5), (1, 5), (1, 20), (3, 1), (12, 31))
    ]
    render_all(db)  # stored forms and hashes for these ...
    assert hashed(db, me) == 5
    builder.insert(me, exif=True, file_created_at=datetime(2024, 1, 5, 23, 59))
    builder.update(ids[3:4], is_favorite=True)  # ... and stale forms hashed on the fly
    lines = alice.sync(["AssetsV1", "AssetExifsV1"])
    months = digest(alice, "AssetsV1")
    assert months["buckets"] == expected(lines, "AssetV1", lambda d: d["fileCreatedAt"][:7])
    assert [b["count"] for b in months["buckets"]] == [4, 1, 1]
    days = digest(alice, "AssetsV1", "2024-01")
    january = [
        i for i in lines if i["type"] == "AssetV1" and i["data"]["fileCreatedAt"].startswith("2024-01")
    ]
    assert days["buckets"] == expected(january, "AssetV1", lambda d: d["fileCreatedAt"][:10])
    day = digest(alice, "AssetsV1", "2024-01-05")
    assert day["rows"] == sorted(
        ({"id": i["data"]["id"], "hash": f"{row_hash(i['data']):016x}"} for i in january
         if i["data"]["fileCreatedAt"].startswith("2024-01-05")),
        key=lambda r: r["id"],
    )  # fmt: skip
    assert len(day["rows"]) == 3

    # exif is filed under its asset's date, also after the asset's date moves
    builder.update(ids[4:5], file_created_at=datetime(2023, 7, 1))
    after = alice.sync(["AssetsV1", "AssetExifsV1"])
    assert [i["type"] for i in after] == ["AssetV1", "SyncCompleteV1"], "a new date is no exif change"
    everything = alice.stream(["AssetsV1", "AssetExifsV1"], reset=True)
    created = {i["data"]["id"]: i["data"]["fileCreatedAt"] for i in everything if i["type"] == "AssetV1"}
    months = digest(alice, "AssetExifsV1")
    assert months["buckets"] == expected(everything, "AssetExifV1", lambda d: created[d["assetId"]][:7])
    assert [b["bucket"] for b in months["buckets"]] == ["2023-07", "2024-01", "2024-03"]
    days = digest(alice, "AssetExifsV1", "2024-01")
    assert [(b["bucket"], b["count"]) for b in days["buckets"]] == [("2024-01-05", 3), ("2024-01-20", 1)]
    leaf = digest(alice, "AssetExifsV1", "2023-07-01")
    assert [r["id"] for r in leaf["rows"]] == [str(ids[4])]


def test_partner_digests_follow_the_stream_access_rule(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    owner = uuid.UUID(bob.user_id)
    builder.insert(owner, exif=True, file_created_at=datetime(2023, 6, 1))
    builder.insert(owner, exif=True, file_created_at=datetime(2023, 6, 2), visibility="archive")
    assert digest(alice, "PartnerAssetsV1")["buckets"] == []
    assert bob.http.post(f"/api/partners/{alice.user_id}").status_code == 201
    lines = alice.stream(["PartnerAssetsV1", "PartnerAssetExifsV1"])
    got = digest(alice, "PartnerAssetsV1")["buckets"]
    assert got == expected(lines, "PartnerAssetV1", lambda d: d["fileCreatedAt"][:7])
    assert [b["count"] for b in got] == [1]
    exif = digest(alice, "PartnerAssetExifsV1")["buckets"]
    created = {i["data"]["id"]: i["data"]["fileCreatedAt"] for i in lines if i["type"] == "PartnerAssetV1"}
    assert exif == expected(lines, "PartnerAssetExifV1", lambda d: created[d["assetId"]][:7])
    assert digest(bob, "AssetsV1")["buckets"][0]["count"] == 2
    assert digest(new_client(server, "x"), "PartnerAssetsV1")["buckets"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"type": "PartnersV1"},
        {"type": "AssetsV1", "bucket": "2024"},
        {"type": "AssetsV1", "bucket": "2024-13"},
        {"type": "AssetsV1", "bucket": "2024-02-30"},
        {"type": "AssetExifsV1", "bucket": "3f"},
        {"type": "AssetExifsV1", "bucket": "2024-01-05T24"},
        {"type": "StacksV1", "bucket": "zz"},
        {"type": "StacksV1", "bucket": "abc"},
        {"type": "AssetsV1", "bucket": None},
        {},
    ],
)
def test_bad_digest_requests(server: LiveServer, body: dict[str, Any]) -> None:
    alice = new_client(server, "alice")
    resp = alice.http.post("/api/sync/digest", json=body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["statusCode"] == 400


def test_stack_and_album_digests(server: LiveServer, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    me = uuid.UUID(alice.user_id)
    ids = [builder.insert(me) for _ in range(4)]
    builder.stack(me, ids[:2])
    builder.stack(me, ids[2:])
    for name in ("a", "b", "c"):
        assert alice.http.post("/api/albums", json={"albumName": name}).status_code == 201
    lines = alice.stream(["StacksV1", "AlbumsV1"])
    for request_type, entity in (("StacksV1", "StackV1"), ("AlbumsV1", "AlbumV1")):
        got = digest(alice, request_type)["buckets"]
        assert got == expected(lines, entity, lambda d: d["id"][:2])
        first = got[0]["bucket"]
        rows = digest(alice, request_type, digest(alice, request_type, first)["buckets"][0]["bucket"])["rows"]
        assert {r["id"] for r in rows} <= {i["data"]["id"] for i in lines if i["type"] == entity}
        assert rows and all(r["id"].startswith(first) for r in rows)
        assert digest(bob, request_type)["buckets"] == []


def test_a_day_split_by_hour(server: LiveServer, builder: AssetBuilder) -> None:
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    for hour, minute in ((0, 0), (9, 15), (9, 59), (23, 59)):
        builder.insert(me, file_created_at=datetime(2022, 7, 4, hour, minute))
    builder.insert(me, file_created_at=datetime(2022, 7, 5, 0, 0))
    lines = [i for i in alice.stream(["AssetsV1"]) if i["type"] == "AssetV1"]
    day = [i for i in lines if i["data"]["fileCreatedAt"].startswith("2022-07-04")]
    resp = alice.http.post(
        "/api/sync/digest", json={"type": "AssetsV1", "bucket": "2022-07-04", "split": True}
    )
    assert resp.status_code == 200, resp.text
    hours = resp.json()["buckets"]
    assert hours == expected(day, "AssetV1", lambda d: d["fileCreatedAt"][:13])
    assert [(h["bucket"], h["count"]) for h in hours] == [
        ("2022-07-04T00", 1), ("2022-07-04T09", 2), ("2022-07-04T23", 1)
    ]  # fmt: skip
    assert len(digest(alice, "AssetsV1", "2022-07-04T09")["rows"]) == 2
    assert len(digest(alice, "AssetsV1", "2022-07-04")["rows"]) == 4


def test_key_prefixes_split_two_digits_at_a_time(server: LiveServer, builder: AssetBuilder) -> None:
    """Time-ordered ids share their leading digits: a busy 4-digit prefix is asked per 6 and
    then per 8 digits before its rows (stacks; the other keyed kinds share the code)."""
    alice = new_client(server, "alice")
    me = uuid.UUID(alice.user_id)
    ids = [builder.insert(me) for _ in range(6)]
    for pair in (ids[:2], ids[2:4], ids[4:]):
        builder.stack(me, pair)
    lines = alice.stream(["StacksV1"])

    def split(request_type: str, bucket: str) -> list[dict[str, Any]]:
        body = {"type": request_type, "bucket": bucket, "split": True}
        resp = alice.http.post("/api/sync/digest", json=body)
        assert resp.status_code == 200, resp.text
        return resp.json()["buckets"]  # type: ignore[no-any-return]

    for request_type, entity, key in (("StacksV1", "StackV1", "id"),):
        first = str(next(i["data"][key] for i in lines if i["type"] == entity))
        for width in (4, 6):
            inside = [i for i in lines if str(i["data"].get(key, "")).startswith(first[:width])]
            got = split(request_type, first[:width])
            assert got == expected(inside, entity, lambda d, w=width, k=key: str(d[k])[: w + 2])
        rows = digest(alice, request_type, first[:8])["rows"]
        assert first in {r["id"] for r in rows}
        assert all(r["id"].startswith(first[:8]) for r in rows)
        # without split a 4- or 6-digit bucket lists its rows, as before
        assert {r["id"] for r in digest(alice, request_type, first[:6])["rows"]} >= {r["id"] for r in rows}
    for bad in ("abc", "0123456789", "01234567ab"):
        resp = alice.http.post("/api/sync/digest", json={"type": "StacksV1", "bucket": bad})
        assert resp.status_code == 400, bad
