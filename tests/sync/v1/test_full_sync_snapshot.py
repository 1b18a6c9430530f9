"""Full sync reads every page from one snapshot: an asset committed before the request is in
the answer even when a background job re-stamps it while the sync is being read."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy.engine import Connection, Row

from filmroll.sync.v1 import queries as v1_repo
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v1.helpers import full_sync, now_iso


@pytest.mark.parametrize("early", [False, True])
def test_asset_restamped_before_the_first_page_is_still_sent(
    server: LiveServer, builder: AssetBuilder, monkeypatch: pytest.MonkeyPatch, early: bool
) -> None:
    user, _, token = server.new_user("restamped")
    oid = uuid.UUID(user)
    asset = builder.insert(oid)
    other = builder.insert(oid)
    until = now_iso()
    name = "by_creation_page" if early else "by_id_page"
    original = getattr(v1_repo, name)
    armed = [True]

    def restamp_then_read(conn: Connection, owner_id: uuid.UUID, *args: Any) -> Sequence[Row[Any]]:
        if armed[0] and owner_id == oid:
            armed[0] = False
            builder.update([asset], is_favorite=True)  # as a metadata job would, after `until`
        rows: Sequence[Row[Any]] = original(conn, owner_id, *args)
        return rows

    monkeypatch.setattr(v1_repo, name, restamp_then_read)
    with server.client(token) as client:
        if early:
            resp = client.get("/api/sync/full-sync", params={"limit": 1000, "updatedUntil": until})
            assert resp.status_code == 200, resp.text
            body = resp.json()
        else:
            body = full_sync(client, updatedUntil=until)
    assert not armed[0]
    assert {a["id"] for a in body} == {str(asset), str(other)}
    assert next(a for a in body if a["id"] == str(asset))["isFavorite"] is False
