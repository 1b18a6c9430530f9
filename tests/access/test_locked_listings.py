"""Listings that group or count assets keep locked ones out unless the owner's session is
unlocked: stacks (members and stacks led by a locked asset) and asset statistics."""

from __future__ import annotations

import httpx

from tests.access.scenario import PHOTO, upload_copy
from tests.assets.helpers import wait_for_jobs
from tests.contract import assert_error_body, assert_matches
from tests.locked.helpers import unlock
from tests.support import LiveServer


def _owner(server: LiveServer, name: str) -> httpx.Client:
    _user_id, _email, token = server.new_user(name)
    return server.client(token)


def _key(client: httpx.Client, *permissions: str) -> str:
    resp = client.post("/api/api-keys", json={"name": "k", "permissions": list(permissions)})
    assert resp.status_code == 201, resp.text
    return str(resp.json()["secret"])


def _stack_members(client: httpx.Client, stack_id: str) -> dict[str, set[str] | int]:
    """Members per stack read: the listing's (absent: no such stack listed) and the point read's."""
    listed = client.get("/api/stacks")
    assert listed.status_code == 200, listed.text
    out: dict[str, set[str] | int] = {}
    for stack in listed.json():
        assert_matches("StackResponseDto", stack)
        if stack["id"] == stack_id:
            out["list"] = {a["id"] for a in stack["assets"]}
    one = client.get(f"/api/stacks/{stack_id}")
    if one.status_code == 200:
        assert_matches("StackResponseDto", one.json())
        out["get"] = {a["id"] for a in one.json()["assets"]}
    else:
        assert_error_body(one, 400)
        out["get"] = 400
    return out


def test_stacks_show_locked_members_only_to_an_unlocked_session(server: LiveServer) -> None:
    with _owner(server, "stacker") as owner:
        first, second, third = (upload_copy(owner, PHOTO) for _ in range(3))
        wait_for_jobs(server)
        resp = owner.post("/api/stacks", json={"assetIds": [first, second, third]})
        assert resp.status_code == 201, resp.text
        stack_id = resp.json()["id"]
        assert owner.put(f"/api/assets/{second}", json={"visibility": "locked"}).status_code == 200
        key = server.client(**{"x-api-key": _key(owner, "all")})
        session = owner.post("/api/sessions", json={})
        assert session.status_code == 201, session.text
        unlocked = server.client(session.json()["token"])
        unlock(unlocked)

        visible, everything = {first, third}, {first, second, third}
        assert _stack_members(owner, stack_id) == {"list": visible, "get": visible}
        assert _stack_members(key, stack_id) == {"list": visible, "get": visible}
        assert _stack_members(unlocked, stack_id) == {"list": everything, "get": everything}
        listed = owner.get("/api/stacks", params={"primaryAssetId": first}).json()
        assert {a["id"] for a in listed[0]["assets"]} == visible

        # Only an unlocked session may make the locked member the primary; once it leads the
        # stack, the stack is out of sight of everyone else, as its primary is.
        moved = owner.put(f"/api/stacks/{stack_id}", json={"primaryAssetId": second})
        assert assert_error_body(moved, 400)["message"] == "Primary asset must be in the stack"
        assert unlocked.put(f"/api/stacks/{stack_id}", json={"primaryAssetId": second}).status_code == 200
        assert _stack_members(owner, stack_id) == {"get": 400}
        assert _stack_members(key, stack_id) == {"get": 400}
        assert owner.get("/api/stacks", params={"primaryAssetId": second}).json() == []
        assert _stack_members(unlocked, stack_id) == {"list": everything, "get": everything}
        key.close()
        unlocked.close()


def _statistics(client: httpx.Client, **params: str) -> dict[str, int] | int:
    resp = client.get("/api/assets/statistics", params=params)
    if resp.status_code != 200:
        assert_error_body(resp, resp.status_code)
        return resp.status_code
    assert_matches("AssetStatsResponseDto", resp.json())
    return dict(resp.json())


def _photos(n: int) -> dict[str, int]:
    return {"images": n, "videos": 0, "total": n}


def test_statistics_count_locked_assets_only_when_asked_in_an_unlocked_session(server: LiveServer) -> None:
    """As Immich: no `visibility` counts the timeline and archive, `isTrashed` picks trashed or
    untrashed assets; `visibility=locked` needs an unlocked session (401 otherwise)."""
    with _owner(server, "counter") as owner:
        ids = {v: upload_copy(owner, PHOTO, visibility=v) for v in ("timeline", "archive", "hidden")}
        ids["locked"], ids["trashed"] = upload_copy(owner, PHOTO), upload_copy(owner, PHOTO)
        wait_for_jobs(server)
        assert owner.put(f"/api/assets/{ids['locked']}", json={"visibility": "locked"}).status_code == 200
        assert owner.request("DELETE", "/api/assets", json={"ids": [ids["trashed"]]}).status_code == 204
        key = server.client(**{"x-api-key": _key(owner, "asset.statistics")})

        for client in (owner, key):
            assert _statistics(client) == _photos(2)
            assert _statistics(client, isTrashed="true") == _photos(1)
            assert _statistics(client, isTrashed="false") == _photos(2)
            assert _statistics(client, visibility="timeline") == _photos(1)
            assert _statistics(client, visibility="hidden") == _photos(1)
            assert _statistics(client, visibility="locked") == 401

        unlock(owner)
        assert _statistics(owner) == _photos(2)
        assert _statistics(owner, visibility="locked") == _photos(1)
        assert _statistics(key, visibility="locked") == 401
        key.close()
