"""Search over HTTP: Immich's filters and shapes, who may be found, suggestions and places."""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import assets
from tests.contract import assert_error_body, assert_matches
from tests.search.helpers import put, search, share_into_timeline, unlock
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client

PARIS = {"city": "Paris", "state": "Ile-de-France", "country": "France"}
BERLIN = {"city": "Berlin", "state": "Berlin", "country": "Germany"}
TOKYO = {"city": "Tokyo", "state": "Tokyo", "country": "Japan"}
ROME = {"city": "Rome", "state": "Lazio", "country": "Italy"}
CANON_R6 = {"make": "Canon", "model": "EOS R6", "lens_model": "RF24-105mm"}
CANON_R5 = {"make": "Canon", "model": "EOS R5"}


@dataclass
class Library:
    alice: SyncClient
    ids: dict[str, str]


def _day(n: int) -> datetime:
    return datetime(2020, 1, 1) + timedelta(days=n)


@pytest.fixture
def library(server: LiveServer, builder: AssetBuilder, db: Database) -> Library:
    """Alice's own assets in every state, a partner sharing into her timeline, a partner who does
    not, and a stranger; each name below is an asset id."""
    alice, bob, carol, dave = (new_client(server, n) for n in ("alice", "bob", "carol", "dave"))
    share_into_timeline(bob.http, alice.http, bob.user_id, alice.user_id)
    share_into_timeline(carol.http, alice.http, carol.user_id, alice.user_id, in_timeline=False)
    a, b = alice.user_id, bob.user_id
    in_album = put(builder, dave.user_id, _day(13), {**PARIS}, type="IMAGE")
    album = {"albumName": "shared", "assetIds": [in_album], "albumUsers": [{"userId": a, "role": "viewer"}]}
    assert dave.http.post("/api/albums", json=album).status_code == 201
    ids = {
        "sunset": put(builder, a, _day(9), {**PARIS, **CANON_R6, "description": "Sunset over the Seine",
                                              "rating": 5}, original_file_name="IMG_Sunset.JPG",
                      is_favorite=True, type="IMAGE"),
        "video": put(builder, a, _day(8), {**BERLIN, "make": "Apple", "model": "iPhone 14"},
                     original_file_name="MOV_0001.mov", type="VIDEO"),
        "archived": put(builder, a, _day(7), {**PARIS, **CANON_R5, "rating": 3}, visibility="archive",
                        type="IMAGE"),
        "hidden": put(builder, a, _day(6), {"make": "Apple"}, visibility="hidden", type="VIDEO"),
        "locked": put(builder, a, _day(5), {**PARIS, **CANON_R5}, visibility="locked", type="IMAGE"),
        "trashed": put(builder, a, _day(4), {**PARIS}, deleted_at=_day(30), type="IMAGE"),
        "plain": put(builder, a, _day(3), original_file_name="100%_done.png", type="IMAGE"),
        "partner": put(builder, b, _day(10), {**PARIS, "make": "SONY", "model": "ILCE-7M3"},
                       is_favorite=True, type="IMAGE"),
        "partner_archived": put(builder, b, _day(2), {**TOKYO}, visibility="archive", type="IMAGE"),
        "partner_trashed": put(builder, b, _day(1), {**PARIS}, deleted_at=_day(31), type="IMAGE"),
        "not_in_timeline": put(builder, carol.user_id, _day(11), {**ROME}, type="IMAGE"),
        "stranger": put(builder, dave.user_id, _day(12), {**PARIS}, type="IMAGE"),
        "album_only": in_album,
    }  # fmt: skip
    return Library(alice, ids)


def _names(lib: Library, found: list[str]) -> list[str]:
    by_id = {v: k for k, v in lib.ids.items()}
    return [by_id.get(i, i) for i in found]


def test_who_is_searched(server: LiveServer, library: Library) -> None:
    alice = library.alice.http
    everything = _names(library, search(alice))
    # Own assets in every state but trashed and locked (this session is not unlocked), newest first,
    # and the timeline partner's timeline assets; never a partner outside the timeline, a stranger,
    # or an asset Alice sees only in someone else's album (as Immich: search covers timelines).
    assert everything == ["partner", "sunset", "video", "archived", "hidden", "plain"]
    assert _names(library, search(alice, order="asc")) == list(reversed(everything))
    assert _names(library, search(alice, visibility="timeline")) == ["partner", "sunset", "video", "plain"]
    assert _names(library, search(alice, visibility="archive")) == ["archived"]
    assert _names(library, search(alice, withDeleted=True)) == [
        "partner", "sunset", "video", "archived", "hidden", "trashed", "plain",
    ]  # fmt: skip
    assert _names(library, search(alice, trashedAfter="2020-01-01T00:00:00.000Z")) == ["trashed"]
    assert_error_body(alice.post("/api/search/metadata", json={"visibility": "locked"}), 401)
    unlock(alice)
    assert _names(library, search(alice, visibility="locked")) == ["locked"]
    assert "locked" in _names(library, search(alice))


def test_filters(server: LiveServer, library: Library, builder: AssetBuilder) -> None:
    alice, ids = library.alice.http, library.ids

    def names(**body: Any) -> list[str]:
        return _names(library, search(alice, **body))

    assert names(city="Paris") == ["partner", "sunset", "archived"]
    assert names(city=None) == ["hidden"]  # an EXIF row without a city; assets without EXIF never match
    assert names(country="Germany", state="Berlin") == ["video"]
    assert names(make="Canon") == ["sunset", "archived"]
    assert names(model="EOS R6", lensModel="RF24-105mm") == ["sunset"]
    assert names(make="canon") == []  # exact, as Immich
    assert names(originalFileName="  sunset ") == ["sunset"]  # trimmed, case-insensitive substring
    assert names(originalFileName="%") == ["plain"]  # a literal percent sign, not a wildcard
    assert names(description="SEINE") == ["sunset"]
    assert names(type="VIDEO") == ["video", "hidden"]
    assert names(isFavorite=True) == ["sunset"]  # the partner's favourite is not Alice's
    assert "partner" in names(isFavorite=False) and "sunset" not in names(isFavorite=False)
    assert names(rating=5) == ["sunset"]
    assert names(rating=None, make="Canon") == []
    assert names(takenAfter="2020-01-08T00:00:00.000Z", takenBefore="2020-01-10T00:00:00.000Z") == [
        "sunset", "video", "archived",
    ]  # fmt: skip
    assert names(id=ids["video"]) == ["video"]
    assert names(id=ids["stranger"]) == []
    checksum = builder.db.read_sync(
        lambda c: c.execute(
            sa.select(assets.c.checksum).where(assets.c.id == uuid.UUID(ids["sunset"]))
        ).scalar()
    )
    assert checksum is not None
    assert names(checksum=base64.b64encode(checksum).decode()) == ["sunset"]
    assert names(checksum=checksum.hex()) == ["sunset"]
    assert names(checksum="not-a-checksum") == []
    assert names(personIds=[]) == names()
    assert names(personIds=[str(uuid.uuid4())]) == []
    assert names(isMotion=True) == []
    assert names(withStacked=False, visibility="timeline") == ["partner", "sunset", "video", "plain"]

    album = alice.post("/api/albums", json={"albumName": "a", "assetIds": [ids["sunset"], ids["partner"]]})
    assert album.status_code == 201, album.text
    assert names(albumIds=[album.json()["id"]]) == ["partner", "sunset"]
    assert "sunset" not in names(isNotInAlbum=True) and "video" in names(isNotInAlbum=True)

    parent = alice.post("/api/tags", json={"name": "Trips"}).json()
    child = alice.put("/api/tags", json={"tags": ["Trips/Paris"]}).json()[0]
    alice.put(f"/api/tags/{child['id']}/assets", json={"ids": [ids["sunset"]]})
    alice.put(f"/api/tags/{parent['id']}/assets", json={"ids": [ids["archived"]]})
    assert names(tagIds=[parent["id"]]) == ["sunset", "archived"]  # a parent finds its children's assets
    assert names(tagIds=[parent["id"], child["id"]]) == ["sunset"]  # every tag must match
    assert "sunset" not in names(tagIds=None) and "video" in names(tagIds=None)

    with_exif = alice.post("/api/search/metadata", json={"city": "Berlin", "withExif": True}).json()
    assert with_exif["assets"]["items"][0]["exifInfo"]["city"] == "Berlin"
    without = alice.post("/api/search/metadata", json={"city": "Berlin"}).json()
    assert "exifInfo" not in without["assets"]["items"][0]


def test_paging_statistics_random_smart(server: LiveServer, library: Library) -> None:
    alice = library.alice.http
    everything = search(alice)
    seen, page = [], 1
    while True:
        body = alice.post("/api/search/metadata", json={"size": 4, "page": page}).json()
        assert body["assets"]["count"] == len(body["assets"]["items"]) <= 4
        assert body["albums"] == {"total": 0, "count": 0, "items": [], "facets": []}
        seen += [item["id"] for item in body["assets"]["items"]]
        if body["assets"]["nextPage"] is None:
            break
        assert body["assets"]["nextPage"] == str(page + 1)
        page += 1
    assert seen == everything and page == 2

    stats = alice.post("/api/search/statistics", json={"city": "Paris"})
    assert stats.status_code == 200 and stats.json() == {"total": 3}
    assert_matches("SearchStatisticsResponseDto", stats.json())
    assert alice.post("/api/search/statistics", json={}).json() == {"total": len(everything)}

    picked = alice.post("/api/search/random", json={"size": 3})
    assert picked.status_code == 200, picked.text
    for item in picked.json():
        assert_matches("AssetResponseDto", item)
    assert len(picked.json()) == 3 and {i["id"] for i in picked.json()} <= set(everything)
    all_random = alice.post("/api/search/random", json={"city": "Paris", "withExif": True}).json()
    assert sorted(i["id"] for i in all_random) == sorted(search(alice, city="Paris"))
    assert all(i["exifInfo"]["city"] == "Paris" for i in all_random)

    smart = alice.post("/api/search/smart", json={"query": "dog", "size": 10})
    assert assert_error_body(smart, 400)["message"] == "Smart search is not enabled"
    assert_error_body(alice.post("/api/search/smart", json={"size": 0}), 400)


def test_suggestions_and_places(server: LiveServer, library: Library) -> None:
    alice = library.alice.http

    def suggest(**params: str) -> list[str]:
        resp = alice.get("/api/search/suggestions", params=params)
        assert resp.status_code == 200, resp.text
        return list(resp.json())

    # Timeline assets only (own and the timeline partner's), as Immich; archived Tokyo is left out.
    assert suggest(type="country") == ["France", "Germany"]
    assert suggest(type="state", country="France") == ["Ile-de-France"]
    assert suggest(type="state") == ["Berlin", "Ile-de-France"]
    assert suggest(type="city", country="Germany", state="Berlin") == ["Berlin"]
    assert suggest(type="camera-make") == ["Apple", "Canon", "SONY"]
    assert suggest(type="camera-model", make="Canon") == ["EOS R6"]
    assert suggest(type="camera-lens-model") == ["RF24-105mm"]
    assert suggest(type="camera-make", model="ILCE-7M3") == ["SONY"]
    # Immich would append null here, outside its own response schema; filmroll keeps to the schema.
    assert suggest(type="country", includeNull="true") == ["France", "Germany"]
    assert_error_body(
        alice.get("/api/search/suggestions", params={"type": "country", "includeNull": "x"}), 400
    )
    assert_error_body(alice.get("/api/search/suggestions"), 400)
    assert_error_body(alice.get("/api/search/suggestions", params={"type": "planet"}), 400)

    cities = alice.get("/api/search/cities")
    assert cities.status_code == 200, cities.text
    for item in cities.json():
        assert_matches("AssetResponseDto", item)
    # One photo per city: Paris (Alice's or the partner's); the Berlin asset is a video.
    assert [i["exifInfo"]["city"] for i in cities.json()] == ["Paris"]
    assert cities.json()[0]["id"] in (library.ids["sunset"], library.ids["partner"])


def test_explore(server: LiveServer, builder: AssetBuilder) -> None:
    erin = new_client(server, "erin")
    for n in range(5):
        put(builder, erin.user_id, _day(n), {**PARIS}, type="IMAGE")
    for n in range(4):
        put(builder, erin.user_id, _day(n), {**BERLIN}, type="IMAGE")
    put(builder, erin.user_id, _day(9), {**ROME}, type="IMAGE", visibility="archive")
    tag = erin.http.post("/api/tags", json={"name": "city"}).json()
    paris = search(erin.http, city="Paris")
    erin.http.put(f"/api/tags/{tag['id']}/assets", json={"ids": paris})
    resp = erin.http.get("/api/search/explore")
    assert resp.status_code == 200, resp.text
    assert len(resp.json()) == 1
    assert_matches("SearchExploreResponseDto", resp.json()[0])
    explore = resp.json()[0]
    assert explore["fieldName"] == "exifInfo.city"
    assert [i["value"] for i in explore["items"]] == ["Paris"]  # Berlin has only four photos
    item = explore["items"][0]["data"]
    assert item["id"] in paris and item["exifInfo"]["city"] == "Paris"
    assert [t["value"] for t in item["tags"]] == ["city"]
    assert new_client(server, "empty").http.get("/api/search/explore").json() == [
        {"fieldName": "exifInfo.city", "items": []}
    ]


def test_bad_input_and_permissions(server: LiveServer) -> None:
    alice = new_client(server, "alice").http
    bad = [
        {"size": 0}, {"size": 1001}, {"page": 0}, {"page": 1.5}, {"size": "10"}, {"make": None},
        {"type": "PHOTO"}, {"visibility": "everywhere"}, {"takenAfter": "yesterday"}, {"tagIds": ["x"]},
        {"rating": 6}, {"order": "up"}, {"isFavorite": "yes"}, {"personIds": None}, {"withExif": None},
        {"takenBefore": "0001-01-01T00:00:00+05:00"},
    ]  # fmt: skip
    for body in bad:
        assert_error_body(alice.post("/api/search/metadata", json=body), 400)
    assert_error_body(alice.post("/api/search/random", json={"size": -1}), 400)
    assert_error_body(alice.post("/api/search/statistics", json={"city": 5}), 400)
    assert search(alice, page=2.0) == []
    for method, path in (("POST", "/api/search/metadata"), ("POST", "/api/search/random"),
                         ("POST", "/api/search/statistics"), ("POST", "/api/search/smart"),
                         ("GET", "/api/search/cities"), ("GET", "/api/search/explore")):  # fmt: skip
        assert_error_body(server.client().request(method, path, json={}), 401)
    key = alice.post("/api/api-keys", json={"name": "k", "permissions": ["asset.read"]}).json()["secret"]
    with server.client(**{"x-api-key": key}) as limited:
        assert limited.post("/api/search/metadata", json={}).status_code == 200
        assert limited.get("/api/search/suggestions", params={"type": "country"}).status_code == 200
        assert limited.get("/api/search/explore").status_code == 200
        assert_error_body(limited.post("/api/search/statistics", json={}), 403)
        # An API key is never an unlocked session.
        assert_error_body(limited.post("/api/search/metadata", json={"visibility": "locked"}), 401)
