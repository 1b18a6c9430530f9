"""Repair by difference for every kind a replica keeps: a replica corrupted in each way (a row
missing, an extra row, a stale row) for each kind is found by `verify`, and `--repair` fixes
it fetching exactly the differing rows (own and partner assets, exif and stacks, albums,
album members, album links, users)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from typer.testing import CliRunner

from filmroll.cli import app
from filmroll.client.connect import connect
from filmroll.client.mirror import open_replica, replica_path
from filmroll.client.replica import Replica, wire_hash
from filmroll.client.v2 import sync_v2
from filmroll.client.verify import VerifyReport, verify
from tests.client.helpers import PASSWORD, User, forms_settled, new_user
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder


@dataclass
class World:
    alice: User
    bob: User
    carol: User
    own: list[str] = field(default_factory=list)
    partner: list[str] = field(default_factory=list)
    own_stacks: list[str] = field(default_factory=list)
    partner_stacks: list[str] = field(default_factory=list)
    albums: list[str] = field(default_factory=list)
    shared_album: str = ""


def _post(server: LiveServer, user: User, path: str, body: dict[str, Any]) -> dict[str, Any]:
    with server.client(user.token) as http:
        resp = http.post(path, json=body)
        assert resp.status_code in (200, 201), resp.text
        return dict(resp.json())


def build(server: LiveServer, builder: AssetBuilder) -> World:
    """alice, her partner bob (sharing with her) and carol, with something of every kind."""
    world = World(new_user(server, "alice"), new_user(server, "bob"), new_user(server, "carol"))
    alice, bob = uuid.UUID(world.alice.id), uuid.UUID(world.bob.id)
    _post(server, world.bob, f"/api/partners/{world.alice.id}", {})
    world.own = [str(builder.insert(alice, exif=i < 3)) for i in range(8)]  # 3, 4: no exif
    world.partner = [str(builder.insert(bob, exif=i < 3)) for i in range(9)]
    own, theirs = [uuid.UUID(i) for i in world.own], [uuid.UUID(i) for i in world.partner]
    world.own_stacks = [str(builder.stack(alice, own[4:6])), str(builder.stack(alice, own[6:8]))]
    world.partner_stacks = [str(builder.stack(bob, theirs[4:6])), str(builder.stack(bob, theirs[6:8]))]
    for name in ("one", "two"):
        world.albums.append(str(_post(server, world.alice, "/api/albums", {"albumName": name})["id"]))
    _post(server, world.alice, "/api/albums", {"albumName": "three", "assetIds": world.own[:2]})
    shared = {
        "albumName": "bob's",
        "albumUsers": [{"userId": u.id, "role": "viewer"} for u in (world.alice, world.carol)],
        "assetIds": [world.partner[8]],
    }
    world.shared_album = str(_post(server, world.bob, "/api/albums", shared)["id"])
    forms_settled(builder.db)
    return world


def _data(conn: sqlite3.Connection, table: str, where: str, key: list[str]) -> dict[str, Any]:
    row = conn.execute(f"SELECT data FROM {table} WHERE {where}", key).fetchone()
    assert row is not None, (table, key)
    return dict(json.loads(row[0]))


def _put(
    conn: sqlite3.Connection, table: str, keys: dict[str, Any], data: dict[str, Any], **extra: Any
) -> None:
    values = {**keys, **extra, "data": orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()}
    values["hash"] = wire_hash(data)
    cols = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    conn.execute(f"INSERT OR REPLACE INTO {table} ({cols}) VALUES ({marks})", list(values.values()))


def fake() -> str:
    return str(uuid.uuid4())


def corrupt(replica: Replica, world: World) -> dict[str, tuple[str, str, str]]:
    """One missing, one extra and one stale row per kind; returns them by request type."""
    own, theirs = world.own, world.partner
    made: dict[str, tuple[str, str, str]] = {}
    with replica.transaction() as conn:
        # own and partner assets: drop one, invent one, change one
        for request_type, ids, flags in (
            ("AssetsV1", own, {"own": 1, "partner": 0}),
            ("PartnerAssetsV1", theirs, {"own": 0, "partner": 1}),
        ):
            conn.execute("DELETE FROM assets WHERE id = ?", [ids[0]])
            data = _data(conn, "assets", "id = ?", [ids[1]])
            extra = fake()
            _put(conn, "assets", {"id": extra}, {**data, "id": extra}, owner_id=data["ownerId"], **flags)
            _put(
                conn,
                "assets",
                {"id": ids[1]},
                {**data, "isFavorite": not data["isFavorite"]},
                owner_id=data["ownerId"],
                **flags,
            )
            made[request_type] = (ids[0], extra, ids[1])
        # exif: drop one, add exif to an asset that has none, change one
        for request_type, ids in (("AssetExifsV1", own), ("PartnerAssetExifsV1", theirs)):
            conn.execute("DELETE FROM exif WHERE asset_id = ?", [ids[2]])
            data = _data(conn, "exif", "asset_id = ?", [ids[1]])
            _put(conn, "exif", {"asset_id": ids[3]}, {**data, "assetId": ids[3]})
            _put(conn, "exif", {"asset_id": ids[1]}, {**data, "make": "Tampered"})
            made[request_type] = (ids[2], ids[3], ids[1])
        # stacks
        for request_type, (gone, changed) in (
            ("StacksV1", world.own_stacks),
            ("PartnerStacksV1", world.partner_stacks),
        ):
            data = _data(conn, "stacks", "id = ?", [changed])
            conn.execute("DELETE FROM stacks WHERE id = ?", [gone])
            extra = fake()
            _put(conn, "stacks", {"id": extra}, {**data, "id": extra})
            _put(conn, "stacks", {"id": changed}, {**data, "primaryAssetId": fake()})
            made[request_type] = (gone, extra, changed)
        # albums
        gone, changed = world.albums
        data = _data(conn, "albums", "id = ?", [changed])
        conn.execute("DELETE FROM albums WHERE id = ?", [gone])
        extra = fake()
        _put(conn, "albums", {"id": extra}, {**data, "id": extra})
        _put(conn, "albums", {"id": changed}, {**data, "name": "renamed here"})
        made["AlbumsV1"] = (gone, extra, changed)
        # album members and links, keyed albumId:otherId
        album = world.shared_album
        conn.execute("DELETE FROM album_users WHERE album_id = ? AND user_id = ?", [album, world.carol.id])
        data = _data(conn, "album_users", "album_id = ? AND user_id = ?", [album, world.alice.id])
        extra = fake()
        _put(conn, "album_users", {"album_id": album, "user_id": extra}, {**data, "userId": extra})
        _put(conn, "album_users", {"album_id": album, "user_id": world.alice.id}, {**data, "role": "editor"})
        made["AlbumUsersV1"] = (f"{album}:{world.carol.id}", f"{album}:{extra}", f"{album}:{world.alice.id}")
        three = conn.execute("SELECT album_id FROM album_assets WHERE asset_id = ?", [own[0]]).fetchone()[0]
        conn.execute("DELETE FROM album_assets WHERE album_id = ? AND asset_id = ?", [three, own[0]])
        link = {"albumId": three, "assetId": own[1]}
        _put(conn, "album_assets", {"album_id": three, "asset_id": own[2]}, {**link, "assetId": own[2]})
        _put(conn, "album_assets", {"album_id": three, "asset_id": own[1]}, {**link, "note": "tampered"})
        made["AlbumToAssetsV1"] = (f"{three}:{own[0]}", f"{three}:{own[2]}", f"{three}:{own[1]}")
        # users
        data = _data(conn, "users", "id = ?", [world.bob.id])
        conn.execute("DELETE FROM users WHERE id = ?", [world.carol.id])
        extra = fake()
        _put(conn, "users", {"id": extra}, {**data, "id": extra})
        _put(conn, "users", {"id": world.bob.id}, {**data, "name": "Robert?"})
        made["UsersV1"] = (world.carol.id, extra, world.bob.id)
    return made


async def _verify(server: LiveServer, target: Path, user: User, *, repair: bool) -> VerifyReport:
    replica = open_replica(target)
    try:
        api = await connect(server.url, replica, user.creds)
        try:
            if replica.get("mode") is None:
                await sync_v2(api, replica)
            return await verify(api, replica, repair_rows=repair)
        finally:
            await api.aclose()
    finally:
        replica.close()


TABLE = {
    "AssetsV1": "assets", "PartnerAssetsV1": "assets", "AssetExifsV1": "exif", "PartnerAssetExifsV1": "exif",
    "StacksV1": "stacks", "PartnerStacksV1": "stacks", "AlbumsV1": "albums", "AlbumUsersV1": "album_users",
    "AlbumToAssetsV1": "album_assets", "UsersV1": "users",
}  # fmt: skip


def _table_key(request_type: str, key: str) -> tuple[str, ...]:
    return tuple(key.split(":")) if TABLE[request_type].startswith("album_") else (key,)


async def test_every_kind_is_found_and_repaired_by_difference(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    world = build(server, builder)
    assert (await _verify(server, tmp_path, world.alice, repair=False)).clean
    with Replica(replica_path(tmp_path)) as replica:
        made = corrupt(replica, world)

    found = await _verify(server, tmp_path, world.alice, repair=False)
    assert not found.clean
    for request_type, (missing, extra, stale) in made.items():
        diff = found.tables[TABLE[request_type]]
        assert _table_key(request_type, missing) in diff.missing, request_type
        assert _table_key(request_type, extra) in diff.extra, request_type
        assert _table_key(request_type, stale) in diff.stale, request_type

    fixed = await _verify(server, tmp_path, world.alice, repair=True)
    done = fixed.repaired
    assert done is not None
    for request_type, (missing, extra, stale) in made.items():
        seen = done.found[request_type]
        assert (seen.missing, seen.extra, seen.stale) == ([missing], [extra], [stale]), request_type
    assert done.fetched == 2 * len(made), "only the missing and stale rows are fetched"
    assert done.deleted == len(made)
    assert fixed.copied == 0 and fixed.repaired_clean
    again = await _verify(server, tmp_path, world.alice, repair=False)
    assert again.clean, {t: d for t, d in again.tables.items() if not d.clean}


def test_verify_repair_on_the_command_line(server: LiveServer, builder: AssetBuilder, tmp_path: Path) -> None:
    user = new_user(server, "cli")
    ids = [str(builder.insert(uuid.UUID(user.id), exif=True)) for _ in range(3)]
    forms_settled(builder.db)
    creds = ["--email", user.email, "--password", PASSWORD]
    assert CliRunner().invoke(app, ["mirror", server.url, str(tmp_path), *creds]).exit_code == 0
    with Replica(replica_path(tmp_path)) as replica, replica.transaction() as conn:
        conn.execute("DELETE FROM exif WHERE asset_id = ?", [ids[0]])
        # the caller's own user has no digest: the check's small stream finds it
        conn.execute("UPDATE auth_user SET data = '{}' WHERE id = ?", [user.id])
    result = CliRunner().invoke(app, ["mirror", "verify", server.url, str(tmp_path), *creds])
    assert result.exit_code == 1, result.output
    assert "compared by digests" in result.output
    assert "exif: 1 missing, 0 extra, 0 stale" in result.output
    assert "auth_user: 0 missing, 0 extra, 1 stale" in result.output
    result = CliRunner().invoke(app, ["mirror", "verify", server.url, str(tmp_path), *creds, "--repair"])
    assert result.exit_code == 0, result.output
    assert "repaired by difference (1 rows fetched, 0 deleted, 1 copied from the check)" in result.output
    assert "replica now matches the server" in result.output
    result = CliRunner().invoke(app, ["mirror", "verify", server.url, str(tmp_path), *creds])
    assert result.exit_code == 0 and "replica is in sync" in result.output, result.output


def test_full_verify_finds_rows_edited_with_their_hash_kept(
    server: LiveServer, builder: AssetBuilder, tmp_path: Path
) -> None:
    """Digests trust the hash a row was stored with; `--full` compares every row's data."""
    user = new_user(server, "edited")
    builder.insert(uuid.UUID(user.id), exif=True)
    forms_settled(builder.db)
    creds = ["--email", user.email, "--password", PASSWORD]
    assert CliRunner().invoke(app, ["mirror", server.url, str(tmp_path), *creds]).exit_code == 0
    with Replica(replica_path(tmp_path)) as replica, replica.transaction() as conn:
        conn.execute("UPDATE users SET data = '{}' WHERE id = ?", [user.id])
    result = CliRunner().invoke(app, ["mirror", "verify", server.url, str(tmp_path), *creds])
    assert result.exit_code == 0 and "replica is in sync" in result.output, result.output
    full = ["mirror", "verify", server.url, str(tmp_path), *creds, "--full"]
    result = CliRunner().invoke(app, full)
    assert result.exit_code == 1, result.output
    assert "compared with a fresh sync v2 copy" in result.output
    assert "users: 0 missing, 0 extra, 1 stale" in result.output
    result = CliRunner().invoke(app, [*full, "--repair"])
    assert result.exit_code == 0, result.output
    assert "repaired by difference (0 rows fetched, 0 deleted, 1 copied from the check)" in result.output
    assert CliRunner().invoke(app, full).exit_code == 0
