"""Convergence under concurrency: v1 client replicas equal a fresh full sync.

Several writer threads change assets in concurrent transactions (upload, favourite,
archive, lock, trash, restore, permanent delete, EXIF edit, partner share and unshare)
while one client per user keeps a `filmroll.client.Replica` current with the client's own
v1 sync (`filmroll.client.v1.sync_v1`) in a loop. That sync uses as its next
`updatedAfter` the time it sent its previous request, as Immich's app does. At the end
every replica must equal a fresh replica filled by `sync_v1` from scratch: nothing
missing, extra or stale.

Why this fails with a plain `now()` instead of the change clock: about a third of the
writer transactions sleep between stamping their rows and committing. With `now()` a row
stamped at t1 and committed at t2 > t1 is invisible to a delta sync sent at t in
(t1, t2); that client's next request asks for changes after t, and t1 < t, so the change
is never sent (Immich's lost updates). The clock stamps under a lock that the delta sync
waits for, so a request sent at t only answers once every change stamped at or before t
has committed, and every later change is stamped after t.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.client.http import Api
from filmroll.client.replica import Replica
from filmroll.client.v1 import sync_v1
from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import partners as partner_repo
from tests.replica_diff import describe
from tests.support import LiveServer
from tests.sync.v1.builders import AssetBuilder

SEED = 20261127
WRITERS = 4
OPS_PER_WRITER = 350
USERS = 3
MIN_DELTAS = 10
"""Each client keeps syncing until it has run at least this many delta syncs."""


@dataclass
class Client:
    """One user's v1 client: its session, the replica it keeps and what its sync runs did."""

    url: str
    token: str
    me: str
    replica: Replica = field(default_factory=Replica)
    deltas: int = 0
    """Runs answered by a delta sync."""
    changed: int = 0
    """Delta runs that upserted or deleted something."""
    full_syncs: int = 0

    async def sync(self, api: Api) -> None:
        stats = await sync_v1(api, self.replica)
        if stats.full:
            self.full_syncs += 1
        else:
            self.deltas += 1
            self.changed += int(stats.lines > 0)

    async def run(self, synced: threading.Barrier, stop: threading.Event) -> None:
        """Full sync, wait for the writers to start, delta-sync until they stop, then once more."""
        async with Api(self.url, token=self.token) as api:
            await self.sync(api)
            await asyncio.to_thread(synced.wait)
            while not stop.is_set() or self.deltas < MIN_DELTAS:
                await self.sync(api)
            await self.sync(api)  # started after every writer committed


async def _fresh(url: str, token: str) -> Replica:
    """The user's replica as a client that never synced before gets it."""
    replica = Replica()
    async with Api(url, token=token) as api:
        stats = await sync_v1(api, replica)
    assert stats.full
    return replica


class Writer:
    """Random changes to one owner's assets; some transactions commit late on purpose."""

    def __init__(
        self, db: Database, owner: uuid.UUID, rng: random.Random, share: tuple[uuid.UUID, uuid.UUID]
    ):
        self.db, self.owner, self.rng, self.share = db, owner, rng, share
        self.builder = AssetBuilder(db, seed=rng.randrange(1 << 30))
        self.ids: list[uuid.UUID] = []
        self.ops = 0

    def run(self, count: int) -> None:
        for _ in range(count):
            while True:
                try:
                    self.db.write_sync(self.step)
                    break
                except sa.exc.IntegrityError:
                    # two writers toggled the one shared partnership at once: both saw none and
                    # created it; the loser's transaction rolled back whole, so write again
                    continue
            self.ops += 1
            time.sleep(self.rng.uniform(0, 0.004))

    def step(self, conn: Connection) -> None:
        action = self._pick()
        action(conn)
        if self.rng.random() < 0.35:
            time.sleep(self.rng.uniform(0.001, 0.008))

    def _pick(self) -> Callable[[Connection], None]:
        if len(self.ids) < 5 or self.rng.random() < 0.25:
            return self._upload
        target = self.rng.choice(self.ids)
        actions: list[Callable[[Connection], None]] = [
            lambda c: self._update(c, target, {"is_favorite": self.rng.random() < 0.5}),
            lambda c: self._update(c, target, {"visibility": self.rng.choice(("archive", "timeline"))}),
            lambda c: self._update(c, target, {"visibility": self.rng.choice(("locked", "timeline"))}),
            lambda c: self._update(c, target, {"deleted_at": utcnow()}),
            lambda c: self._update(c, target, {"deleted_at": None}),
            lambda c: asset_repo.upsert_exif(c, target, {"description": f"edit {self.rng.random()}"}),
            lambda c: self._delete(c, target),
            self._toggle_share,
        ]
        return self.rng.choice(actions)

    def _upload(self, conn: Connection) -> None:
        row = asset_repo.insert(conn, self.builder.values(self.owner))
        self.ids.append(row.id)

    def _update(self, conn: Connection, target: uuid.UUID, values: dict[str, Any]) -> None:
        asset_repo.update(conn, [target], values)

    def _delete(self, conn: Connection, target: uuid.UUID) -> None:
        asset_repo.delete(conn, [target])
        self.ids.remove(target)

    def _toggle_share(self, conn: Connection) -> None:
        if self.rng.random() > 0.1:
            return
        by, with_ = self.share
        if not partner_repo.delete(conn, by, with_):
            partner_repo.create(conn, by, with_)


def _converge(server: LiveServer, db: Database) -> tuple[int, list[Client]]:
    users = [server.new_user(f"conv{i}") for i in range(USERS)]
    ids = [uuid.UUID(u[0]) for u in users]
    with server.client(users[1][2]) as http:
        assert http.post("/api/partners", json={"sharedWithId": users[0][0]}).status_code == 201
    clients = [Client(server.url, token, user_id) for user_id, _, token in users]
    rng = random.Random(SEED)
    writers = [
        Writer(db, ids[i % USERS], random.Random(rng.randrange(1 << 30)), (ids[0], ids[2]))
        for i in range(WRITERS)
    ]
    stop = threading.Event()
    errors: list[BaseException] = []

    synced = threading.Barrier(len(clients) + len(writers))

    def sync_loop(client: Client) -> None:
        try:
            asyncio.run(client.run(synced, stop))
        except BaseException as exc:
            synced.abort()
            errors.append(exc)

    def write_loop(writer: Writer) -> None:
        synced.wait()  # writers start once every client has its first full sync
        writer.run(OPS_PER_WRITER)

    readers = [threading.Thread(target=sync_loop, args=(c,)) for c in clients]
    threads = [threading.Thread(target=write_loop, args=(w,)) for w in writers]
    for thread in readers + threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    for thread in readers:
        thread.join()
    assert not errors, errors
    return sum(w.ops for w in writers), clients


def test_delta_sync_replicas_converge(server: LiveServer, db: Database) -> None:
    ops, clients = _converge(server, db)
    assert ops == WRITERS * OPS_PER_WRITER
    for client in clients:
        with client.replica as held, asyncio.run(_fresh(client.url, client.token)) as truth:
            assert held.snapshot() == truth.snapshot(), f"{client.me}:\n{describe(held, truth)}"
        assert client.deltas >= MIN_DELTAS, client
        assert client.changed > 0, client
