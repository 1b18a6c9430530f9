"""`MemoriesV1` and `MemoryToAssetsV1` over real HTTP: the owner's memories only, every change
and delete, links that follow what the owner may see, and resumable acks."""

from __future__ import annotations

import uuid
from typing import Any

from filmroll.db.clock import uuid_to_seq
from filmroll.db.engine import Database
from tests.memories.helpers import data_of, share, stream, unshare
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder

TYPES = ["MemoriesV1", "MemoryToAssetsV1"]


def _links(lines: list[dict[str, Any]], entity: str) -> list[tuple[str, str]]:
    return [(str(d["memoryId"]), str(d["assetId"])) for d in data_of(lines, entity)]


def test_memory_lines_follow_every_change(server: LiveServer, db: Database) -> None:
    owner_id, _e, token = server.new_user("ms-owner")
    partner_id, _e2, partner_token = server.new_user("ms-partner")
    _s, _e3, stranger_token = server.new_user("ms-stranger")
    b = AssetBuilder(db, seed=21)
    own = [b.insert(uuid.UUID(owner_id), visibility="timeline", deleted_at=None) for _ in range(3)]
    theirs = b.insert(uuid.UUID(partner_id), visibility="timeline", deleted_at=None)
    with server.client(partner_token) as p:
        share(p, owner_id)
    with server.client(token) as c, server.client(stranger_token) as s:
        created = c.post(
            "/api/memories",
            json={
                "type": "on_this_day",
                "data": {"year": 2020},
                "memoryAt": "2020-06-15T00:00:00.000Z",
                "assetIds": [str(a) for a in [*own, theirs]],
            },
        )
        memory_id = created.json()["id"]
        first = stream(c, TYPES)
        assert [d["id"] for d in data_of(first, "MemoryV1")] == [memory_id]
        memory = data_of(first, "MemoryV1")[0]
        assert memory["data"] == {"year": 2020} and memory["ownerId"] == owner_id and memory["seenAt"] is None
        assert sorted(_links(first, "MemoryToAssetV1")) == sorted((memory_id, str(a)) for a in [*own, theirs])
        assert first[-1]["type"] == "SyncCompleteV1"
        assert stream(s, TYPES)[:-1] == [], "nobody else is sent the memory"
        assert stream(c, TYPES)[:-1] == [], "nothing new after acking"

        c.put(f"/api/memories/{memory_id}", json={"seenAt": "2026-06-15T09:00:00.000Z", "isSaved": True})
        seen = stream(c, TYPES)
        assert [(d["seenAt"], d["isSaved"]) for d in data_of(seen, "MemoryV1")] == [
            ("2026-06-15T09:00:00.000Z", True)
        ]
        assert _links(seen, "MemoryToAssetV1") == []

        c.request("DELETE", f"/api/memories/{memory_id}/assets", json={"ids": [str(own[0])]})
        removed = stream(c, TYPES)
        assert _links(removed, "MemoryToAssetDeleteV1") == [(memory_id, str(own[0]))]
        assert len(data_of(removed, "MemoryV1")) == 1, "the memory's updatedAt moves"

        b.update([own[1]], visibility="locked")
        locked = stream(c, TYPES)
        assert _links(locked, "MemoryToAssetDeleteV1") == [(memory_id, str(own[1]))]
        b.update([own[1]], visibility="timeline")
        assert _links(stream(c, TYPES), "MemoryToAssetV1") == [(memory_id, str(own[1]))]

        b.update([theirs], visibility="archive")
        assert _links(stream(c, TYPES), "MemoryToAssetDeleteV1") == [(memory_id, str(theirs))]
        b.update([theirs], visibility="timeline")
        assert _links(stream(c, TYPES), "MemoryToAssetV1") == [(memory_id, str(theirs))]

        with server.client(partner_token) as p:
            unshare(p, owner_id)
        assert _links(stream(c, TYPES), "MemoryToAssetDeleteV1") == [(memory_id, str(theirs))]
        with server.client(partner_token) as p:
            share(p, owner_id)
        assert _links(stream(c, TYPES), "MemoryToAssetV1") == [(memory_id, str(theirs))]

        b.delete([own[2]])
        gone = stream(c, TYPES)
        assert _links(gone, "MemoryToAssetDeleteV1") == [(memory_id, str(own[2]))]
        assert _links(gone, "MemoryToAssetV1") == []
        assert stream(c, TYPES)[:-1] == []

        assert c.delete(f"/api/memories/{memory_id}").status_code == 204
        deleted = stream(c, TYPES)
        assert data_of(deleted, "MemoryDeleteV1") == [{"memoryId": memory_id}]
        assert _links(deleted, "MemoryToAssetDeleteV1") == [], "links go with their memory"


def test_one_change_for_many_links_resumes(server: LiveServer, db: Database) -> None:
    """A partner who stops sharing takes several links at one change: every line but the last
    acks just below it, so a client that stops half-way gets the rest next time."""
    owner_id, _e, token = server.new_user("ms-resume")
    partner_id, _e2, partner_token = server.new_user("ms-resume-partner")
    b = AssetBuilder(db, seed=22)
    theirs = [b.insert(uuid.UUID(partner_id), visibility="timeline", deleted_at=None) for _ in range(3)]
    with server.client(partner_token) as p:
        share(p, owner_id)
    with server.client(token) as c:
        memory_id = c.post(
            "/api/memories",
            json={
                "type": "on_this_day",
                "data": {"year": 2019},
                "memoryAt": "2019-01-01T00:00:00Z",
                "assetIds": [str(a) for a in theirs],
            },
        ).json()["id"]
        stream(c, TYPES)
        with server.client(partner_token) as p:
            unshare(p, owner_id)
        lines = [x for x in stream(c, TYPES, ack=False) if x["type"] == "MemoryToAssetDeleteV1"]
        assert sorted(_links(lines, "MemoryToAssetDeleteV1")) == sorted((memory_id, str(a)) for a in theirs)
        seqs = [uuid_to_seq(x["ack"].split("|")[1]) for x in lines]
        assert seqs[0] == seqs[1] == seqs[2] - 1, "all but the last line ack just below their change"
        # the client acks only the first line, then syncs again: all three come back
        assert c.post("/api/sync/ack", json={"acks": [lines[0]["ack"]]}).status_code == 204
        again = stream(c, TYPES)
        assert sorted(_links(again, "MemoryToAssetDeleteV1")) == sorted((memory_id, str(a)) for a in theirs)
        assert stream(c, TYPES)[:-1] == []
