"""Convergence under concurrency: v1 delta-sync replicas equal a fresh full sync.

Several writer threads change assets in concurrent transactions (upload, favourite,
archive, lock, trash, restore, permanent delete, EXIF edit, partner share and unshare)
while one client per user runs delta syncs over HTTP in a loop, each using as its next
`updatedAfter` the time it sent its previous request, as Immich's app does. At the end
every replica must equal a fresh full sync: nothing missing, extra or stale.

Why this fails with a plain `now()` instead of the change clock: about a third of the
writer transactions sleep between stamping their rows and committing. With `now()` a row
stamped at t1 and committed at t2 > t1 is invisible to a delta sync sent at t in
(t1, t2); that client's next request asks for changes after t, and t1 < t, so the change
is never sent (Immich's lost updates). The clock stamps under a lock that the delta sync
waits for, so a request sent at t only answers once every change stamped at or before t
has committed, and every later change is stamped after t.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.repositories import assets as asset_repo
from filmroll.repositories import partners as partner_repo
from filmroll.sync.clock import utcnow
from filmroll.timefmt import iso
from tests.support import LiveServer
from tests.sync_v1.builders import AssetBuilder

SEED = 20261127
WRITERS = 4
OPS_PER_WRITER = 350
USERS = 3
MIN_DELTAS = 10
"""Each client keeps syncing until it has run at least this many delta syncs."""


def _stamp() -> str:
    value = iso(datetime.now(UTC).replace(tzinfo=None))
    assert value is not None
    return value


@dataclass
class Replica:
    """What an Immich v1 client keeps: its assets by id and the user ids it synced."""

    client: httpx.Client
    me: str
    assets: dict[str, dict[str, Any]] = field(default_factory=dict)
    user_ids: list[str] = field(default_factory=list)
    watermark: str = ""
    deltas: int = 0
    full_syncs: int = 0

    def full_sync(self) -> None:
        while True:
            sent = _stamp()
            partners = self.client.get("/api/partners", params={"direction": "shared-with"}).json()
            user_ids = [self.me, *(p["id"] for p in partners)]
            result: dict[str, dict[str, Any]] = {}
            for user_id in user_ids:
                page = self.client.post(
                    "/api/sync/full-sync", json={"limit": 100_000, "updatedUntil": sent, "userId": user_id}
                )
                if page.status_code == 400:
                    break  # the share ended meanwhile: start over
                assert page.status_code == 200, page.text
                result.update({a["id"]: a for a in page.json()})
            else:
                self.assets, self.user_ids, self.watermark = result, user_ids, sent
                self.full_syncs += 1
                return

    def delta_sync(self) -> None:
        sent = _stamp()
        resp = self.client.post(
            "/api/sync/delta-sync", json={"updatedAfter": self.watermark, "userIds": self.user_ids}
        )
        assert resp.status_code == 200, resp.text
        body = resp.json()
        if body["needsFullSync"]:
            self.full_sync()
            return
        for asset_id in body["deleted"]:
            self.assets.pop(asset_id, None)
        self.assets.update({a["id"]: a for a in body["upserted"]})
        self.watermark = sent
        self.deltas += 1


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
            self.db.write_sync(self.step)
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


def _converge(server: LiveServer, db: Database) -> tuple[int, list[Replica]]:
    users = [server.new_user(f"conv{i}") for i in range(USERS)]
    ids = [uuid.UUID(u[0]) for u in users]
    with server.client(users[1][2]) as client:
        assert client.post("/api/partners", json={"sharedWithId": users[0][0]}).status_code == 201
    replicas = [Replica(server.client(token), user_id) for user_id, _, token in users]
    rng = random.Random(SEED)
    writers = [
        Writer(db, ids[i % USERS], random.Random(rng.randrange(1 << 30)), (ids[0], ids[2]))
        for i in range(WRITERS)
    ]
    stop = threading.Event()
    errors: list[BaseException] = []

    synced = threading.Barrier(len(replicas) + len(writers))

    def sync_loop(replica: Replica) -> None:
        try:
            replica.full_sync()
            synced.wait()
            while not stop.is_set() or replica.deltas < MIN_DELTAS:
                replica.delta_sync()
        except BaseException as exc:
            synced.abort()
            errors.append(exc)

    def write_loop(writer: Writer) -> None:
        synced.wait()  # writers start once every client is in delta-sync mode
        writer.run(OPS_PER_WRITER)

    clients = [threading.Thread(target=sync_loop, args=(r,)) for r in replicas]
    threads = [threading.Thread(target=write_loop, args=(w,)) for w in writers]
    for thread in clients + threads:
        thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    for thread in clients:
        thread.join()
    assert not errors, errors
    for replica in replicas:
        replica.delta_sync()
    return sum(w.ops for w in writers), replicas


def test_delta_sync_replicas_converge(server: LiveServer, db: Database) -> None:
    ops, replicas = _converge(server, db)
    assert ops == WRITERS * OPS_PER_WRITER
    for replica in replicas:
        truth = Replica(replica.client, replica.me)
        truth.full_sync()
        missing = set(truth.assets) - set(replica.assets)
        extra = set(replica.assets) - set(truth.assets)
        stale = [i for i in truth.assets if i in replica.assets and replica.assets[i] != truth.assets[i]]
        assert (missing, extra, stale) == (set(), set(), []), replica.me
        replica.client.close()
