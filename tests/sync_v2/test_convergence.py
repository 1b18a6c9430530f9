"""Convergence: clients stream, apply and ack while writers mutate; replicas end equal to the server."""

from __future__ import annotations

import random
import threading
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.db.schema import album_users, albums, assets
from filmroll.repositories import albums as album_repo
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import partners as partner_repo
from tests.support import LiveServer
from tests.sync_v1.builders import AssetBuilder
from tests.sync_v2.helpers import ALL_TYPES, SyncClient, new_client
from tests.sync_v2.replica import Replica, server_view

WRITERS, OPS = 4, 120


class Mutations:
    """Random writes through the repository write path, one transaction each."""

    def __init__(self, builder: AssetBuilder, users: list[uuid.UUID], seed: int) -> None:
        self.builder, self.users, self.rng = builder, users, random.Random(seed)

    def step(self, conn: Connection) -> None:
        rng = self.rng
        me = rng.choice(self.users)
        owned = [r.id for r in conn.execute(sa.select(assets.c.id).where(assets.c.owner_id == me))]
        my_albums = [r.id for r in conn.execute(sa.select(albums.c.id).where(albums.c.owner_id == me))]
        op = rng.randrange(10)
        if op <= 1 or not owned:
            row = asset_repo.insert(conn, self.builder.values(me))
            if rng.random() < 0.5:
                asset_repo.upsert_exif(conn, row.id, self.builder.exif_values())
        elif op == 2:
            visibility = rng.choice(("timeline", "archive", "hidden", "locked"))
            trashed = self.builder.values(me)["file_created_at"]
            values: dict[str, Any] = rng.choice(
                [
                    {"is_favorite": rng.random() < 0.5},
                    {"visibility": visibility},
                    {"deleted_at": None},
                    {"deleted_at": trashed},
                ]
            )
            asset_repo.update(conn, [rng.choice(owned)], values)
        elif op == 3:
            asset_repo.delete(conn, [rng.choice(owned)])
        elif op == 4:
            other = rng.choice([u for u in self.users if u != me])
            if partner_repo.get(conn, me, other) is None:
                partner_repo.create(conn, me, other)
            else:
                partner_repo.delete(conn, me, other)
        elif op == 5 or not my_albums:
            album = album_repo.insert(conn, me, {"name": f"album {rng.randrange(1000)}"})
            album_repo.add_assets(conn, album.id, rng.sample(owned, min(2, len(owned))))
        else:
            self._album_step(conn, me, rng.choice(my_albums), owned, op)

    def _album_step(
        self, conn: Connection, me: uuid.UUID, album_id: uuid.UUID, owned: list[uuid.UUID], op: int
    ) -> None:
        rng = self.rng
        members = {
            r.user_id
            for r in conn.execute(sa.select(album_users.c.user_id).where(album_users.c.album_id == album_id))
        }
        outsiders = [u for u in self.users if u != me and u not in members]
        present = album_repo.asset_ids_in(conn, album_id, owned)
        if op == 6 and outsiders:
            album_repo.add_members(
                conn, album_id, [(rng.choice(outsiders), rng.choice(("editor", "viewer")))]
            )
        elif op == 7 and members:
            album_repo.remove_member(conn, album_id, rng.choice(sorted(members)))
        elif op == 8:
            missing = [a for a in owned if a not in present]
            if missing:
                album_repo.add_assets(conn, album_id, [rng.choice(missing)])
            elif present:
                album_repo.remove_assets(conn, album_id, [rng.choice(sorted(present))])
        elif rng.random() < 0.3:
            album_repo.delete(conn, album_id)
        else:
            album_repo.update(conn, album_id, {"name": f"renamed {rng.randrange(1000)}"})


def _differences(held: dict[str, dict[Any, Any]], expected: dict[str, dict[Any, Any]]) -> dict[str, Any]:
    """Per family: rows missing from the replica, extra in it, or stale."""
    found: dict[str, Any] = {}
    for family, rows in expected.items():
        mine = held[family]
        missing = {k: v for k, v in rows.items() if k not in mine}
        extra = {k: v for k, v in mine.items() if k not in rows}
        stale = {k: (mine[k], v) for k, v in rows.items() if k in mine and mine[k] != v}
        if missing or extra or stale:
            found[family] = {"missing": missing, "extra": extra, "stale": stale}
    return found


def _pull(client: SyncClient, replica: Replica) -> None:
    lines = client.stream(ALL_TYPES)
    assert lines[-1]["type"] == "SyncCompleteV1"
    for item in lines:
        replica.apply(item)
    client.ack(lines)


def test_replicas_converge_under_concurrent_writes(
    server: LiveServer, db: Database, builder: AssetBuilder
) -> None:
    clients = [new_client(server, name) for name in ("ann", "ben", "cat")]
    users = [uuid.UUID(c.user_id) for c in clients]
    replicas = [Replica() for _ in clients]
    done = threading.Event()
    errors: list[BaseException] = []

    def write(seed: int) -> None:
        mutations = Mutations(AssetBuilder(db, seed=seed), users, seed)
        try:
            for _ in range(OPS):
                try:
                    db.write_sync(mutations.step)
                except sa.exc.IntegrityError:
                    continue  # a concurrent writer removed what this one picked; rolled back
        except BaseException as exc:
            errors.append(exc)

    def read(client: SyncClient, replica: Replica) -> None:
        try:
            while not done.is_set():
                _pull(client, replica)
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(WRITERS)]
    readers = [threading.Thread(target=read, args=pair) for pair in zip(clients, replicas, strict=True)]
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join(300)
    done.set()
    for thread in readers:
        thread.join(300)
    assert not errors, errors
    for client, replica, user in zip(clients, replicas, users, strict=True):
        _pull(client, replica)
        expected = db.read_sync(lambda c, u=user: server_view(c, u))  # type: ignore[misc]
        assert _differences(replica.view(), expected) == {}, client.user_id
