"""Map markers and reverse geocoding over HTTP, with the app's filters and the access rule."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from filmroll.db.engine import Database
from filmroll.repositories import assets as asset_repo
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import new_client


def markers(client: httpx.Client, **params: Any) -> dict[str, dict[str, Any]]:
    resp = client.get("/api/map/markers", params=params)
    assert resp.status_code == 200, resp.text
    found: dict[str, dict[str, Any]] = {}
    for marker in resp.json():
        assert_matches("MapMarkerResponseDto", marker)
        found[marker["id"]] = marker
    return found


def test_markers(server: LiveServer, builder: AssetBuilder, db: Database) -> None:
    owner, partner, member = (new_client(server, n) for n in ("owner", "partner", "member"))
    me, them = uuid.UUID(owner.user_id), uuid.UUID(partner.user_id)

    def placed(owner_id: uuid.UUID, **values: Any) -> str:
        return str(builder.insert(owner_id, exif=True, **values))

    old = placed(me, file_created_at=datetime(2020, 1, 1))
    new = placed(me, file_created_at=datetime(2023, 1, 1), is_favorite=True)
    archived = placed(me, file_created_at=datetime(2022, 1, 1), visibility="archive")
    placed(me, file_created_at=datetime(2022, 1, 1), deleted_at=datetime(2024, 1, 1))
    placed(me, file_created_at=datetime(2022, 1, 1), visibility="hidden")
    nowhere = str(builder.insert(me))
    db.write_sync(lambda c: asset_repo.upsert_exif(c, uuid.UUID(nowhere), {"city": "Nowhere"}))
    theirs = placed(them, file_created_at=datetime(2021, 1, 1))
    placed(them, file_created_at=datetime(2021, 1, 1), visibility="archive")

    mine = markers(owner.http)
    assert list(mine) == [new, old]  # newest first, timeline only, positioned only
    assert mine[new] == {"id": new, "lat": 52.52, "lon": 13.405, "city": "Berlin", "state": "Berlin",
                         "country": "Germany"}  # fmt: skip
    assert set(markers(owner.http, isArchived="true")) == {new, old, archived}
    assert set(markers(owner.http, isFavorite="true")) == {new}
    assert set(markers(owner.http, isFavorite="false")) == {old}
    assert set(markers(owner.http, fileCreatedAfter="2021-06-01T00:00:00.000Z")) == {new}
    assert set(markers(owner.http, fileCreatedBefore="2021-06-01T00:00:00+02:00")) == {old}

    # Partners: only after sharing, only timeline assets, even when archived ones are asked for.
    assert set(markers(owner.http, withPartners="true")) == {new, old}
    assert owner.http.post("/api/partners", json={"sharedWithId": partner.user_id}).status_code == 201
    assert partner.http.post("/api/partners", json={"sharedWithId": owner.user_id}).status_code == 201
    assert owner.http.put(f"/api/partners/{partner.user_id}", json={"inTimeline": True}).status_code == 200
    assert set(markers(owner.http, withPartners="true", isArchived="true")) == {new, old, archived, theirs}

    # Shared albums: the member sees the album's positioned timeline assets.
    resp = owner.http.post(
        "/api/albums",
        json={"albumName": "m", "assetIds": [new, archived, nowhere],
              "albumUsers": [{"userId": member.user_id, "role": "viewer"}]},
    )  # fmt: skip
    assert resp.status_code == 201, resp.text
    assert markers(member.http) == {}
    assert set(markers(member.http, withSharedAlbums="true")) == {new}
    assert set(markers(member.http, withSharedAlbums="true", isArchived="true")) == {new, archived}

    for params in ({"isArchived": "perhaps"}, {"fileCreatedAfter": "yesterday"}):
        assert_error_body(owner.http.get("/api/map/markers", params=params), 400)
    assert_error_body(httpx.get(f"{server.url}/api/map/markers"), 401)


def test_reverse_geocode_and_permissions(server: LiveServer) -> None:
    user = new_client(server, "geo")
    resp = user.http.get("/api/map/reverse-geocode", params={"lat": 52.52, "lon": 13.405})
    assert resp.status_code == 200, resp.text
    (place,) = resp.json()
    assert_matches("MapReverseGeocodeResponseDto", place)
    assert (place["state"], place["country"]) == ("Berlin", "Germany") and place["city"]
    assert user.http.get("/api/map/reverse-geocode", params={"lat": 0, "lon": -140}).json() == []
    bad: list[dict[str, Any]] = [
        {"lat": 91, "lon": 0},
        {"lat": 0},
        {"lat": "north", "lon": 0},
        {"lat": "nan", "lon": 0},
    ]
    for params in bad:
        assert_error_body(user.http.get("/api/map/reverse-geocode", params=params), 400)

    def key(permission: str) -> dict[str, str]:
        resp = user.http.post("/api/api-keys", json={"name": permission, "permissions": [permission]})
        assert resp.status_code == 201, resp.text
        return {"x-api-key": resp.json()["secret"]}

    read, search = key("map.read"), key("map.search")
    assert httpx.get(f"{server.url}/api/map/markers", headers=read).status_code == 200
    assert_error_body(httpx.get(f"{server.url}/api/map/markers", headers=search), 403)
    geocode = f"{server.url}/api/map/reverse-geocode?lat=1&lon=1"
    assert httpx.get(geocode, headers=search).status_code == 200
    assert_error_body(httpx.get(geocode, headers=read), 403)
