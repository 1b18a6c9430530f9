"""25,000 assets: both full-sync forms return each asset exactly once; a huge limit streams."""

from __future__ import annotations

import uuid

from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v1.helpers import now_iso

COUNT = 25_000


def test_both_forms_page_through_every_asset_once(server: LiveServer, builder: AssetBuilder) -> None:
    owner, _, token = server.new_user("hoarder")
    expected = sorted(str(i) for i in builder.insert_many(uuid.UUID(owner), COUNT))
    until = now_iso()
    with server.client(token) as client:
        later: list[str] = []
        body: dict[str, object] = {"limit": 10_000, "updatedUntil": until}
        while True:
            page = client.post("/api/sync/full-sync", json=body).json()
            later += [a["id"] for a in page]
            if len(page) < 10_000:
                break
            body["lastId"] = page[-1]["id"]
        assert later == expected

        early: list[tuple[str, str]] = []
        params: dict[str, str | int] = {"limit": 10_000, "updatedUntil": until}
        while True:
            page = client.get("/api/sync/full-sync", params=params).json()
            early += [(a["fileCreatedAt"], a["id"]) for a in page]
            if len(page) < 10_000:
                break
            params |= {"lastCreationDate": page[-1]["fileCreatedAt"], "lastId": page[-1]["id"]}
        assert early == sorted(early, reverse=True)
        assert sorted(i for _, i in early) == expected

        with client.stream(
            "POST",
            "/api/sync/full-sync",
            json={"limit": 2_000_000_000, "updatedUntil": until},
            headers={"accept-encoding": "identity"},
        ) as resp:
            assert resp.status_code == 200
            chunks = [len(c) for c in resp.iter_raw()]
        assert len(chunks) > 3, "the body must arrive in pieces, not as one buffer"
        assert sum(chunks) > COUNT * 500
