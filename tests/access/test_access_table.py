"""Who may read which asset through which path: one table, checked over real HTTP on both databases.

The expectations are written out by hand, per role and asset state, so they say what the rule
is rather than repeat the code under test. Reads: the owner sees everything it has, locked
assets only through a session unlocked with its PIN (never with an API key); a partner the
owner's timeline assets that are not trashed; album members the album's assets that are not
trashed and not locked; nobody else anything. Sync sends metadata as Immich does (trashed
assets flagged, not left out) and names a delete only to someone who could have seen the asset.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import httpx
import orjson
import pytest

from tests.access.scenario import STATES, Scenario, build, city_of, month_of
from tests.contract import assert_error_body, assert_matches
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
    # The partner shows the owner's library in its timeline: what map, search and timeline
    # listings `withPartners` follow (point reads do not depend on it).
    shown = built.users["partner"].http.put(f"/api/partners/{owner.user_id}", json={"inTimeline": True})
    assert shown.status_code == 200, shown.text
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


# --- `/sync/rows` of the album kinds: the album stream's rule, asset by asset -----------------
# Members (the owner too) get the asset while the album shows it, trashed ones flagged; locking
# takes it out of the album; nobody else is told anything (no delete line either: the asset may
# still be theirs or a partner's).

SHOWN_IN_ALBUM = frozenset({"timeline", "archive", "hidden", "trashed"})
ALBUM_ROWS: dict[str, frozenset[str]] = {
    "owner": SHOWN_IN_ALBUM,
    "viewer": SHOWN_IN_ALBUM,
    "editor": SHOWN_IN_ALBUM,
    "partner": frozenset(),
    "stranger": frozenset(),
}


@pytest.mark.parametrize("kind", ["AlbumAssetsV1", "AlbumAssetExifsV1"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", SYNC_ROLES)
def test_album_rows(scenario: Scenario, role: str, state: str, kind: str) -> None:
    asset_id = scenario.ids[state]
    resp = scenario.client(role).post("/api/sync/rows", json={"type": kind, "ids": [asset_id]})
    assert resp.status_code == 200, resp.text[:300]
    lines = [orjson.loads(line) for line in resp.content.splitlines() if line]
    named = [item for item in lines if asset_id in (item["data"].get("id"), item["data"].get("assetId"))]
    assert bool(named) is (state in ALBUM_ROWS[role]), named


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


# --- asset jobs (`POST /api/assets/jobs`): whoever may edit the asset -------------------------
# Only the owner may ask for its assets' jobs, a locked one only from an unlocked session; the
# limited key lacks `job.create`. `refresh-faces` checks access like every job and queues nothing.

DONE, REFUSED = 204, 400
JOBS: dict[str, dict[str, int]] = {
    "owner":    {"timeline": DONE, "archive": DONE, "hidden": DONE, "locked": REFUSED, "trashed": DONE,
                 "deleted": REFUSED},
    "owner_unlocked":
                {"timeline": DONE, "archive": DONE, "hidden": DONE, "locked": DONE, "trashed": DONE,
                 "deleted": REFUSED},
    "partner":  dict.fromkeys(STATES, REFUSED),
    "viewer":   dict.fromkeys(STATES, REFUSED),
    "editor":   dict.fromkeys(STATES, REFUSED),
    "stranger": dict.fromkeys(STATES, REFUSED),
    "anonymous": dict.fromkeys(STATES, 401),
    "api_key":  dict.fromkeys(STATES, 403),
}  # fmt: skip


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_asset_jobs(scenario: Scenario, role: str, state: str) -> None:
    expected = JOBS[role][state]
    client = scenario.client(role)
    body = {"assetIds": [scenario.ids[state]], "name": "refresh-faces"}
    resp = client.post("/api/assets/jobs", json=body)
    assert resp.status_code == expected, resp.text[:300]
    if expected == REFUSED:
        assert resp.json()["message"] == "Not found or no asset.update access"
    if role in ("anonymous", "api_key"):
        client.close()


# --- listings: which states a listing shows each role, or the status when refused ---------------
#
# Every role here also has `api_key_all`, the owner's key with permission `all`: a key is never
# unlocked, so even with every permission it lists no locked asset. Listings follow Immich
# (most show the timeline and archive unless asked otherwise; partners' assets are the
# timeline's, untrashed), and a locked asset shows only to the owner's unlocked session: when
# it asks for `visibility=locked`, searches, or lists its own uploads or library as a whole.

LIST_ROLES = (*ROLES, "api_key_all")
TIMELINE_, ARCHIVE_, HIDDEN_, LOCKED_, TRASHED_, DELETED_ = STATES
Shown = frozenset[str] | int | dict[str, bool | int]
"""States listed (the rest not), one status for all, or per state: listed or not, or a status."""


def _only(*states: str) -> frozenset[str]:
    return frozenset(states)


NONE_ = _only()
DEFAULT = _only(TIMELINE_, ARCHIVE_)
JUST_TIMELINE = _only(TIMELINE_)
NOT_LOCKED = _only(TIMELINE_, ARCHIVE_, HIDDEN_)
WITH_LOCKED = _only(TIMELINE_, ARCHIVE_, LOCKED_)
EVERY_OWN = _only(TIMELINE_, ARCHIVE_, HIDDEN_, LOCKED_)
"""Every own asset that is not trashed or gone."""


def _roles(
    owner: Shown,
    *,
    unlocked: Shown | None = None,
    partner: Shown = NONE_,
    member: Shown = NONE_,
    stranger: Shown = NONE_,
    key: Shown | None = None,
    key_all: Shown | None = None,
) -> dict[str, Shown]:
    """A row: the owner's session unless said otherwise for its unlocked session and keys."""
    return {
        "owner": owner, "owner_unlocked": owner if unlocked is None else unlocked, "partner": partner,
        "viewer": member, "editor": member, "stranger": stranger, "anonymous": 401,
        "api_key": owner if key is None else key, "api_key_all": owner if key_all is None else key_all,
    }  # fmt: skip


LOCKED_ONLY = _roles(401, unlocked=_only(LOCKED_), partner=401, member=401, stranger=401)
DEFAULT_VIEW = _roles(DEFAULT)
ALBUM_VIEW = _roles(DEFAULT, partner=400, member=DEFAULT, stranger=400)
USER_VIEW = _roles(DEFAULT, partner=JUST_TIMELINE, member=400, stranger=400)
PARTNERS_VIEW = _roles(JUST_TIMELINE, partner=JUST_TIMELINE)
DOWNLOAD_IDS = _roles(
    {TIMELINE_: IN, ARCHIVE_: IN, HIDDEN_: IN, LOCKED_: 400, TRASHED_: OUT, DELETED_: 400},
    unlocked={TIMELINE_: IN, ARCHIVE_: IN, HIDDEN_: IN, LOCKED_: IN, TRASHED_: OUT, DELETED_: 400},
    partner={**dict.fromkeys(STATES, 400), TIMELINE_: IN},
    member={TIMELINE_: IN, ARCHIVE_: IN, HIDDEN_: IN, LOCKED_: 400, TRASHED_: 400, DELETED_: 400},
    stranger=400,
    key=403,
)
OWNERS = ("owner", "owner_unlocked", "api_key_all")
DOWNLOAD_ORIGINALS = {
    role: {**spec, TRASHED_: IN} if role in OWNERS and isinstance(spec, dict) else spec
    for role, spec in DOWNLOAD_IDS.items()
}
"""An archive of given ids holds the owner's trashed originals too (their plan leaves them out)."""
ALBUM_DOWNLOAD = _roles(NOT_LOCKED, partner=400, member=NOT_LOCKED, stranger=400, key=403)
OWN_LIBRARY = _roles(DEFAULT, unlocked=WITH_LOCKED, partner=400, member=400, stranger=400, key=403)

LISTINGS: dict[str, dict[str, Shown]] = {
    # map: own timeline assets, with archive, partners and albums when asked (never locked)
    "map": _roles(JUST_TIMELINE, key=403),
    "map_everything": _roles(DEFAULT, partner=JUST_TIMELINE, member=DEFAULT, key=403),
    # the mobile backup's list of this device's uploads: not hidden or trashed, locked when unlocked
    "device": _roles(DEFAULT, unlocked=WITH_LOCKED),
    # memories are their owner's alone and show timeline assets that are not trashed
    "memory": _roles(JUST_TIMELINE, partner=400, member=400, stranger=400, key=403),
    "memories": _roles(JUST_TIMELINE, key=403),
    # search: own assets (hidden ones too, as Immich; locked ones in an unlocked session) and
    # the timeline of partners shown in the caller's timeline
    "search_metadata": _roles(NOT_LOCKED, unlocked=EVERY_OWN, partner=JUST_TIMELINE),
    "search_metadata_locked": LOCKED_ONLY,
    "search_metadata_trashed": _roles(
        _only(*NOT_LOCKED, TRASHED_), unlocked=_only(*EVERY_OWN, TRASHED_), partner=JUST_TIMELINE
    ),
    "search_random": _roles(NOT_LOCKED, unlocked=EVERY_OWN, partner=JUST_TIMELINE),
    "search_statistics": _roles(NOT_LOCKED, unlocked=EVERY_OWN, partner=JUST_TIMELINE, key=403),
    "search_suggestions": _roles(JUST_TIMELINE, partner=JUST_TIMELINE),
    "search_cities": _roles(JUST_TIMELINE, partner=JUST_TIMELINE),
    "search_explore": _roles(JUST_TIMELINE),
    # timeline: month buckets and one month's assets
    "buckets": DEFAULT_VIEW,
    "buckets_locked": LOCKED_ONLY,
    "buckets_partners": PARTNERS_VIEW,
    "buckets_album": ALBUM_VIEW,
    "buckets_user": USER_VIEW,
    "bucket": DEFAULT_VIEW,
    "bucket_locked": LOCKED_ONLY,
    "bucket_partners": PARTNERS_VIEW,
    "bucket_album": ALBUM_VIEW,
    "bucket_user": USER_VIEW,
    # downloads: by asset (the point-read rule; the owner's trash is left out of archives'
    # plans but its originals are its own), by album (what the album shows its members)
    "download_info_ids": DOWNLOAD_IDS,
    "download_archive_ids": DOWNLOAD_ORIGINALS,
    "download_info_album": ALBUM_DOWNLOAD,
    # the caller's own library (Immich's `userId` download): never hidden or trashed assets
    "download_info_user": OWN_LIBRARY,
    "download_archive_album": ALBUM_DOWNLOAD,
}  # fmt: skip

Seen = dict[str, bool | int]
SUCCESS = (200, 201)
"""Immich answers its POST reads (download plans) with 201."""


def _states(s: Scenario, ids: Iterable[str]) -> frozenset[str]:
    """The states whose video or photos are among `ids`."""
    found = set(ids)
    return frozenset(st for st in STATES if found & {s.ids[st], *s.photo_ids[st]})


def _listed(resp: httpx.Response, states: Callable[[Any], frozenset[str]], schema: str | None = None) -> Seen:
    """Per state: listed or not, or the refusal's status (with Immich's error body). `schema`
    checks the body (each item of a list) against Immich's."""
    if resp.status_code not in SUCCESS:
        assert_error_body(resp, resp.status_code)
        return dict.fromkeys(STATES, resp.status_code)
    body = resp.json()
    if schema is not None:
        for item in body if isinstance(body, list) else [body]:
            assert_matches(schema, item)
    shown = states(body)
    return {st: st in shown for st in STATES}


def _planned(s: Scenario) -> Callable[[Any], frozenset[str]]:
    """The states a download plan (`DownloadResponseDto`) holds."""
    return lambda body: _states(s, (i for a in body["archives"] for i in a["assetIds"]))


def _ids_in(s: Scenario, key: str = "id") -> Callable[[Any], frozenset[str]]:
    return lambda body: _states(s, (item[key] for item in body))


def _months(s: Scenario) -> Callable[[Any], frozenset[str]]:
    return lambda body: frozenset(
        st for st in STATES if f"{month_of(st)}-01" in {b["timeBucket"] for b in body}
    )


def _cities(body: Any) -> frozenset[str]:
    return frozenset(st for st in STATES if city_of(st) in body)


def _per_state(check: Callable[[str], bool | int]) -> Seen:
    return {st: check(st) for st in STATES}


def _bucket(c: httpx.Client, s: Scenario, params: dict[str, str]) -> Seen:
    def check(state: str) -> bool | int:
        resp = c.get("/api/timeline/bucket", params={**params, "timeBucket": f"{month_of(state)}-01"})
        return _listed(resp, lambda body: _states(s, body["id"]), "TimeBucketAssetResponseDto")[state]

    return _per_state(check)


def _archive(c: httpx.Client, ids: list[str]) -> list[str] | int:
    """The entries of the zip of `ids`, or the refusal's status."""
    resp = c.post("/api/download/archive", json={"assetIds": ids})
    if resp.status_code not in SUCCESS:
        assert_error_body(resp, resp.status_code)
        return resp.status_code
    return zipfile.ZipFile(io.BytesIO(resp.content)).namelist()


def _download_ids(c: httpx.Client, s: Scenario, *, archive: bool) -> Seen:
    """Per state, a download of that state's video alone: its zip, or its plan."""

    def check(state: str) -> bool | int:
        if archive:
            entries = _archive(c, [s.ids[state]])
            return entries if isinstance(entries, int) else len(entries) == 1
        resp = c.post("/api/download/info", json={"assetIds": [s.ids[state]]})
        return _listed(resp, _planned(s), "DownloadResponseDto")[state]

    return _per_state(check)


def _download_album(c: httpx.Client, s: Scenario, *, archive: bool) -> Seen:
    """The album's download plan; with `archive`, its zip must hold every planned asset."""
    resp = c.post("/api/download/info", json={"albumId": s.album_id})
    seen = _listed(resp, _planned(s), "DownloadResponseDto")
    if archive and resp.status_code in SUCCESS:
        ids = [i for a in resp.json()["archives"] for i in a["assetIds"]]
        entries = _archive(c, ids)
        assert not isinstance(entries, int) and len(entries) == len(ids), entries
    return seen


def _search(c: httpx.Client, s: Scenario, path: str, body: dict[str, Any]) -> Seen:
    resp = c.post(f"/api/search/{path}", json=body)
    if path == "metadata":
        return _listed(
            resp, lambda b: _states(s, (a["id"] for a in b["assets"]["items"])), "SearchResponseDto"
        )
    return _listed(resp, _ids_in(s), "AssetResponseDto")


def _search_statistics(c: httpx.Client) -> Seen:
    """Per state, a count of the assets in that state's city."""

    def check(state: str) -> bool | int:
        resp = c.post("/api/search/statistics", json={"city": city_of(state)})
        return _listed(resp, lambda body: frozenset(STATES) if body["total"] else NONE_)[state]

    return _per_state(check)


def _fetch(c: httpx.Client, s: Scenario, path: str) -> Seen:
    """What the listing `path` shows the client, per state."""
    album, owner = {"albumId": s.album_id}, {"userId": s.users["owner"].user_id}
    partners = {"withPartners": "true", "visibility": "timeline"}
    views = {
        "": {},
        "_locked": {"visibility": "locked"},
        "_partners": partners,
        "_album": album,
        "_user": owner,
    }
    if path.startswith("buckets"):
        resp = c.get("/api/timeline/buckets", params=views[path.removeprefix("buckets")])
        return _listed(resp, _months(s), "TimeBucketsResponseDto")
    if path.startswith("bucket"):
        return _bucket(c, s, views[path.removeprefix("bucket")])
    everything = {"isArchived": "true", "withPartners": "true", "withSharedAlbums": "true"}
    match path:
        case "map" | "map_everything":
            params = everything if path != "map" else {}
            return _listed(c.get("/api/map/markers", params=params), _ids_in(s), "MapMarkerResponseDto")
        case "device":
            return _listed(
                c.get("/api/assets/device/pytest"),
                lambda body: frozenset(st for st in STATES if s.device_ids[st] in body),
            )
        case "memory":
            return _listed(
                c.get(f"/api/memories/{s.memory_id}"),
                lambda m: _states(s, (a["id"] for a in m["assets"])),
                "MemoryResponseDto",
            )
        case "memories":
            return _listed(
                c.get("/api/memories"),
                lambda ms: _states(s, (a["id"] for m in ms for a in m["assets"])),
                "MemoryResponseDto",
            )
        case "search_metadata":
            return _search(c, s, "metadata", {})
        case "search_metadata_locked":
            return _search(c, s, "metadata", {"visibility": "locked"})
        case "search_metadata_trashed":
            return _search(c, s, "metadata", {"withDeleted": True})
        case "search_random":
            return _search(c, s, "random", {"size": 250})
        case "search_statistics":
            return _search_statistics(c)
        case "search_suggestions":
            return _listed(c.get("/api/search/suggestions", params={"type": "city"}), _cities)
        case "search_cities":
            return _listed(
                c.get("/api/search/cities"),
                lambda body: _cities([a["exifInfo"]["city"] for a in body]),
                "AssetResponseDto",
            )
        case "search_explore":
            return _listed(
                c.get("/api/search/explore"),
                lambda body: _cities([i["value"] for f in body for i in f["items"]]),
                "SearchExploreResponseDto",
            )
        case "download_info_ids" | "download_archive_ids":
            return _download_ids(c, s, archive=path == "download_archive_ids")
        case "download_info_user":
            resp = c.post("/api/download/info", json={"userId": s.users["owner"].user_id})
            return _listed(resp, _planned(s), "DownloadResponseDto")
        case "download_info_album" | "download_archive_album":
            return _download_album(c, s, archive=path == "download_archive_album")
    raise AssertionError(path)


def _expected(spec: Shown, state: str) -> bool | int:
    if isinstance(spec, int):
        return spec
    if isinstance(spec, frozenset):
        return state in spec
    return spec[state]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", LIST_ROLES)
@pytest.mark.parametrize("path", LISTINGS)
def test_listings(scenario: Scenario, path: str, role: str, state: str) -> None:
    key = (path, role)
    if key not in scenario.seen:
        client = scenario.client(role)
        scenario.seen[key] = _fetch(client, scenario, path)
        if role in ("anonymous", "api_key", "api_key_all"):
            client.close()
    assert scenario.seen[key][state] == _expected(LISTINGS[path][role], state)
