"""`FILMROLL_USER_DIRECTORY=related`: users see only themselves, partners and album co-members."""

from __future__ import annotations

import uuid

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v2.helpers import SyncClient, of_type
from tests.users.helpers import admin_delete, ids, new_client, user_ids


def share(owner: SyncClient, viewer: SyncClient) -> None:
    assert owner.http.post(f"/api/partners/{viewer.user_id}").status_code == 201


def album_with(owner: SyncClient, members: list[SyncClient]) -> str:
    payload = {"albumName": "Trip", "albumUsers": [{"userId": m.user_id, "role": "viewer"} for m in members]}
    resp = owner.http.post("/api/albums", json=payload)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def test_get_users_lists_only_related_users(related_server: LiveServer) -> None:
    alice, bob = new_client(related_server, "alice"), new_client(related_server, "bob")
    carol, dave = new_client(related_server, "carol"), new_client(related_server, "dave")
    assert ids(alice.http.get("/api/users").json()) == {alice.user_id}
    assert_error_body(alice.http.get(f"/api/users/{bob.user_id}"), 400)
    assert_error_body(alice.http.get(f"/api/users/{bob.user_id}/profile-image"), 400)

    share(bob, alice)  # bob shares with alice: related both ways
    album_with(carol, [alice])
    listed = alice.http.get("/api/users").json()
    for user in listed:
        assert_matches("UserResponseDto", user)
    assert ids(listed) == {alice.user_id, bob.user_id, carol.user_id}
    assert ids(bob.http.get("/api/users").json()) == {alice.user_id, bob.user_id}
    assert alice.http.get(f"/api/users/{carol.user_id}").status_code == 200
    assert_error_body(alice.http.get(f"/api/users/{dave.user_id}"), 400)
    assert_error_body(alice.http.get(f"/api/users/{uuid.uuid4()}"), 400)


def test_users_v1_sends_only_related_users(related_server: LiveServer) -> None:
    alice, bob, carol = (new_client(related_server, n) for n in ("alice", "bob", "carol"))
    assert user_ids(alice.sync(["UsersV1"])) == {alice.user_id}
    share(bob, alice)
    assert user_ids(alice.sync(["UsersV1"])) == {bob.user_id}
    assert carol.user_id not in user_ids(alice.stream(["UsersV1"]))
    assert bob.http.delete(f"/api/partners/{alice.user_id}").status_code == 204
    assert of_type(alice.sync(["UsersV1"]), "UserDeleteV1") == [{"userId": bob.user_id}]


def test_user_tied_only_by_an_album_is_deleted_when_the_tie_ends(related_server: LiveServer) -> None:
    alice, bob, carol = (new_client(related_server, n) for n in ("alice", "bob", "carol"))
    album_id = album_with(bob, [alice, carol])
    assert {bob.user_id, carol.user_id} <= user_ids(alice.sync(["UsersV1"]))
    assert bob.http.delete(f"/api/albums/{album_id}/user/{carol.user_id}").status_code == 204
    assert {"userId": carol.user_id} in of_type(alice.sync(["UsersV1"]), "UserDeleteV1")
    assert {alice.user_id, bob.user_id} <= {
        d["userId"] for d in of_type(carol.sync(["UsersV1"]), "UserDeleteV1")
    }
    share(bob, alice)
    assert bob.http.delete(f"/api/albums/{album_id}").status_code == 204
    assert {"userId": bob.user_id} not in of_type(alice.sync(["UsersV1"]), "UserDeleteV1"), "still a partner"


def test_soft_deleted_partner_is_sent_with_deleted_at(related_server: LiveServer) -> None:
    alice, bob, carol = (new_client(related_server, n) for n in ("alice", "bob", "carol"))
    share(bob, alice)
    alice.sync(["UsersV1"])
    admin_delete(related_server, carol.user_id)
    admin_delete(related_server, bob.user_id)
    lines = alice.sync(["UsersV1"])
    assert of_type(lines, "UserDeleteV1") == []
    assert user_ids(lines) == {bob.user_id}, "an unrelated user's soft delete is not named"
    assert of_type(lines, "UserV1")[0]["deletedAt"] is not None
