"""People and faces with face recognition off: empty lists, Immich's errors, silent sync streams."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import new_client, types_of


def test_features_say_no_face_recognition(server: LiveServer) -> None:
    features = httpx.get(f"{server.url}/api/server/features").json()
    assert features["facialRecognition"] is False


def test_people_list_is_an_empty_page(server: LiveServer) -> None:
    user = new_client(server, "faces")
    pages: list[dict[str, Any]] = [{}, {"page": 2, "size": 10, "withHidden": "true"}, {"closestAssetId": "x"}]
    pages[2]["closestAssetId"] = str(uuid.uuid4())
    for params in pages:
        resp = user.http.get("/api/people", params=params)
        assert resp.status_code == 200, resp.text
        assert_matches("PeopleResponseDto", resp.json())
        assert resp.json() == {"people": [], "total": 0, "hidden": 0, "hasNextPage": False}
    body = assert_error_body(user.http.get("/api/people", params={"closestPersonId": str(uuid.uuid4())}), 404)
    assert body["message"] == "Person not found"
    bad: list[dict[str, Any]] = [{"page": 0}, {"size": 1001}, {"closestAssetId": "x"}, {"withHidden": "no?"}]
    for wrong in bad:
        assert_error_body(user.http.get("/api/people", params=wrong), 400)


def test_every_person_and_face_is_unknown(server: LiveServer, builder: AssetBuilder) -> None:
    user, other = new_client(server, "faces"), new_client(server, "other")
    mine = str(builder.insert(uuid.UUID(user.user_id)))
    theirs = str(builder.insert(uuid.UUID(other.user_id)))
    someone = str(uuid.uuid4())
    calls = [
        ("GET", f"/api/people/{someone}", None, "person.read"),
        ("PUT", f"/api/people/{someone}", {"name": "Ann"}, "person.update"),
        ("DELETE", f"/api/people/{someone}", None, "person.delete"),
        ("GET", f"/api/people/{someone}/statistics", None, "person.read"),
        ("GET", f"/api/people/{someone}/thumbnail", None, "person.read"),
        ("POST", f"/api/people/{someone}/merge", {"ids": [str(uuid.uuid4())]}, "person.update"),
        ("PUT", f"/api/people/{someone}/reassign", {"data": [{"assetId": mine, "personId": someone}]},
         "person.update"),
        ("DELETE", "/api/people", {"ids": [someone]}, "person.delete"),
        ("PUT", f"/api/faces/{someone}", {"id": someone}, "person.update"),
        ("DELETE", f"/api/faces/{someone}", {"force": False}, "face.delete"),
        ("POST", "/api/faces", {"assetId": mine, "personId": someone, "imageWidth": 10, "imageHeight": 10,
                                "x": 1, "y": 1, "width": 2, "height": 2}, "person.read"),
        ("POST", "/api/faces", {"assetId": theirs, "personId": someone, "imageWidth": 10, "imageHeight": 10,
                                "x": 1, "y": 1, "width": 2, "height": 2}, "asset.read"),
        ("GET", f"/api/faces?id={theirs}", None, "asset.read"),
    ]  # fmt: skip
    for method, path, body, permission in calls:
        resp = user.http.request(method, path, json=body)
        error = assert_error_body(resp, 400)
        assert error["message"] == f"Not found or no {permission} access", (method, path, error)

    merge_self = user.http.post(f"/api/people/{someone}/merge", json={"ids": [someone]})
    assert assert_error_body(merge_self, 400)["message"] == "Cannot merge a person into themselves"
    assert user.http.request("DELETE", "/api/people", json={"ids": []}).status_code == 204
    updated = user.http.put("/api/people", json={"people": [{"id": someone, "name": "Ann"}]})
    assert updated.status_code == 200, updated.text
    assert updated.json() == [{"id": someone, "success": False, "error": "unknown"}]
    assert_matches("BulkIdResponseDto", updated.json()[0])
    faces = user.http.get("/api/faces", params={"id": mine})
    assert faces.status_code == 200 and faces.json() == []
    for method, path, body in (
        ("GET", "/api/people/not-a-uuid", None),
        ("PUT", f"/api/people/{someone}", {"isHidden": "yes"}),
        ("POST", f"/api/people/{someone}/merge", {}),
        ("GET", "/api/faces", None),
    ):
        assert_error_body(user.http.request(method, path, json=body), 400)

    resp = user.http.post("/api/api-keys", json={"name": "k", "permissions": ["asset.read"]})
    headers = {"x-api-key": resp.json()["secret"]}
    assert_error_body(httpx.get(f"{server.url}/api/people", headers=headers), 403)


def test_people_streams_send_nothing(server: LiveServer, builder: AssetBuilder) -> None:
    user = new_client(server, "sync")
    builder.insert(uuid.UUID(user.user_id))
    lines = user.stream(["PeopleV1", "AssetFacesV1", "AssetFacesV2"])
    assert types_of(lines) in ([], ["SyncCompleteV1"])
    lines = user.stream(["AssetsV1", "PeopleV1", "AssetFacesV1", "AssetFacesV2"])
    assert set(types_of(lines)) <= {"AssetV1", "SyncAckV1", "SyncCompleteV1"} and "AssetV1" in types_of(lines)
