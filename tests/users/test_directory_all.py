"""The default directory (`all`): every active user is listed and synced to every user, as in Immich."""

from __future__ import annotations

from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v2.helpers import of_type
from tests.users.helpers import admin_delete, ids, new_client, restore, user_ids


def test_get_users_lists_every_active_user(server: LiveServer) -> None:
    alice, bob, carol = new_client(server, "alice"), new_client(server, "bob"), new_client(server, "carol")
    resp = alice.http.get("/api/users")
    assert resp.status_code == 200
    for user in resp.json():
        assert_matches("UserResponseDto", user)
    assert {alice.user_id, bob.user_id, carol.user_id} <= ids(resp.json())
    found = alice.http.get(f"/api/users/{carol.user_id}")
    assert found.status_code == 200, found.text
    assert_matches("UserResponseDto", found.json())
    assert found.json()["id"] == carol.user_id

    admin_delete(server, carol.user_id)
    assert carol.user_id not in ids(alice.http.get("/api/users").json())
    assert_error_body(alice.http.get(f"/api/users/{carol.user_id}"), 400)
    restore(server, carol.user_id)
    assert carol.user_id in ids(alice.http.get("/api/users").json())


def test_users_v1_sends_every_user_and_then_only_changes(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    first = alice.sync(["UsersV1"])
    assert {alice.user_id, bob.user_id} <= user_ids(first)
    assert user_ids(alice.sync(["UsersV1"])) == set(), "nothing changed, nothing sent"

    carol = new_client(server, "carol")
    lines = alice.sync(["UsersV1"])
    assert user_ids(lines) == {carol.user_id}, "a new user is one UserV1 line on the next stream"
    assert [i["type"] for i in lines] == ["UserV1", "SyncCompleteV1"]


def test_soft_delete_resends_the_user_and_only_the_hard_delete_is_a_user_delete(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    alice.sync(["UsersV1"])
    admin_delete(server, bob.user_id)
    lines = alice.sync(["UsersV1"])
    assert of_type(lines, "UserDeleteV1") == []
    assert [u["deletedAt"] is not None for u in of_type(lines, "UserV1")] == [True]
    assert user_ids(lines) == {bob.user_id}

    restore(server, bob.user_id)
    lines = alice.sync(["UsersV1"])
    assert user_ids(lines) == {bob.user_id}
    assert of_type(lines, "UserDeleteV1") == []

    admin_delete(server, bob.user_id, force=True)
    assert of_type(alice.sync(["UsersV1"]), "UserDeleteV1") == [{"userId": bob.user_id}]


def test_a_profile_change_resends_the_user(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    alice.sync(["UsersV1"])
    bob.sync(["AuthUsersV1"])
    assert bob.http.put("/api/users/me", json={"name": "Robert"}).status_code == 200
    assert [u["name"] for u in of_type(alice.sync(["UsersV1"]), "UserV1")] == ["Robert"]
    assert [u["name"] for u in of_type(bob.sync(["AuthUsersV1"]), "AuthUserV1")] == ["Robert"]
