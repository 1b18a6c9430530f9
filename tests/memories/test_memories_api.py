"""The memories API over HTTP: Immich's routes, shapes, status codes and permissions, owner only."""

from __future__ import annotations

import uuid

from filmroll.db.engine import Database
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder

MEMORY = {"type": "on_this_day", "data": {"year": 2021}, "memoryAt": "2021-06-15T00:00:00.000Z"}


def test_create_read_update_delete(server: LiveServer, db: Database) -> None:
    owner_id, _e, token = server.new_user("mem-owner")
    builder = AssetBuilder(db, seed=7)
    mine = [builder.insert(uuid.UUID(owner_id), visibility="timeline", deleted_at=None) for _ in range(3)]
    archived = builder.insert(uuid.UUID(owner_id), visibility="archive", deleted_at=None)
    with server.client(token) as c:
        created = c.post("/api/memories", json={**MEMORY, "assetIds": [str(a) for a in [*mine, archived]]})
        assert created.status_code == 201, created.text
        body = created.json()
        assert_matches("MemoryResponseDto", body)
        memory_id = body["id"]
        assert body["ownerId"] == owner_id and body["data"] == {"year": 2021} and body["isSaved"] is False
        assert body["memoryAt"] == "2021-06-15T00:00:00.000Z"
        assert "seenAt" not in body and "showAt" not in body and "deletedAt" not in body
        # Immich lists timeline assets only; the archived one stays linked but is not shown
        assert sorted(a["id"] for a in body["assets"]) == sorted(str(a) for a in mine)

        got = c.get(f"/api/memories/{memory_id}")
        assert got.status_code == 200 and got.json()["id"] == memory_id

        updated = c.put(
            f"/api/memories/{memory_id}", json={"isSaved": True, "seenAt": "2026-06-15T08:00:00+02:00"}
        )
        assert updated.status_code == 200, updated.text
        assert_matches("MemoryResponseDto", updated.json())
        assert updated.json()["isSaved"] is True
        assert updated.json()["seenAt"] == "2026-06-15T06:00:00.000Z"
        assert updated.json()["updatedAt"] > body["updatedAt"]

        listed = c.get("/api/memories")
        assert listed.status_code == 200
        assert [m["id"] for m in listed.json()] == [memory_id]
        for m in listed.json():
            assert_matches("MemoryResponseDto", m)
        assert c.get("/api/memories", params={"isSaved": "false"}).json() == []
        stats = c.get("/api/memories/statistics", params={"isSaved": "true"})
        assert stats.status_code == 200 and stats.json() == {"total": 1}
        assert_matches("MemoryStatisticsResponseDto", stats.json())

        deleted = c.delete(f"/api/memories/{memory_id}")
        assert deleted.status_code == 204
        assert_error_body(c.get(f"/api/memories/{memory_id}"), 400)
        assert c.get("/api/memories/statistics").json() == {"total": 0}


def test_search_filters_and_order(server: LiveServer) -> None:
    _id, _e, token = server.new_user("mem-search")
    with server.client(token) as c:
        ids = {}
        for year in (2019, 2021, 2020):
            resp = c.post(
                "/api/memories",
                json={
                    "type": "on_this_day",
                    "data": {"year": year},
                    "memoryAt": f"{year}-03-01T00:00:00.000Z",
                    "showAt": "2026-03-01T00:00:00.000Z",
                    "hideAt": "2026-03-01T23:59:59.999Z",
                },
            )
            assert resp.status_code == 201, resp.text
            ids[year] = resp.json()["id"]
        desc = [m["data"]["year"] for m in c.get("/api/memories").json()]
        assert desc == [2021, 2020, 2019]
        asc = [m["data"]["year"] for m in c.get("/api/memories", params={"order": "asc"}).json()]
        assert asc == [2019, 2020, 2021]
        assert len(c.get("/api/memories", params={"order": "random"}).json()) == 3
        assert [m["data"]["year"] for m in c.get("/api/memories", params={"size": 1}).json()] == [2021]
        shown = c.get("/api/memories", params={"for": "2026-03-01T12:00:00.000Z"}).json()
        assert len(shown) == 3
        assert c.get("/api/memories", params={"for": "2026-03-02T00:00:00.000Z"}).json() == []
        stats = c.get(
            "/api/memories/statistics", params={"for": "2026-03-01T12:00:00Z", "type": "on_this_day"}
        )
        assert stats.json() == {"total": 3}
        assert c.get("/api/memories", params={"isTrashed": "true"}).json() == []


def test_other_users_and_bad_input(server: LiveServer) -> None:
    _a, _e, owner = server.new_user("mem-a")
    _b, _e2, other = server.new_user("mem-b")
    with server.client(owner) as c:
        memory_id = c.post("/api/memories", json=MEMORY).json()["id"]
        for bad in (
            {**MEMORY, "type": "birthday"},
            {**MEMORY, "data": {"year": 0}},
            {**MEMORY, "data": {"year": "2020"}},
            {**MEMORY, "data": {}},
            {**MEMORY, "memoryAt": "yesterday"},
            {**MEMORY, "isSaved": None},
            {**MEMORY, "assetIds": ["not-a-uuid"]},
            {"type": "on_this_day", "data": {"year": 2020}},
        ):
            assert_error_body(c.post("/api/memories", json=bad), 400)
        assert_error_body(c.put(f"/api/memories/{memory_id}", json={"isSaved": None}), 400)
        assert_error_body(
            c.put(f"/api/memories/{memory_id}", json={"seenAt": "0001-01-01T00:00:00+05:00"}), 400
        )
        for params in ({"size": "0"}, {"order": "up"}, {"for": "soon"}, {"type": "x"}, {"isSaved": "maybe"}):
            assert_error_body(c.get("/api/memories", params=params), 400)
        assert_error_body(c.get("/api/memories/statistics", params={"for": "0001-01-01T00:00:00+05:00"}), 400)
        assert_error_body(c.get("/api/memories/not-a-uuid"), 400)
    with server.client(other) as c:
        assert c.get("/api/memories").json() == []
        refused = assert_error_body(c.get(f"/api/memories/{memory_id}"), 400)
        assert refused["message"] == "Not found or no memory.read access"
        assert_error_body(c.put(f"/api/memories/{memory_id}", json={"isSaved": True}), 400)
        assert_error_body(c.delete(f"/api/memories/{memory_id}"), 400)
        assert_error_body(c.put(f"/api/memories/{memory_id}/assets", json={"ids": []}), 400)
        assert_error_body(c.request("DELETE", f"/api/memories/{memory_id}/assets", json={"ids": []}), 400)
    with server.client() as anon:
        assert_error_body(anon.get("/api/memories"), 401)


def test_add_and_remove_assets(server: LiveServer, db: Database) -> None:
    owner_id, _e, token = server.new_user("mem-assets")
    stranger_id, _e2, _t = server.new_user("mem-stranger")
    builder = AssetBuilder(db, seed=8)
    a, b = (builder.insert(uuid.UUID(owner_id), visibility="timeline", deleted_at=None) for _ in range(2))
    locked = builder.insert(uuid.UUID(owner_id), visibility="locked", deleted_at=None)
    foreign = builder.insert(uuid.UUID(stranger_id), visibility="timeline", deleted_at=None)
    missing = uuid.uuid4()
    with server.client(token) as c:
        memory = c.post("/api/memories", json={**MEMORY, "assetIds": [str(a)]}).json()
        added = c.put(
            f"/api/memories/{memory['id']}/assets",
            json={"ids": [str(a), str(b), str(b), str(locked), str(foreign), str(missing)]},
        )
        assert added.status_code == 200, added.text
        for item in added.json():
            assert_matches("BulkIdResponseDto", item)
        assert [(r["id"], r["success"], r.get("error")) for r in added.json()] == [
            (str(a), False, "duplicate"),
            (str(b), True, None),
            (str(b), False, "duplicate"),
            (str(locked), False, "no_permission"),
            (str(foreign), False, "no_permission"),
            (str(missing), False, "no_permission"),
        ]
        after_add = c.get(f"/api/memories/{memory['id']}").json()
        assert sorted(x["id"] for x in after_add["assets"]) == sorted([str(a), str(b)])
        assert after_add["updatedAt"] > memory["updatedAt"]

        removed = c.request(
            "DELETE", f"/api/memories/{memory['id']}/assets", json={"ids": [str(a), str(missing)]}
        )
        assert removed.status_code == 200, removed.text
        assert [(r["id"], r["success"], r.get("error")) for r in removed.json()] == [
            (str(a), True, None),
            (str(missing), False, "not_found"),
        ]
        assert [x["id"] for x in c.get(f"/api/memories/{memory['id']}").json()["assets"]] == [str(b)]
        assert_error_body(c.put(f"/api/memories/{memory['id']}/assets", json={"ids": ["nope"]}), 400)


def test_api_key_permissions(server: LiveServer) -> None:
    _id, _e, token = server.new_user("mem-key")
    with server.client(token) as c:
        key = c.post("/api/api-keys", json={"name": "ro", "permissions": ["memory.read"]}).json()["secret"]
        memory_id = c.post("/api/memories", json=MEMORY).json()["id"]
    with server.client(**{"x-api-key": key}) as k:
        assert k.get("/api/memories").status_code == 200
        assert k.get(f"/api/memories/{memory_id}").status_code == 200
        denied = assert_error_body(k.post("/api/memories", json=MEMORY), 403)
        assert denied["message"] == "Missing required permission: memory.create"
        assert_error_body(k.get("/api/memories/statistics"), 403)
        assert_error_body(k.put(f"/api/memories/{memory_id}", json={"isSaved": True}), 403)
        assert_error_body(k.delete(f"/api/memories/{memory_id}"), 403)
        assert_error_body(k.put(f"/api/memories/{memory_id}/assets", json={"ids": []}), 403)
