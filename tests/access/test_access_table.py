"""Who may read which asset through which path: one table, checked over real HTTP on both databases.

The expectations are written out by hand, per role and asset state, so they say what the rule
is rather than repeat the code under test. Reads: the owner sees everything it has, locked
assets only through a session unlocked with its PIN (never with an API key); a partner the
owner's timeline assets that are not trashed; album members the album's assets that are not
trashed and not locked; nobody else anything. Sync sends metadata as Immich does (trashed
assets flagged, not left out) and names a delete only to someone who could have seen the asset.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.access.scenario import STATES, Scenario, build
from tests.locked.helpers import unlock
from tests.support import LiveServer
from tests.sync.v2.helpers import SyncClient

ROLES = ("owner", "owner_unlocked", "partner", "viewer", "editor", "stranger", "anonymous", "api_key")
"""`owner` is the owner's session that never entered its PIN, `owner_unlocked` a second session
of the owner unlocked with it; `api_key` is the owner's key limited to `asset.read` and
`asset.view`."""
PATHS = ("info", "original", "thumbnail", "playback")

# --- point reads: (info, original, thumbnail, playback with Range) ------------------------

OK = (200, 200, 200, 206)
NO = (400, 400, 400, 400)
ANON = (401, 401, 401, 401)
KEY = (200, 403, 200, 206)
KEY_GONE = (400, 403, 400, 400)

READS: dict[str, dict[str, tuple[int, int, int, int]]] = {
    #            timeline  archive   hidden    locked    trashed   deleted
    "owner":    {"timeline": OK, "archive": OK, "hidden": OK, "locked": NO, "trashed": OK, "deleted": NO},
    "owner_unlocked":
                {"timeline": OK, "archive": OK, "hidden": OK, "locked": OK, "trashed": OK, "deleted": NO},
    "partner":  {"timeline": OK, "archive": NO, "hidden": NO, "locked": NO, "trashed": NO, "deleted": NO},
    "viewer":   {"timeline": OK, "archive": OK, "hidden": OK, "locked": NO, "trashed": NO, "deleted": NO},
    "editor":   {"timeline": OK, "archive": OK, "hidden": OK, "locked": NO, "trashed": NO, "deleted": NO},
    "stranger": {"timeline": NO, "archive": NO, "hidden": NO, "locked": NO, "trashed": NO, "deleted": NO},
    "anonymous": dict.fromkeys(STATES, ANON),
    "api_key":  {"timeline": KEY, "archive": KEY, "hidden": KEY, "locked": KEY_GONE, "trashed": KEY,
                 "deleted": KEY_GONE},
}  # fmt: skip

# --- album listing: is the asset in GET /api/albums/{id}, or the status when refused --------

IN, OUT = True, False
ALBUM: dict[str, dict[str, bool | int]] = {
    "owner":    {"timeline": IN, "archive": IN, "hidden": IN, "locked": OUT, "trashed": OUT, "deleted": OUT},
    "owner_unlocked":
                {"timeline": IN, "archive": IN, "hidden": IN, "locked": OUT, "trashed": OUT, "deleted": OUT},
    "viewer":   {"timeline": IN, "archive": IN, "hidden": IN, "locked": OUT, "trashed": OUT, "deleted": OUT},
    "editor":   {"timeline": IN, "archive": IN, "hidden": IN, "locked": OUT, "trashed": OUT, "deleted": OUT},
    "partner":  dict.fromkeys(STATES, 400),
    "stranger": dict.fromkeys(STATES, 400),
    "anonymous": dict.fromkeys(STATES, 401),
    "api_key":  dict.fromkeys(STATES, 403),
}  # fmt: skip

# --- v2 stream (AssetsV1, PartnerAssetsV1, AlbumAssetsV1): line types naming the asset -------

ASSET, PARTNER, ALBUM_NEW = "AssetV1", "PartnerAssetV1", "AlbumAssetCreateV1"
DELETE, PARTNER_DELETE = "AssetDeleteV1", "PartnerAssetDeleteV1"
V2: dict[str, dict[str, frozenset[str]]] = {
    "owner": {
        "timeline": frozenset({ASSET, ALBUM_NEW}),
        "archive": frozenset({ASSET, ALBUM_NEW}),
        "hidden": frozenset({ASSET, ALBUM_NEW}),
        "locked": frozenset({ASSET}),
        "trashed": frozenset({ASSET, ALBUM_NEW}),
        "deleted": frozenset({DELETE}),
    },
    "partner": {
        "timeline": frozenset({PARTNER}),
        "archive": frozenset(),  # uploaded archived: never on the timeline, never named
        "hidden": frozenset(),
        "locked": frozenset({PARTNER_DELETE}),  # was on the timeline before the move
        "trashed": frozenset({PARTNER}),  # flagged with deletedAt, as Immich
        "deleted": frozenset({PARTNER_DELETE}),
    },
    "viewer": {
        "timeline": frozenset({ALBUM_NEW}),
        "archive": frozenset({ALBUM_NEW}),
        "hidden": frozenset({ALBUM_NEW}),
        "locked": frozenset({DELETE}),  # locking took it out of the album
        "trashed": frozenset({ALBUM_NEW}),
        "deleted": frozenset({DELETE}),
    },
    "stranger": dict.fromkeys(STATES, frozenset()),
}
V2["editor"] = V2["viewer"]

# --- v1: full sync of the owner's library (status when refused) and delta since before ------

V1_FULL: dict[str, dict[str, bool | int]] = {
    "owner":    {"timeline": IN, "archive": IN, "hidden": OUT, "locked": OUT, "trashed": IN, "deleted": OUT},
    "partner":  {"timeline": IN, "archive": OUT, "hidden": OUT, "locked": OUT, "trashed": IN, "deleted": OUT},
    "viewer":   dict.fromkeys(STATES, 400),
    "editor":   dict.fromkeys(STATES, 400),
    "stranger": dict.fromkeys(STATES, 400),
}  # fmt: skip

UP, DEL, NONE = "upserted", "deleted", None
NO_ = NONE
V1_DELTA: dict[str, dict[str, str | None]] = {
    "owner":    {"timeline": UP, "archive": UP, "hidden": DEL, "locked": DEL, "trashed": UP, "deleted": DEL},
    "partner":  {"timeline": UP, "archive": NO_, "hidden": NO_, "locked": DEL, "trashed": UP, "deleted": DEL},
    "viewer":   dict.fromkeys(STATES, NONE),
    "editor":   dict.fromkeys(STATES, NONE),
    "stranger": dict.fromkeys(STATES, NONE),
}  # fmt: skip


@pytest.fixture(scope="module")
def scenario(server: LiveServer) -> Iterator[Scenario]:
    built = build(server)
    owner = built.users["owner"]
    created = owner.http.post("/api/sessions", json={})
    assert created.status_code == 201, created.text
    unlocked = server.client(created.json()["token"])
    unlock(unlocked)
    built.users["owner_unlocked"] = SyncClient(unlocked, owner.user_id)
    yield built
    for user in built.users.values():
        user.http.close()


def _url(s: Scenario, state: str, path: str) -> str:
    base = f"/api/assets/{s.ids[state]}"
    return {"info": base, "original": f"{base}/original", "thumbnail": f"{base}/thumbnail",
            "playback": f"{base}/video/playback"}[path]  # fmt: skip


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_point_reads(scenario: Scenario, role: str, state: str, path: str) -> None:
    expected = READS[role][state][PATHS.index(path)]
    headers = {"range": "bytes=0-99"} if path == "playback" else {}
    client = scenario.client(role)
    resp = client.get(_url(scenario, state, path), headers=headers)
    assert resp.status_code == expected, resp.text[:300]
    if expected == 400:
        action = {"info": "read", "original": "download"}.get(path, "view")
        assert resp.json()["message"] == f"Not found or no asset.{action} access"
    if expected == 200 and path == "info":
        assert resp.json()["id"] == scenario.ids[state]
    if expected == 206:
        assert len(resp.content) == 100
    if role in ("anonymous", "api_key"):
        client.close()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_album_listing(scenario: Scenario, role: str, state: str) -> None:
    expected = ALBUM[role][state]
    client = scenario.client(role)
    resp = client.get(f"/api/albums/{scenario.album_id}")
    if isinstance(expected, bool):
        assert resp.status_code == 200, resp.text
        listed = {a["id"] for a in resp.json()["assets"]}
        assert (scenario.ids[state] in listed) is expected
    else:
        assert resp.status_code == expected, resp.text
    if role in ("anonymous", "api_key"):
        client.close()


def _naming(lines: list[dict[str, Any]], asset_id: str) -> frozenset[str]:
    found = set()
    for item in lines:
        data = item["data"]
        if data.get("id") == asset_id or data.get("assetId") == asset_id:
            found.add(item["type"])
    return frozenset(found)


SYNC_ROLES = ("owner", "partner", "viewer", "editor", "stranger")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", SYNC_ROLES)
def test_v2_stream(scenario: Scenario, role: str, state: str) -> None:
    assert _naming(scenario.v2[role], scenario.ids[state]) == V2[role][state]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", SYNC_ROLES)
def test_v1_full_sync(scenario: Scenario, role: str, state: str) -> None:
    expected, got = V1_FULL[role][state], scenario.v1_full[role]
    if isinstance(expected, bool):
        assert isinstance(got, list)
        assert (scenario.ids[state] in {a["id"] for a in got}) is expected
    else:
        assert got == expected


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", SYNC_ROLES)
def test_v1_delta_sync(scenario: Scenario, role: str, state: str) -> None:
    body, asset_id = scenario.v1_delta[role], scenario.ids[state]
    assert body["needsFullSync"] is False
    upserted = asset_id in {a["id"] for a in body["upserted"]}
    deleted = asset_id in body["deleted"]
    got = UP if upserted else DEL if deleted else NONE
    assert not (upserted and deleted)
    assert got == V1_DELTA[role][state]


# --- asset metadata (`GET /api/assets/{id}/metadata`): whoever may read the asset's info ------


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_asset_metadata_reads(scenario: Scenario, role: str, state: str) -> None:
    expected = READS[role][state][PATHS.index("info")]
    client = scenario.client(role)
    resp = client.get(f"/api/assets/{scenario.ids[state]}/metadata")
    assert resp.status_code == expected, resp.text[:300]
    if expected == 200:
        assert resp.json() == []
    if role in ("anonymous", "api_key"):
        client.close()
