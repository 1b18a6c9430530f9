"""A partner's asset that an album still showed when the partnership ended leaves the replica
with its last album link (found by the concurrent convergence test on PostgreSQL)."""

from __future__ import annotations

import uuid
from pathlib import Path

from filmroll.client.mirror import open_replica
from tests.client.helpers import User, new_user, sync_once
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder


async def _sync(server: LiveServer, target: Path, user: User) -> set[tuple[str, int, int]]:
    """Sync once; the replica's assets as (id, own, partner)."""
    await sync_once(server, target, user)
    with open_replica(target) as replica:
        rows = replica.conn.execute("SELECT id, own, partner FROM assets")
        return {(str(r[0]), int(r[1]), int(r[2])) for r in rows}


async def test_an_unshared_asset_goes_with_its_last_album_link(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    alice, bob = new_user(server, "alice"), new_user(server, "bob")
    shown, plain = (str(builder.insert(uuid.UUID(bob.id))) for _ in range(2))
    with server.client(bob.token) as http:
        assert http.post(f"/api/partners/{alice.id}").status_code == 201
        members = [{"userId": alice.id, "role": "viewer"}]
        made = http.post(
            "/api/albums", json={"albumName": "trip", "assetIds": [shown], "albumUsers": members}
        )
        assert made.status_code == 201, made.text
        album = made.json()["id"]
    assert await _sync(server, tmp_path, alice) == {(shown, 0, 1), (plain, 0, 1)}
    with server.client(bob.token) as http:
        assert http.delete(f"/api/partners/{alice.id}").status_code == 204
    # the album still shows one asset: it stays, as an album asset only
    assert await _sync(server, tmp_path, alice) == {(shown, 0, 0)}
    with server.client(bob.token) as http:
        gone = http.request("DELETE", f"/api/albums/{album}/assets", json={"ids": [shown]})
        assert gone.status_code == 200, gone.text
    assert await _sync(server, tmp_path, alice) == set()
