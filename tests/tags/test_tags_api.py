"""Tags over HTTP: Immich's shapes, hierarchy, colours, asset links, access and the change clock."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from filmroll.db.engine import Database
from filmroll.db.schema import sync_clock, tag_asset_audit, tag_assets, tag_audit, tags
from tests.contract import assert_error_body, assert_matches
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import new_client


def _tag(body: Any) -> dict[str, Any]:
    assert_matches("TagResponseDto", body)
    return dict(body)


def _clock(db: Database) -> int:
    return int(db.read_sync(lambda c: c.execute(sa.select(sync_clock.c.seq)).scalar_one()))


def test_create_hierarchy_update_and_delete(server: LiveServer, db: Database) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    before = _clock(db)
    resp = alice.http.post("/api/tags", json={"name": "Travel", "color": "ff0000"})
    assert resp.status_code == 201, resp.text
    travel = _tag(resp.json())
    assert (travel["name"], travel["value"], travel["color"]) == ("Travel", "Travel", "#ff0000")
    assert "parentId" not in travel
    assert _clock(db) > before
    child = _tag(alice.http.post("/api/tags", json={"name": "Italy", "parentId": travel["id"]}).json())
    assert (child["name"], child["value"], child["parentId"]) == ("Italy", "Travel/Italy", travel["id"])
    assert "color" not in child
    duplicate = alice.http.post("/api/tags", json={"name": "Italy", "parentId": travel["id"]})
    assert assert_error_body(duplicate, 400)["message"] == "A tag with that name already exists"
    # Another user's tag is not found, for every action.
    assert bob.http.get(f"/api/tags/{travel['id']}").status_code == 400
    assert bob.http.post("/api/tags", json={"name": "x", "parentId": travel["id"]}).status_code == 400
    assert bob.http.put(f"/api/tags/{travel['id']}", json={"color": "#000"}).status_code == 400
    assert bob.http.delete(f"/api/tags/{travel['id']}").status_code == 400
    assert bob.http.get("/api/tags").json() == []

    upserted = alice.http.put("/api/tags", json={"tags": ["Travel/Italy/Rome", "Food//Pasta", "Food/Pasta"]})
    assert upserted.status_code == 200, upserted.text
    leaves = [_tag(t) for t in upserted.json()]
    assert [t["value"] for t in leaves] == ["Travel/Italy/Rome", "Food/Pasta", "Food/Pasta"]
    assert leaves[0]["parentId"] == child["id"]
    listed = [_tag(t) for t in alice.http.get("/api/tags").json()]
    assert [t["value"] for t in listed] == [
        "Food",
        "Food/Pasta",
        "Travel",
        "Travel/Italy",
        "Travel/Italy/Rome",
    ]
    food = next(t for t in listed if t["value"] == "Food")
    assert leaves[1]["parentId"] == food["id"]

    stamp = _clock(db)
    updated = _tag(alice.http.put(f"/api/tags/{child['id']}", json={"color": "#00FF00"}).json())
    assert updated["color"] == "#00FF00" and updated["updatedAt"] >= child["updatedAt"]
    assert _clock(db) > stamp
    cleared = _tag(alice.http.put(f"/api/tags/{child['id']}", json={"color": None}).json())
    assert "color" not in cleared
    assert alice.http.put(f"/api/tags/{child['id']}", json={"color": "blue"}).status_code == 400
    assert _tag(alice.http.get(f"/api/tags/{child['id']}").json())["value"] == "Travel/Italy"

    stamp = _clock(db)
    assert alice.http.delete(f"/api/tags/{travel['id']}").status_code == 204
    assert [t["value"] for t in alice.http.get("/api/tags").json()] == ["Food", "Food/Pasta"]
    assert alice.http.get(f"/api/tags/{leaves[0]['id']}").status_code == 400
    tombstones = db.read_sync(
        lambda c: c.execute(
            sa.select(tag_audit.c.tag_id, tag_audit.c.seq).where(tag_audit.c.seq > stamp)
        ).all()
    )
    assert {str(t) for t, _ in tombstones} == {travel["id"], child["id"], leaves[0]["id"]}


def test_tagging_assets(server: LiveServer, db: Database, builder: AssetBuilder) -> None:
    alice, bob = new_client(server, "alice"), new_client(server, "bob")
    mine = [builder.insert(uuid.UUID(alice.user_id)) for _ in range(3)]
    theirs = builder.insert(uuid.UUID(bob.user_id))
    tag = _tag(alice.http.post("/api/tags", json={"name": "Best"}).json())
    other = _tag(alice.http.post("/api/tags", json={"name": "Other"}).json())
    ids = [str(mine[0]), str(mine[1]), str(mine[0]), str(theirs), str(uuid.uuid4())]
    stamp = _clock(db)
    resp = alice.http.put(f"/api/tags/{tag['id']}/assets", json={"ids": ids})
    assert resp.status_code == 200, resp.text
    for item in resp.json():
        assert_matches("BulkIdResponseDto", item)
    assert [(r["success"], r.get("error")) for r in resp.json()] == [
        (True, None), (True, None), (False, "duplicate"), (False, "no_permission"), (False, "no_permission"),
    ]  # fmt: skip
    seqs = db.read_sync(
        lambda c: (
            c.execute(sa.select(tag_assets.c.update_seq).where(tag_assets.c.tag_id == uuid.UUID(tag["id"])))
            .scalars()
            .all()
        )
    )
    assert len(seqs) == 2 and min(seqs) > stamp
    again = alice.http.put(f"/api/tags/{tag['id']}/assets", json={"ids": [str(mine[0])]}).json()
    assert again == [{"id": str(mine[0]), "success": False, "error": "duplicate"}]
    # Bob can neither use Alice's tag nor tag Alice's assets with his own.
    assert bob.http.put(f"/api/tags/{tag['id']}/assets", json={"ids": [str(theirs)]}).status_code == 400
    bobs = _tag(bob.http.post("/api/tags", json={"name": "Mine"}).json())
    denied = bob.http.put(f"/api/tags/{bobs['id']}/assets", json={"ids": [str(mine[2])]}).json()
    assert denied == [{"id": str(mine[2]), "success": False, "error": "no_permission"}]

    info = alice.http.get(f"/api/assets/{mine[0]}").json()
    assert_matches("AssetResponseDto", info)
    assert [t["value"] for t in info["tags"]] == ["Best"]
    # Tags are part of asset info, not of v1 sync's AssetResponseDto (Immich's apps sync without them).
    synced = alice.http.post(
        "/api/sync/full-sync", json={"limit": 100, "updatedUntil": "2100-01-01T00:00:00.000Z"}
    )
    assert synced.status_code == 200, synced.text
    assert [a for a in synced.json() if a["id"] == str(mine[0]) and "tags" in a] == []
    assert str(mine[0]) in [a["id"] for a in synced.json()]
    assert alice.http.get(f"/api/assets/{mine[2]}").json()["tags"] == []

    bulk = alice.http.put(
        "/api/tags/assets",
        json={
            "tagIds": [tag["id"], other["id"], bobs["id"]],
            "assetIds": [str(m) for m in mine] + [str(theirs)],
        },
    )
    assert bulk.status_code == 200, bulk.text
    assert_matches("TagBulkAssetsResponseDto", bulk.json())
    assert bulk.json() == {"count": 4}  # 1 new for Best, 3 for Other; Bob's tag and asset skipped
    info = alice.http.get(f"/api/assets/{mine[0]}").json()
    assert [t["value"] for t in info["tags"]] == ["Best", "Other"]

    removed = alice.http.request(
        "DELETE", f"/api/tags/{tag['id']}/assets", json={"ids": [str(mine[0]), str(theirs)]}
    )
    assert removed.status_code == 200, removed.text
    assert removed.json() == [
        {"id": str(mine[0]), "success": True},
        {"id": str(theirs), "success": False, "error": "not_found"},
    ]
    audit = db.read_sync(lambda c: c.execute(sa.select(tag_asset_audit.c.asset_id)).scalars().all())
    assert mine[0] in [uuid.UUID(str(a)) for a in audit]
    assert [t["value"] for t in alice.http.get(f"/api/assets/{mine[0]}").json()["tags"]] == ["Other"]
    # Deleting a tag takes its links with it.
    assert alice.http.delete(f"/api/tags/{other['id']}").status_code == 204
    left = db.read_sync(
        lambda c: c.execute(sa.select(sa.func.count()).select_from(tag_assets).where(
            tag_assets.c.tag_id == uuid.UUID(other["id"])
        )).scalar_one()
    )  # fmt: skip
    assert left == 0
    assert (
        db.read_sync(
            lambda c: c.execute(sa.select(tags.c.id).where(tags.c.id == uuid.UUID(other["id"]))).first()
        )
        is None
    )


def test_bad_input_and_permissions(server: LiveServer) -> None:
    alice = new_client(server, "alice")
    for body in ({}, {"name": ""}, {"name": 5}, {"name": "x", "color": "#12"}, {"name": "x", "color": None},
                 {"name": "x", "parentId": "nope"}, {"name": "x" * 201}):  # fmt: skip
        assert_error_body(alice.http.post("/api/tags", json=body), 400)
    assert_error_body(alice.http.put("/api/tags", json={"tags": [""]}), 400)
    assert_error_body(alice.http.put("/api/tags", json={}), 400)
    assert_error_body(alice.http.put("/api/tags/assets", json={"tagIds": ["x"], "assetIds": []}), 400)
    assert_error_body(alice.http.get("/api/tags/not-a-uuid"), 400)
    assert_error_body(alice.http.get(f"/api/tags/{uuid.uuid4()}"), 400)
    missing_parent = alice.http.post("/api/tags", json={"name": "x", "parentId": str(uuid.uuid4())})
    assert assert_error_body(missing_parent, 400)["message"] == "Not found or no tag.read access"
    assert_error_body(server.client().get("/api/tags"), 401)

    key = alice.http.post("/api/api-keys", json={"name": "k", "permissions": ["tag.read"]}).json()["secret"]
    with server.client(**{"x-api-key": key}) as limited:
        assert limited.get("/api/tags").status_code == 200
        assert_error_body(limited.post("/api/tags", json={"name": "x"}), 403)
        assert_error_body(limited.put("/api/tags/assets", json={"tagIds": [], "assetIds": []}), 403)
