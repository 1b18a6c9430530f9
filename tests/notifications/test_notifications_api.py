"""Notifications over HTTP on both databases: the album invitation that creates them, listing
and filtering, marking read, deleting, ownership, bad input and API-key permissions."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from filmroll.api.dto import MAX_IDS
from tests.contract import assert_error_body, assert_matches
from tests.events.helpers import Listener, cookie_headers
from tests.support import LiveServer

READ_AT = "2026-11-30T10:00:00.000Z"


def _user(server: LiveServer, name: str) -> tuple[str, httpx.Client]:
    user_id, _email, token = server.new_user(name)
    return user_id, server.client(token)


def _album(owner: httpx.Client, name: str, *members: str) -> str:
    resp = owner.post("/api/albums", json={"albumName": name})
    assert resp.status_code == 201, resp.text
    album_id = str(resp.json()["id"])
    if members:
        users = [{"userId": m, "role": "viewer"} for m in members]
        added = owner.put(f"/api/albums/{album_id}/users", json={"albumUsers": users})
        assert added.status_code == 200, added.text
    return album_id


def _list(client: httpx.Client, **params: str) -> list[dict[str, Any]]:
    resp = client.get("/api/notifications", params=params)
    assert resp.status_code == 200, resp.text
    for item in resp.json():
        assert_matches("NotificationDto", item)
    return list(resp.json())


def _ids(client: httpx.Client, **params: str) -> list[str]:
    return [n["id"] for n in _list(client, **params)]


def _invited(server: LiveServer, count: int) -> tuple[httpx.Client, httpx.Client, list[str]]:
    """An owner who shared `count` albums with a member; the member's notification ids, newest
    first."""
    _owner_id, owner = _user(server, "owner")
    member_id, member = _user(server, "member")
    for i in range(count):
        _album(owner, f"album {i}", member_id)
    ids = _ids(member)
    assert len(ids) == count
    return owner, member, ids


def test_adding_a_member_invites_them_and_nobody_else(server: LiveServer) -> None:
    _owner_id, owner = _user(server, "Alice")
    member_id, member = _user(server, "member")
    _other_id, other = _user(server, "other")
    with Listener(server, cookie_headers(str(member.headers["authorization"]).split()[1])) as app:
        album_id = _album(owner, "Lake trip", member_id)
        (event,), _at = app.wait("on_notification")

    (item,) = _list(member)
    assert item["type"] == "AlbumInvite" and item["level"] == "success"
    assert item["title"] == "Shared Album Invitation"
    assert item["description"] == "Alice shared an album (Lake trip) with you"
    assert item["data"] == {"albumId": album_id}
    assert "readAt" not in item  # unread
    assert event == item  # the live event carries the same NotificationDto
    assert_matches("NotificationDto", event)
    assert _list(owner) == [] and _list(other) == []

    got = member.get(f"/api/notifications/{item['id']}")
    assert got.status_code == 200 and got.json() == item
    assert_matches("NotificationDto", got.json())

    # An album created with its members invites them too, once each.
    second_id, second = _user(server, "second")
    resp = owner.post(
        "/api/albums",
        json={"albumName": "Party", "albumUsers": [{"userId": member_id}, {"userId": second_id}]},
    )
    assert resp.status_code == 201, resp.text
    newest = _list(member)
    assert len(newest) == 2 and newest[0]["data"] == {"albumId": resp.json()["id"]}
    assert [n["description"] for n in _list(second)] == ["Alice shared an album (Party) with you"]
    assert _list(owner) == []

    # A refused share (already a member) writes no notification.
    again = owner.put(f"/api/albums/{album_id}/users", json={"albumUsers": [{"userId": member_id}]})
    assert again.status_code == 400
    assert len(_list(member)) == 2


def test_list_is_newest_first_and_filters(server: LiveServer) -> None:
    _owner, member, ids = _invited(server, 3)
    created = [n["createdAt"] for n in _list(member)]
    assert created == sorted(created, reverse=True)
    assert _ids(member, type="AlbumInvite") == ids
    assert _ids(member, type="JobFailed") == []
    assert _ids(member, level="success") == ids
    assert _ids(member, level="error") == []
    assert _ids(member, id=ids[1]) == [ids[1]]
    assert _ids(member, id=str(uuid.uuid4())) == []

    resp = member.put(f"/api/notifications/{ids[0]}", json={"readAt": READ_AT})
    assert resp.status_code == 200, resp.text
    assert_matches("NotificationDto", resp.json())
    assert resp.json()["readAt"] == READ_AT
    assert _ids(member, unread="true") == ids[1:]
    assert _ids(member, unread="false") == ids  # Immich: false filters nothing
    assert _ids(member, unread="true", type="AlbumInvite", level="success") == ids[1:]


def test_mark_one_read_and_unread(server: LiveServer) -> None:
    _owner, member, ids = _invited(server, 2)
    first = ids[0]
    read = member.put(f"/api/notifications/{first}", json={"readAt": "2026-11-30T11:00:00+01:00"})
    assert read.status_code == 200, read.text
    assert read.json()["readAt"] == READ_AT  # stored and answered in UTC
    unchanged = member.put(f"/api/notifications/{first}", json={})
    assert unchanged.status_code == 200 and unchanged.json()["readAt"] == READ_AT
    assert member.get(f"/api/notifications/{first}").json()["readAt"] == READ_AT
    unread = member.put(f"/api/notifications/{first}", json={"readAt": None})
    assert unread.status_code == 200 and "readAt" not in unread.json()
    assert_matches("NotificationDto", unread.json())
    assert _ids(member, unread="true") == ids


def test_mark_all_read(server: LiveServer) -> None:
    _owner, member, ids = _invited(server, 3)
    resp = member.put("/api/notifications", json={"ids": ids[:2], "readAt": READ_AT})
    assert resp.status_code == 204 and resp.content == b""
    assert _ids(member, unread="true") == ids[2:]
    assert member.put("/api/notifications", json={"ids": ids, "readAt": READ_AT}).status_code == 204
    assert _ids(member, unread="true") == []
    assert all(n["readAt"] == READ_AT for n in _list(member))
    assert member.put("/api/notifications", json={"ids": ids, "readAt": None}).status_code == 204
    assert _ids(member, unread="true") == ids


def test_delete_one_and_many(server: LiveServer) -> None:
    _owner, member, ids = _invited(server, 4)
    resp = member.delete(f"/api/notifications/{ids[0]}")
    assert resp.status_code == 204 and resp.content == b""
    assert _ids(member) == ids[1:]
    gone = member.get(f"/api/notifications/{ids[0]}")
    assert assert_error_body(gone, 400)["message"] == "Not found or no notification.read access"
    assert_error_body(member.put(f"/api/notifications/{ids[0]}", json={"readAt": READ_AT}), 400)
    assert_error_body(member.delete(f"/api/notifications/{ids[0]}"), 400)

    bulk = member.request("DELETE", "/api/notifications", json={"ids": ids[1:3]})
    assert bulk.status_code == 204, bulk.text
    assert _ids(member) == ids[3:]
    # A bulk call naming a deleted one is refused whole.
    mixed = member.request("DELETE", "/api/notifications", json={"ids": [ids[3], ids[0]]})
    assert assert_error_body(mixed, 400)["message"] == "Not found or no notification.delete access"
    assert _ids(member) == ids[3:]


def test_another_users_notifications_are_refused(server: LiveServer) -> None:
    _owner, member, ids = _invited(server, 2)
    _stranger_id, stranger = _user(server, "stranger")
    theirs = ids[0]
    checks = [
        (stranger.get(f"/api/notifications/{theirs}"), "notification.read"),
        (stranger.put(f"/api/notifications/{theirs}", json={"readAt": READ_AT}), "notification.update"),
        (stranger.delete(f"/api/notifications/{theirs}"), "notification.delete"),
        (
            stranger.put("/api/notifications", json={"ids": [theirs], "readAt": READ_AT}),
            "notification.update",
        ),
        (stranger.request("DELETE", "/api/notifications", json={"ids": [theirs]}), "notification.delete"),
        (stranger.get(f"/api/notifications/{uuid.uuid4()}"), "notification.read"),
    ]
    for resp, permission in checks:
        assert assert_error_body(resp, 400)["message"] == f"Not found or no {permission} access"
    assert _ids(stranger) == [] and _ids(stranger, id=theirs) == []
    # The owner's own bulk call that names someone else's id changes nothing either.
    _other_owner, other_member, other_ids = _invited(server, 1)
    mixed = member.put("/api/notifications", json={"ids": [ids[1], other_ids[0]], "readAt": READ_AT})
    assert_error_body(mixed, 400)
    assert _ids(member, unread="true") == ids and _ids(other_member, unread="true") == other_ids
    assert _ids(member) == ids  # nothing was changed or deleted by the refused calls


def test_bad_input_is_400(server: LiveServer) -> None:
    _owner, member, ids = _invited(server, 1)
    for params in ({"id": "x"}, {"level": "loud"}, {"type": "Nope"}, {"unread": "maybe"}):
        assert_error_body(member.get("/api/notifications", params=params), 400)
    for method, path in (("GET", "x"), ("PUT", "x"), ("DELETE", "1234")):
        assert_error_body(member.request(method, f"/api/notifications/{path}", json={}), 400)
    bad_ids: list[dict[str, Any]] = [
        {},
        {"ids": []},
        {"ids": ["x"]},
        {"ids": "x"},
        {"ids": [ids[0]] * (MAX_IDS + 1)},
    ]
    for body in bad_ids:
        assert_error_body(member.request("DELETE", "/api/notifications", json=body), 400)
    for body in [*bad_ids, {"ids": ids, "readAt": "yesterday"}, {"ids": ids, "readAt": [READ_AT]}]:
        assert_error_body(member.put("/api/notifications", json=body), 400)
    for body in ({"readAt": "x"}, {"readAt": {}}, {"readAt": "0001-01-01T00:00:00+05:00"}):
        assert_error_body(member.put(f"/api/notifications/{ids[0]}", json=body), 400)
    too_many = member.put("/api/notifications", json={"ids": [ids[0]] * (MAX_IDS + 1)})
    assert f"at most {MAX_IDS} items" in str(too_many.json()["message"])
    assert _ids(member, unread="true") == _ids(member) == ids  # nothing changed or deleted


def test_api_keys_need_the_notification_permissions(server: LiveServer) -> None:
    _owner, member, ids = _invited(server, 1)

    def key(*permissions: str) -> httpx.Client:
        resp = member.post("/api/api-keys", json={"name": "k", "permissions": list(permissions)})
        assert resp.status_code == 201, resp.text
        return httpx.Client(base_url=str(member.base_url), headers={"x-api-key": resp.json()["secret"]})

    calls: dict[str, list[tuple[str, str, dict[str, Any] | None]]] = {
        "notification.read": [
            ("GET", "/api/notifications", None),
            ("GET", f"/api/notifications/{ids[0]}", None),
        ],
        "notification.update": [
            ("PUT", "/api/notifications", {"ids": ids, "readAt": READ_AT}),
            ("PUT", f"/api/notifications/{ids[0]}", {"readAt": READ_AT}),
        ],
        "notification.delete": [
            ("DELETE", f"/api/notifications/{ids[0]}", None),
            ("DELETE", "/api/notifications", {"ids": ids}),
        ],
    }
    with key("album.read") as unrelated:
        for permission, requests in calls.items():
            for method, path, body in requests:
                resp = unrelated.request(method, path, json=body)
                assert assert_error_body(resp, 403)["message"] == f"Missing required permission: {permission}"
    with key("notification.read") as reader:
        assert reader.get("/api/notifications").status_code == 200
        assert reader.get(f"/api/notifications/{ids[0]}").status_code == 200
        assert_error_body(reader.put(f"/api/notifications/{ids[0]}", json={"readAt": READ_AT}), 403)
    with key("notification.update") as updater:
        assert updater.put(f"/api/notifications/{ids[0]}", json={"readAt": READ_AT}).status_code == 200
    with key("notification.delete") as deleter:
        assert deleter.delete(f"/api/notifications/{ids[0]}").status_code == 204
    assert _ids(member) == []
