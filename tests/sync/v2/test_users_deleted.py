"""`UsersV1` and deleted users, as in Immich: a soft delete is a `UserV1` line with `deletedAt`
set (the row is still in the user table), a restore sends the user again with
`deletedAt: null`, and only the hard delete (the user audit table) is a `UserDeleteV1`."""

from __future__ import annotations

from tests.support import LiveServer
from tests.sync.v2.helpers import new_client, of_type
from tests.users.helpers import admin_delete, restore


def test_soft_delete_restore_and_hard_delete_of_a_user(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    alice.sync(["UsersV1"])

    admin_delete(server, bob.user_id)
    lines = alice.sync(["UsersV1"])
    assert [i["type"] for i in lines] == ["UserV1", "SyncCompleteV1"]
    sent = of_type(lines, "UserV1")[0]
    assert sent["id"] == bob.user_id
    assert isinstance(sent["deletedAt"], str) and sent["deletedAt"].endswith("Z")

    restore(server, bob.user_id)
    lines = alice.sync(["UsersV1"])
    assert [(u["id"], u["deletedAt"]) for u in of_type(lines, "UserV1")] == [(bob.user_id, None)]
    assert of_type(lines, "UserDeleteV1") == []

    admin_delete(server, bob.user_id)
    admin_delete(server, bob.user_id, force=True)
    lines = alice.sync(["UsersV1"])
    assert of_type(lines, "UserDeleteV1") == [{"userId": bob.user_id}]
    assert bob.user_id not in {u["id"] for u in of_type(lines, "UserV1")}


def test_a_first_sync_lists_soft_deleted_users_with_deleted_at(server: LiveServer) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    admin_delete(server, bob.user_id)
    found = {u["id"]: u["deletedAt"] for u in of_type(alice.sync(["UsersV1"]), "UserV1")}
    assert found[bob.user_id] is not None
    assert found[alice.user_id] is None
