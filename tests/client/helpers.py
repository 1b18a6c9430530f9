"""Helpers for the client tests: users, real uploads, running the mirror in-process."""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from filmroll.client.connect import Credentials, connect
from filmroll.client.http import Api
from filmroll.client.mirror import Mirror, MirrorOptions, MirrorReport, open_replica
from filmroll.client.replica import Replica
from filmroll.client.v2 import sync_v2
from filmroll.client.verify import VerifyReport, verify
from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.sync.forms import queries as form_queries
from tests.assets.helpers import MANIFEST, PHOTOS, upload, wait_for_jobs
from tests.support import LiveServer

PASSWORD = "pw-123456"
#: Small real JPEGs with distinct content, so uploads of one user never collide.
SMALL = [PHOTOS / m["path"] for m in MANIFEST if m["type"] == "JPEG" and m["bytes"] < 70_000]


@dataclass
class User:
    id: str
    email: str
    token: str

    @property
    def creds(self) -> Credentials:
        return Credentials(email=self.email, password=PASSWORD)


def new_user(server: LiveServer, name: str) -> User:
    user_id, email, token = server.new_user(name, PASSWORD)
    return User(user_id, email, token)


def upload_photos(server: LiveServer, user: User, paths: list[Path]) -> list[str]:
    ids = []
    with server.client(user.token) as http:
        for path in paths:
            resp = upload(http, path)
            assert resp.status_code == 201, resp.text
            ids.append(str(resp.json()["id"]))
    wait_for_jobs(server)
    return ids


async def mirror(
    server: LiveServer, target: Path, creds: Credentials, *, url: str | None = None, **options: Any
) -> tuple[MirrorReport, Replica]:
    """Run one mirror (against `url`, e.g. a proxy, when given) and reopen its replica for
    inspection (the caller closes it)."""
    replica = open_replica(target)
    try:
        api = await connect(url or server.url, replica, creds)
        try:
            report = await Mirror(api, replica, target, MirrorOptions(**options)).run()
        finally:
            await api.aclose()
    finally:
        replica.close()
    return report, open_replica(target)


async def check(server: LiveServer, target: Path, creds: Credentials) -> VerifyReport:
    replica = open_replica(target)
    try:
        api = await connect(server.url, replica, creds)
        try:
            return await verify(api, replica, target)
        finally:
            await api.aclose()
    finally:
        replica.close()


def sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def files_of(target: Path) -> set[str]:
    """Mirrored files, relative to the target (state and trash folders excluded)."""
    return {
        str(p.relative_to(target))
        for p in target.rglob("*")
        if p.is_file() and p.relative_to(target).parts[0] not in (".filmroll", ".trash")
    }


def asset_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)


def forms_settled(db: Database, timeout: float = 30.0) -> None:
    """Wait until the server's background renderer has stored the wire forms of every change
    so far. Digests read stored hashes and hash the other rows in a second query; on
    PostgreSQL a row rendered between the two is missed by both, so tests that compare
    digests right after writing straight to the database wait for the renderer first."""
    deadline = time.monotonic() + timeout
    while True:

        def caught_up(conn: Connection) -> bool:
            upper = clock.current(conn)
            return all(form_queries.cursor(conn, ft) >= upper for ft in form_queries.TABLES)

        if db.read_sync(caught_up):
            return
        if time.monotonic() > deadline:
            raise TimeoutError("the wire form renderer did not catch up")
        time.sleep(0.05)


async def sync_once(server: LiveServer, target: Path, user: User) -> None:
    """One v2 sync of the replica in `target` as `user`."""
    replica = open_replica(target)
    try:
        api = await connect(server.url, replica, user.creds)
        try:
            await sync_v2(api, replica)
        finally:
            await api.aclose()
    finally:
        replica.close()


async def reset(api: Api) -> None:
    """Make the server answer the session's next stream with `SyncResetV1`."""
    current = next(s for s in await api.call("GET", "/sessions", "sessions") if s["current"])
    await api.call("PUT", f"/sessions/{current['id']}", "reset", json={"isPendingSyncReset": True})


async def assert_equals_fresh_copy(server: LiveServer, user: User, replica: Replica, target: Path) -> None:
    """The replica holds exactly what a first full sync into an empty one (in `target`) gets."""
    await sync_once(server, target, user)
    fresh = open_replica(target)
    try:
        assert replica.snapshot() == fresh.snapshot()
    finally:
        fresh.close()
