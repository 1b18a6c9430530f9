"""Which linked assets a memory shows, by owner and state, in the API and in sync: written out
by hand. A memory shows what its owner may share (own assets that are not locked, a live
partner's timeline assets that are not trashed); the API, like Immich, lists only timeline
assets that are not trashed, while sync keeps the owner's archived, hidden and trashed assets
(the app filters them itself). A link that stops being shown is a `MemoryToAssetDeleteV1`."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from filmroll.db.engine import Database
from tests.memories.helpers import share, stream
from tests.support import LiveServer, login
from tests.sync.v1.builders import AssetBuilder

TYPES = ["MemoriesV1", "MemoryToAssetsV1"]

# (case, owner of the asset, change after linking, shown by the API, kept by sync)
CASES: list[tuple[str, str, dict[str, Any] | str, bool, bool]] = [
    ("own timeline", "own", {}, True, True),
    ("own archived", "own", {"visibility": "archive"}, False, True),
    ("own hidden", "own", {"visibility": "hidden"}, False, True),
    ("own locked", "own", {"visibility": "locked"}, False, False),
    ("own trashed", "own", {"deleted_at": datetime(2026, 1, 1)}, False, True),
    ("own deleted for good", "own", "delete", False, False),
    ("partner timeline", "partner", {}, True, True),
    ("partner archived", "partner", {"visibility": "archive"}, False, False),
    ("partner hidden", "partner", {"visibility": "hidden"}, False, False),
    ("partner locked", "partner", {"visibility": "locked"}, False, False),
    ("partner trashed", "partner", {"deleted_at": datetime(2026, 1, 1)}, False, False),
    ("partner deleted for good", "partner", "delete", False, False),
    ("removed partner", "gone", {}, False, False),
]


def _apply(replica: set[tuple[str, str]], lines: list[dict[str, Any]]) -> None:
    for item in lines:
        key = (item["data"].get("memoryId"), item["data"].get("assetId"))
        if item["type"] == "MemoryToAssetV1":
            replica.add(key)
        elif item["type"] == "MemoryToAssetDeleteV1":
            replica.discard(key)


def test_memory_access_table(server: LiveServer, db: Database) -> None:
    owner_id, email, token = server.new_user("mx-owner", password="mx-pw-123")
    partner_id, _e, partner_token = server.new_user("mx-partner")
    gone_id, _e2, gone_token = server.new_user("mx-gone")
    b = AssetBuilder(db, seed=31)
    users = {"own": owner_id, "partner": partner_id, "gone": gone_id}
    for sharer in (partner_token, gone_token):
        with server.client(sharer) as p:
            share(p, owner_id)
    memory_of: dict[str, str] = {}
    asset_of: dict[str, uuid.UUID] = {}
    before: set[tuple[str, str]] = set()
    with server.client(token) as c:
        for case, whose, _change, _api, _sync in CASES:
            asset = b.insert(uuid.UUID(users[whose]), visibility="timeline", deleted_at=None)
            body = {"type": "on_this_day", "data": {"year": 2000}, "memoryAt": "2000-01-01T00:00:00Z"}
            created = c.post("/api/memories", json={**body, "assetIds": [str(asset)]}).json()
            assert [a["id"] for a in created["assets"]] == [str(asset)], case
            memory_of[case], asset_of[case] = created["id"], asset
        _apply(before, stream(c, TYPES))
        assert before == {(memory_of[k], str(asset_of[k])) for k, *_ in CASES}, "every link starts shown"

        for case, _whose, change, _api, _sync in CASES:
            if change == "delete":
                b.delete([asset_of[case]])
            elif isinstance(change, dict) and change:
                b.update([asset_of[case]], **change)
        with server.client(server.admin()) as admin:
            assert admin.delete(f"/api/admin/users/{gone_id}").status_code == 200

        for case, _whose, _change, api, _sync in CASES:
            shown = [a["id"] for a in c.get(f"/api/memories/{memory_of[case]}").json()["assets"]]
            assert shown == ([str(asset_of[case])] if api else []), case

        expected = {(memory_of[k], str(asset_of[k])) for k, _w, _c, _a, kept in CASES if kept}
        _apply(before, stream(c, TYPES))
        assert before == expected, "an app that synced before the changes converges"
    with server.client() as anon:
        fresh_token = login(anon, email, "mx-pw-123")
    with server.client(fresh_token) as fresh:
        replica: set[tuple[str, str]] = set()
        _apply(replica, stream(fresh, TYPES))
        assert replica == expected, "a new app gets only what is shown"
