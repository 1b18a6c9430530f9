"""`/sync/digest` and `/sync/rows` for `AlbumAssetsV1` and `AlbumAssetExifsV1`: digests a client
recomputes from the album stream's lines, the stream's access rule, and checkpoints that let
the next stream skip what the digest covered."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from filmroll.db.engine import Database
from tests.client.helpers import forms_settled
from tests.support import LiveServer, login
from tests.sync.extensions.test_digests import digest, expected, row_hash
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client, validate_line
from tests.sync.v2.test_albums import add_assets, create_album

ASSET_TYPES = ("AlbumAssetCreateV1", "AlbumAssetUpdateV1", "AlbumAssetBackfillV1")
EXIF_TYPES = ("AlbumAssetExifCreateV1", "AlbumAssetExifUpdateV1", "AlbumAssetExifBackfillV1")
KINDS = {"AlbumAssetsV1": ASSET_TYPES, "AlbumAssetExifsV1": EXIF_TYPES}


def held(lines: list[dict[str, Any]], types: tuple[str, ...], key: str) -> dict[str, dict[str, Any]]:
    """What a client applying the album stream's lines holds: the last data per row key."""
    out: dict[str, dict[str, Any]] = {}
    for item in lines:
        if item["type"] in types:
            out[item["data"][key]] = item["data"]
        elif item["type"] == "AssetDeleteV1":
            out.pop(item["data"]["assetId"], None)
    return out


def as_lines(rows: dict[str, dict[str, Any]], entity: str) -> list[dict[str, Any]]:
    return [{"type": entity, "data": data} for data in rows.values()]


def dates_of(assets: dict[str, dict[str, Any]]) -> dict[str, str]:
    return {asset_id: str(data["fileCreatedAt"]) for asset_id, data in assets.items()}


def check_all_levels(
    client: SyncClient, request_type: str, rows: dict[str, dict[str, Any]], dates: dict[str, str]
) -> None:
    """Months, each month's days and each day's rows are those the lines give."""
    field = "id" if request_type == "AlbumAssetsV1" else "assetId"

    def date_of(data: dict[str, Any]) -> str:
        return dates[str(data[field])]

    lines = as_lines(rows, "row")
    top = digest(client, request_type)
    assert top["buckets"] == expected(lines, "row", lambda d: date_of(d)[:7])
    for month in top["buckets"]:
        days = digest(client, request_type, month["bucket"])["buckets"]
        inside = [item for item in lines if date_of(item["data"]).startswith(month["bucket"])]
        assert days == expected(inside, "row", lambda d: date_of(d)[:10])
        for day in days:
            listed = digest(client, request_type, day["bucket"])["rows"]
            want = sorted(
                (k, f"{row_hash(v):016x}") for k, v in rows.items() if dates[k].startswith(day["bucket"])
            )
            assert [(r["id"], r["hash"]) for r in listed] == want


def world(
    server: LiveServer, builder: AssetBuilder
) -> tuple[SyncClient, SyncClient, SyncClient, dict[str, uuid.UUID]]:
    """alice owns an album with one of her assets; carol (no partner of hers) shares an album
    with alice holding three of carol's assets, in two months, one without exif; dave's album
    alice is not in."""
    alice, carol, dave = (new_client(server, n) for n in ("alice", "carol", "dave"))
    me, c, d = (uuid.UUID(x.user_id) for x in (alice, carol, dave))
    ids = {
        "mine": builder.insert(me, exif=True, file_created_at=datetime(2023, 5, 1, 10)),
        "c1": builder.insert(c, exif=True, file_created_at=datetime(2024, 1, 5, 12)),
        "c2": builder.insert(c, exif=True, file_created_at=datetime(2024, 1, 20, 8)),
        "c3": builder.insert(c, exif=False, file_created_at=datetime(2024, 3, 1, 9)),
        "d1": builder.insert(d, exif=True, file_created_at=datetime(2024, 1, 5, 12)),
    }
    create_album(alice, [ids["mine"]])
    create_album(carol, [ids["c1"], ids["c2"], ids["c3"]], [alice])
    create_album(dave, [ids["d1"]], [carol])
    return alice, carol, dave, ids


def test_digests_match_what_the_album_streams_sent(
    server: LiveServer, builder: AssetBuilder, db: Database
) -> None:
    alice, _carol, _dave, ids = world(server, builder)
    forms_settled(db)
    lines = alice.sync(["AlbumAssetsV1", "AlbumAssetExifsV1"])
    assets = held(lines, ASSET_TYPES, "id")
    exif = held(lines, EXIF_TYPES, "assetId")
    assert set(assets) == {str(ids[k]) for k in ("mine", "c1", "c2", "c3")}, "own asset included, dave's not"
    assert set(exif) == {str(ids[k]) for k in ("mine", "c1", "c2")}
    dates = dates_of(assets)
    check_all_levels(alice, "AlbumAssetsV1", assets, dates)
    check_all_levels(alice, "AlbumAssetExifsV1", exif, dates)

    # a change not yet rendered is hashed on the fly, and equals the update line
    builder.update([ids["c1"]], is_favorite=True)
    lines = alice.sync(["AlbumAssetsV1", "AlbumAssetExifsV1"])
    assert [i["type"] for i in lines if i["data"].get("id") == str(ids["c1"])] == ["AlbumAssetUpdateV1"]
    assets.update(held(lines, ASSET_TYPES, "id"))
    check_all_levels(alice, "AlbumAssetsV1", assets, dates)


def test_access_follows_the_stream(server: LiveServer, builder: AssetBuilder, db: Database) -> None:
    alice, carol, dave, ids = world(server, builder)
    outsider = new_client(server, "erin")
    for request_type in KINDS:
        assert digest(outsider, request_type)["buckets"] == []
    assert digest(dave, "AlbumAssetsV1")["buckets"][0]["count"] == 1  # his own album only

    # a trashed and a locked asset stay in the album stream (flagged), so in the digest too
    builder.update([ids["c1"]], deleted_at=datetime(2025, 1, 1))
    builder.update([ids["c2"]], visibility="locked")
    forms_settled(db)
    lines = alice.sync(["AlbumAssetsV1", "AlbumAssetExifsV1"])
    for request_type, types in KINDS.items():
        key = "id" if request_type == "AlbumAssetsV1" else "assetId"
        rows = held(lines, types, key)
        found = {r["id"]: r["hash"] for r in _all_rows(alice, request_type)}
        assert found == {k: f"{row_hash(v):016x}" for k, v in rows.items()}
        assert {str(ids["c1"]), str(ids["c2"])} <= set(found)
    shown = held(lines, ASSET_TYPES, "id")
    assert shown[str(ids["c1"])]["deletedAt"] is not None
    assert shown[str(ids["c2"])]["visibility"] == "locked"

    # carol leaves alice out: her assets are lost to alice, and to her digests
    resp = carol.http.delete(f"/api/albums/{_album_of(carol)}/user/{alice.user_id}")
    assert resp.status_code in (200, 204), resp.text
    assert {r["id"] for r in _all_rows(alice, "AlbumAssetsV1")} == {str(ids["mine"])}
    assert {r["id"] for r in _all_rows(alice, "AlbumAssetExifsV1")} == {str(ids["mine"])}


def _album_of(client: SyncClient) -> str:
    resp = client.http.get("/api/albums")
    assert resp.status_code == 200, resp.text
    owned = [a for a in resp.json() if a["ownerId"] == client.user_id]
    return str(owned[0]["id"])


def _all_rows(client: SyncClient, request_type: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for month in digest(client, request_type)["buckets"]:
        for day in digest(client, request_type, month["bucket"])["buckets"]:
            out += digest(client, request_type, day["bucket"])["rows"]
    return out


def test_rows_by_id_and_checkpoints(server: LiveServer, builder: AssetBuilder, db: Database) -> None:
    alice, carol, dave, ids = world(server, builder)
    email = alice.http.get("/api/users/me").json()["email"]
    forms_settled(db)
    keys = [str(ids["c1"]), str(ids["c3"]), str(ids["d1"])]
    resp = alice.http.post("/api/sync/rows", json={"type": "AlbumAssetsV1", "ids": keys})
    assert resp.status_code == 200, resp.text
    got = [json.loads(x) for x in resp.text.splitlines()]
    for item in got:
        validate_line(item)
    assert {(i["type"], i["data"]["id"]) for i in got} == {
        ("AlbumAssetUpdateV1", str(ids["c1"])),
        ("AlbumAssetUpdateV1", str(ids["c3"])),
    }, "dave's asset is neither sent nor deleted"
    resp = alice.http.post("/api/sync/rows", json={"type": "AlbumAssetExifsV1", "ids": keys})
    got = [json.loads(x) for x in resp.text.splitlines()]
    assert [(i["type"], i["data"]["assetId"]) for i in got] == [("AlbumAssetExifUpdateV1", str(ids["c1"]))]
    assert alice.http.post("/api/sync/rows", json={"type": "AlbumAssetsV1", "ids": ["x"]}).status_code == 400

    # a fresh session that stores the digests' acks streams only what changed after them
    with server.client() as anonymous:
        token = login(anonymous, email, "pw-123456")
    fresh = SyncClient(server.client(token), alice.user_id)
    for request_type in KINDS:
        fresh.post_acks(digest(fresh, request_type)["acks"])
    assert [i["type"] for i in fresh.stream(list(KINDS))] == ["SyncCompleteV1"]
    later = builder.insert(uuid.UUID(carol.user_id), exif=True, file_created_at=datetime(2024, 2, 2))
    add_assets(carol, _album_of(carol), [later])
    builder.update([ids["c2"]], is_favorite=True)
    # a membership begun after the acks: the album's older assets come as backfill
    resp = dave.http.put(
        f"/api/albums/{_album_of(dave)}/users", json={"albumUsers": [{"userId": alice.user_id}]}
    )
    assert resp.status_code == 200, resp.text
    sent = fresh.stream(list(KINDS))
    assert sorted(
        (i["type"], i["data"].get("id") or i["data"].get("assetId")) for i in sent if i["data"]
    ) == sorted(
        [
            ("AlbumAssetUpdateV1", str(ids["c2"])),
            ("AlbumAssetCreateV1", str(later)),
            ("AlbumAssetExifCreateV1", str(later)),
            ("AlbumAssetBackfillV1", str(ids["d1"])),
            ("AlbumAssetExifBackfillV1", str(ids["d1"])),
        ]
    )
