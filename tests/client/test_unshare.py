"""A partner's asset that an album still showed when the partnership ended leaves the replica
with its last album link (found by the concurrent convergence test on PostgreSQL)."""

from __future__ import annotations

import uuid
from pathlib import Path

from filmroll.client.connect import connect
from filmroll.client.mirror import open_replica
from filmroll.client.v2 import sync_v2
from tests.client.helpers import User, new_user
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder


async def _sync(server: LiveServer, target: Path, user: User) -> set[tuple[str, int, int]]:
    """Sync once; the replica's assets as (id, own, partner)."""
    replica = open_replica(target)
    try:
        api = await connect(server.url, replica, user.creds)
        try:
            await sync_v2(api, replica)
        finally:
            await api.aclose()
        return {
            (str(r[0]), int(r[1]), int(r[2]))
            for r in replica.conn.execute("SELECT id, own, partner FROM assets")
        }
    finally:
        replica.close()


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
