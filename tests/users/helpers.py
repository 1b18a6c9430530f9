"""Helpers of the user-directory tests: admin actions and the ids a response or stream names."""

from __future__ import annotations

from typing import Any

from tests.support import LiveServer
from tests.sync.v2.helpers import SyncClient, new_client, of_type

__all__ = ["SyncClient", "admin_delete", "ids", "new_client", "restore", "user_ids", "user_lines"]


def admin_delete(server: LiveServer, user_id: str, *, force: bool = False) -> None:
    with server.client(server.admin()) as admin:
        resp = admin.request("DELETE", f"/api/admin/users/{user_id}", json={"force": force})
        assert resp.status_code == 200, resp.text


def restore(server: LiveServer, user_id: str) -> None:
    with server.client(server.admin()) as admin:
        assert admin.post(f"/api/admin/users/{user_id}/restore").status_code == 200


def ids(body: list[dict[str, Any]]) -> set[str]:
    return {str(item["id"]) for item in body}


def user_ids(lines: list[dict[str, Any]]) -> set[str]:
    """Users sent as `UserV1`."""
    return {str(u["id"]) for u in of_type(lines, "UserV1")}


def user_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Lines of the `UsersV1` step: user upserts, deletes and their `SyncAckV1` closings."""
    return [i for i in lines if i["type"] in ("UserV1", "UserDeleteV1", "SyncAckV1")]
