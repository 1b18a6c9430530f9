"""Convergence: clients stream, apply and ack while writers mutate; replicas end equal to the server.

Each client keeps a `filmroll.client.Replica` and applies its stream the way the client's
v2 loop does (same-type runs in one transaction each, acks chosen by `acks_of`), over HTTP
with every line checked against Immich's schemas. When the writers stop and every client has pulled
once more, its replica must equal a fresh replica filled by one full stream of a new login
session (full JSON, nothing missing, extra or stale), and that fresh replica must hold
exactly the keys the database says the user can see.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.client.replica import Replica
from filmroll.client.v2 import BATCH_LINES, RESET_ACK, TYPES, acks_of
from filmroll.client.verify import compare
from filmroll.db.engine import Database
from filmroll.db.schema import album_assets, album_users, albums, assets
from filmroll.repositories import albums as album_repo
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import partners as partner_repo
from tests.replica_diff import SHOWN, describe, describe_keys, key_sets
from tests.support import LiveServer, login
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient
from tests.sync.v2.server_view import server_keys

WRITERS, OPS = 4, 120
PASSWORD = "pw-123456"
#: Deletes the writer mix must have produced in the clients' streams, or the run proved little.
DELETES = (
    "AssetDeleteV1", "PartnerAssetDeleteV1", "PartnerDeleteV1", "AlbumDeleteV1", "AlbumUserDeleteV1",
    "AlbumToAssetDeleteV1",
)  # fmt: skip


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


Item = dict[str, Any]
#: Line types whose `data.id` is an asset id.
ASSET_LINES = ("AssetV1", "PartnerAsset", "AlbumAsset")


def _batches(lines: list[Item]) -> Iterator[list[Item]]:
    """Runs of one type, at most `BATCH_LINES` long: the client's v2 batching rule."""
    batch: list[Item] = []
    for item in lines:
        if batch and (item["type"] != batch[0]["type"] or len(batch) >= BATCH_LINES):
            yield batch
            batch = []
        batch.append(item)
    if batch:
        yield batch


@dataclass
class Syncer:
    """One user's logged-in session and the replica it keeps current."""

    client: SyncClient
    email: str
    replica: Replica
    seen: Counter[str] = field(default_factory=Counter)
    #: Per asset id, the `(pull number, line type)` of every line about it, for failure reports.
    history: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    pulls: int = 0

    def pull(self) -> None:
        """Stream once and apply each batch in one transaction, then ack what the batches acked.

        The stream is read whole before anything is applied, so one ack request carrying
        each batch's acks (the newest per type) tells the server what per-batch acks would.
        """
        lines = self.client.stream(list(TYPES))
        assert lines[-1]["type"] == "SyncCompleteV1", lines[-1]
        acks: dict[str, str] = {}
        for batch in _batches(lines):
            self.replica.apply_lines(batch)
            kind = batch[0]["type"]
            for ack in [RESET_ACK] if kind == "SyncResetV1" else acks_of(batch):
                acks[ack.split("|", 1)[0]] = ack
            self.seen[kind] += len(batch)
            for item in batch:
                if asset_id := item["data"].get("assetId") or (
                    kind.startswith(ASSET_LINES) and item["data"]["id"]
                ):
                    self.history.setdefault(asset_id, []).append((self.pulls, kind))
        self.client.post_acks(list(acks.values()))
        self.pulls += 1


def _syncer(server: LiveServer, name: str) -> Syncer:
    user_id, email, token = server.new_user(name, PASSWORD)
    return Syncer(SyncClient(server.client(token), user_id), email, Replica())


def _fresh(server: LiveServer, syncer: Syncer) -> Replica:
    """A replica filled by one full stream of a new login session of the same user."""
    with server.client() as anon:
        token = login(anon, syncer.email, PASSWORD)
    fresh = Syncer(SyncClient(server.client(token), syncer.client.user_id), syncer.email, Replica())
    try:
        fresh.pull()
        assert fresh.client.http.post("/api/auth/logout").status_code == 200
    finally:
        fresh.client.http.close()
    return fresh.replica


def _asset_context(conn: Connection, me: uuid.UUID, syncer: Syncer, ids: set[str]) -> list[str]:
    """How `me` relates to each differing asset now, how the replica holds it and what it was sent."""
    held = syncer.replica
    out = []
    for asset_id in sorted(ids)[:SHOWN]:
        lines = syncer.history.get(asset_id, [])
        row = conn.execute(sa.select(assets).where(assets.c.id == uuid.UUID(asset_id))).first()
        if row is None:
            out.append(f"  {asset_id}: gone from the server\n    lines (pull, type): {lines}")
            continue
        sharing = partner_repo.get(conn, row.owner_id, me) is not None
        links = {
            a
            for (a,) in conn.execute(
                sa.select(album_assets.c.album_id).where(album_assets.c.asset_id == row.id)
            )
        }
        visible = sa.union(
            sa.select(albums.c.id).where(albums.c.owner_id == me),
            sa.select(album_users.c.album_id).where(album_users.c.user_id == me),
        )
        mine = {a for (a,) in conn.execute(visible)} & links
        flags = held.conn.execute("SELECT own, partner FROM assets WHERE id = ?", [asset_id]).fetchone()
        out.append(
            f"  {asset_id}: owner={'me' if row.owner_id == me else row.owner_id} "
            f"visibility={row.visibility} trashed={row.deleted_at is not None} sharing={sharing} "
            f"in my albums={len(mine)} (all albums {len(links)}) replica own/partner={flags}\n"
            f"    lines (pull, type): {lines}"
        )
    return out


def _check(server: LiveServer, db: Database, syncer: Syncer) -> str:
    """Why this user's replica is wrong, or empty when it is right."""
    problems = []
    me = uuid.UUID(syncer.client.user_id)
    if syncer.replica.skipped:
        problems.append(f"unknown line types: {syncer.replica.skipped}")
    with _fresh(server, syncer) as fresh:
        if diff := describe(syncer.replica, fresh):
            tables = compare(syncer.replica, fresh)
            ids = {
                k[0]
                for t in ("assets", "exif")
                for k in tables[t].missing + tables[t].extra + tables[t].stale
            }
            context = db.read_sync(partial(_asset_context, me=me, syncer=syncer, ids=ids))
            problems.append("\n".join([f"incremental replica vs a fresh full stream:\n{diff}", *context]))
        expected = db.read_sync(partial(server_keys, me=me))
        if diff := describe_keys(key_sets(fresh, expected), expected):
            problems.append(f"fresh replica vs the database:\n{diff}")
    return "\n".join(problems)


def test_replicas_converge_under_concurrent_writes(
    server: LiveServer, db: Database, builder: AssetBuilder
) -> None:
    syncers = [_syncer(server, name) for name in ("ann", "ben", "cat")]
    users = [uuid.UUID(s.client.user_id) for s in syncers]
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

    def read(syncer: Syncer) -> None:
        try:
            while not done.is_set():
                syncer.pull()
        except BaseException as exc:
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(seed,)) for seed in range(WRITERS)]
    readers = [threading.Thread(target=read, args=(s,)) for s in syncers]
    for thread in writers + readers:
        thread.start()
    for thread in writers:
        thread.join(300)
    done.set()
    for thread in readers:
        thread.join(300)
    assert not errors, errors
    try:
        for syncer in syncers:
            syncer.pull()
        report = {s.email: _check(server, db, s) for s in syncers}
        failures = "\n".join(f"{email}:\n{text}" for email, text in report.items() if text)
        if failures:
            pytest.fail("replicas did not converge\n" + failures, pytrace=False)
        seen = sum((s.seen for s in syncers), Counter[str]())
        assert not [kind for kind in DELETES if not seen[kind]], seen
    finally:
        for syncer in syncers:
            syncer.client.http.close()
            syncer.replica.close()
