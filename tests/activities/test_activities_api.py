"""Album activity over HTTP: comments and likes, who may read, write and delete them, and the
shapes and status codes Immich answers."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.contract import assert_error_body, assert_matches
from tests.shared_links.helpers import create_album, create_link, upload_photo, user, visitor
from tests.support import LiveServer


def _check(activity: dict[str, Any]) -> dict[str, Any]:
    assert_matches("ActivityResponseDto", activity)
    return activity


def _share(owner: httpx.Client, album_id: str, *members: tuple[str, str]) -> None:
    users = [{"userId": user_id, "role": role} for user_id, role in members]
    assert owner.put(f"/api/albums/{album_id}/users", json={"albumUsers": users}).status_code == 200


def test_comments_likes_filters_and_statistics(server: LiveServer) -> None:
    owner_id, owner = user(server, "owner")
    viewer_id, viewer = user(server, "viewer")
    photo, other = upload_photo(owner), upload_photo(owner)
    album_id = create_album(owner, [photo, other])
    _share(owner, album_id, (viewer_id, "viewer"))

    comment = owner.post("/api/activities", json={"albumId": album_id, "type": "comment", "comment": "nice"})
    assert comment.status_code == 201, comment.text
    body = _check(comment.json())
    assert (body["type"], body["comment"], body["assetId"]) == ("comment", "nice", None)
    assert body["user"]["id"] == owner_id
    assert_matches("UserResponseDto", body["user"])

    like = viewer.post("/api/activities", json={"albumId": album_id, "assetId": photo, "type": "like"})
    assert like.status_code == 201, like.text
    assert (_check(like.json())["type"], like.json()["comment"], like.json()["assetId"]) == (
        "like",
        None,
        photo,
    )
    again = viewer.post(
        "/api/activities", json={"albumId": album_id, "assetId": photo, "type": "like", "comment": "x"}
    )
    assert again.status_code == 200 and again.json()["id"] == like.json()["id"]  # one like per user
    album_like = viewer.post("/api/activities", json={"albumId": album_id, "type": "like"})
    assert album_like.status_code == 201 and album_like.json()["id"] != like.json()["id"]
    asset_comment = viewer.post(
        "/api/activities", json={"albumId": album_id, "assetId": photo, "type": "comment", "comment": "wow"}
    )
    assert asset_comment.status_code == 201

    def ids(**params: str) -> list[str]:
        resp = owner.get("/api/activities", params={"albumId": album_id, **params})
        assert resp.status_code == 200, resp.text
        return [_check(a)["id"] for a in resp.json()]

    everything = [
        comment.json()["id"],
        like.json()["id"],
        album_like.json()["id"],
        asset_comment.json()["id"],
    ]
    assert ids() == everything  # oldest first
    assert ids(type="like") == [like.json()["id"], album_like.json()["id"]]
    assert ids(type="comment") == [comment.json()["id"], asset_comment.json()["id"]]
    assert ids(level="album") == [comment.json()["id"], album_like.json()["id"]]
    assert ids(assetId=photo) == [like.json()["id"], asset_comment.json()["id"]]
    assert ids(assetId=other) == []
    assert ids(userId=viewer_id, type="comment") == [asset_comment.json()["id"]]

    def stats(**params: str) -> dict[str, int]:
        resp = viewer.get("/api/activities/statistics", params={"albumId": album_id, **params})
        assert resp.status_code == 200, resp.text
        assert_matches("ActivityStatisticsResponseDto", resp.json())
        return dict(resp.json())

    assert stats() == {"comments": 2, "likes": 2}
    assert stats(assetId=photo) == {"comments": 1, "likes": 1}
    # An asset in the trash takes its activity out of view.
    assert owner.request("DELETE", "/api/assets", json={"ids": [photo]}).status_code == 204
    assert stats() == {"comments": 1, "likes": 1}
    assert ids() == [comment.json()["id"], album_like.json()["id"]]


def test_who_may_write_and_delete(server: LiveServer) -> None:
    owner_id, owner = user(server, "owner")
    editor_id, editor = user(server, "editor")
    viewer_id, viewer = user(server, "viewer")
    _stranger_id, stranger = user(server, "stranger")
    photo, outside = upload_photo(owner), upload_photo(owner)
    album_id = create_album(owner, [photo])
    _share(owner, album_id, (editor_id, "editor"), (viewer_id, "viewer"))

    by_editor = editor.post("/api/activities", json={"albumId": album_id, "type": "comment", "comment": "e"})
    by_viewer = viewer.post("/api/activities", json={"albumId": album_id, "type": "comment", "comment": "v"})
    by_owner = owner.post("/api/activities", json={"albumId": album_id, "type": "comment", "comment": "o"})
    assert {by_editor.status_code, by_viewer.status_code, by_owner.status_code} == {201}

    refused = stranger.post("/api/activities", json={"albumId": album_id, "type": "like"})
    assert assert_error_body(refused, 400)["message"] == "Not found or no activity.create access"
    for resp in (
        stranger.get("/api/activities", params={"albumId": album_id}),
        stranger.get("/api/activities/statistics", params={"albumId": album_id}),
    ):
        assert assert_error_body(resp, 400)["message"] == "Not found or no album.read access"
    # An asset the album does not hold cannot carry the album's activity.
    foreign = owner.post("/api/activities", json={"albumId": album_id, "assetId": outside, "type": "like"})
    assert assert_error_body(foreign, 400)["message"] == "Not found or no activity.create access"

    not_theirs = viewer.delete(f"/api/activities/{by_editor.json()['id']}")
    assert assert_error_body(not_theirs, 400)["message"] == "Not found or no activity.delete access"
    assert stranger.delete(f"/api/activities/{by_owner.json()['id']}").status_code == 400
    assert viewer.delete(f"/api/activities/{by_viewer.json()['id']}").status_code == 204  # their own
    assert owner.delete(f"/api/activities/{by_editor.json()['id']}").status_code == 204  # album owner: any
    assert owner.delete(f"/api/activities/{by_editor.json()['id']}").status_code == 400  # gone
    left = owner.get("/api/activities", params={"albumId": album_id}).json()
    assert [a["id"] for a in left] == [by_owner.json()["id"]]

    # Removing a member keeps what they wrote; leaving the album ends their access to it.
    assert owner.delete(f"/api/albums/{album_id}/user/{viewer_id}").status_code == 204
    assert viewer.get("/api/activities", params={"albumId": album_id}).status_code == 400

    # Activity switched off: nobody may add any.
    assert owner.patch(f"/api/albums/{album_id}", json={"isActivityEnabled": False}).status_code == 200
    off = editor.post("/api/activities", json={"albumId": album_id, "type": "like"})
    assert assert_error_body(off, 400)["message"] == "Not found or no activity.create access"
    assert owner.get("/api/activities", params={"albumId": album_id}).status_code == 200

    # A shared link's visitor has no access to activity at all (403, as Immich).
    link = create_link(owner, type="ALBUM", albumId=album_id)
    with visitor(server, key=link["key"]) as client:
        assert client.get("/api/activities", params={"albumId": album_id}).status_code == 403
        assert client.post("/api/activities", json={"albumId": album_id, "type": "like"}).status_code == 403
    # Deleting the album deletes its activity with it.
    assert owner.delete(f"/api/albums/{album_id}").status_code == 204
    assert owner_id and owner.delete(f"/api/activities/{by_owner.json()['id']}").status_code == 400


def test_bad_input_and_api_key_permissions(server: LiveServer) -> None:
    _owner_id, owner = user(server, "owner")
    album_id = create_album(owner, [upload_photo(owner)])
    bad_queries: list[dict[str, str]] = [
        {},
        {"albumId": "x"},
        {"albumId": album_id, "type": "love"},
        {"albumId": album_id, "level": "x"},
        {"albumId": album_id, "userId": "x"},
    ]
    for params in bad_queries:
        assert_error_body(owner.get("/api/activities", params=params), 400)
    assert_error_body(owner.get("/api/activities/statistics"), 400)
    for body in (
        {},
        {"albumId": album_id},
        {"albumId": album_id, "type": "comment"},
        {"albumId": album_id, "type": "comment", "comment": ""},
        {"albumId": album_id, "type": "comment", "comment": 5},
        {"albumId": "nope", "type": "like"},
        {"albumId": album_id, "type": "like", "assetId": None},
    ):
        assert_error_body(owner.post("/api/activities", json=body), 400)
    missing = owner.post("/api/activities", json={"albumId": str(uuid.uuid4()), "type": "like"})
    assert assert_error_body(missing, 400)["message"] == "Not found or no activity.create access"
    assert_error_body(owner.delete("/api/activities/not-a-uuid"), 400)

    def key(*permissions: str) -> httpx.Client:
        resp = owner.post("/api/api-keys", json={"name": "k", "permissions": list(permissions)})
        assert resp.status_code == 201, resp.text
        return server.client(**{"x-api-key": resp.json()["secret"]})

    calls: dict[str, tuple[str, str, dict[str, str] | None, dict[str, str] | None]] = {
        "activity.read": ("GET", "/api/activities", {"albumId": album_id}, None),
        "activity.statistics": ("GET", "/api/activities/statistics", {"albumId": album_id}, None),
        "activity.create": ("POST", "/api/activities", None, {"albumId": album_id, "type": "like"}),
        "activity.delete": ("DELETE", f"/api/activities/{uuid.uuid4()}", None, None),
    }
    with key("album.read") as unrelated:
        for permission, (method, path, query, payload) in calls.items():
            denied = unrelated.request(method, path, params=query, json=payload)
            assert assert_error_body(denied, 403)["message"] == f"Missing required permission: {permission}"
            with key(permission) as allowed:
                resp = allowed.request(method, path, params=query, json=payload)
            assert resp.status_code in (200, 201, 400) and resp.status_code != 403, resp.text


def test_concurrent_likes_store_one(server: LiveServer) -> None:
    """A user's like is stored once however many arrive at the same time (one 201, the rest 200)."""
    _owner_id, owner = user(server, "owner")
    album_id = create_album(owner, [upload_photo(owner)])
    token = owner.headers["authorization"]

    def like(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=server.url, headers={"authorization": token}, timeout=60) as c:
            resp = c.post("/api/activities", json={"albumId": album_id, "type": "like"})
        return resp.status_code, resp.json()["id"]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(like, range(8)))
    assert sorted(status for status, _ in results) == [200] * 7 + [201]
    assert len({activity_id for _, activity_id in results}) == 1
    assert owner.get("/api/activities/statistics", params={"albumId": album_id}).json()["likes"] == 1
