"""A stream holds every row committed before the request began, even one that a background job
re-stamps while the stream is being read (its new version comes with the next stream)."""

from __future__ import annotations

import inspect
import secrets
import socket
import time
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Connection

from filmroll.db import clock
from filmroll.db.engine import Database
from tests.assets.helpers import PHOTOS, upload
from tests.support import LiveServer, login
from tests.sync.v1.builders import AssetBuilder
from tests.sync.v2.helpers import SyncClient, new_client, of_type

ROUNDS = 5
UPLOADS = 28


def test_row_restamped_after_the_bound_is_in_this_run(
    server: LiveServer, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The re-stamp lands between the run reading its bound and reading its first page."""
    client = new_client(server, "restamped")
    builder = AssetBuilder(db, seed=7)
    asset = builder.insert(uuid.UUID(client.user_id))
    original = clock.current
    armed = [True]

    def bound_then_restamp(conn: Connection) -> int:
        upper = original(conn)
        # Only the run's own read of its bound: the server's background form renderer reads the
        # clock too, at moments of its own.
        caller = inspect.currentframe()
        if (
            armed[0]
            and caller is not None
            and caller.f_back is not None
            and caller.f_back.f_code.co_name == "_start"
        ):
            armed[0] = False
            builder.update([asset], is_favorite=True)
        return upper

    monkeypatch.setattr(clock, "current", bound_then_restamp)
    first = client.sync(["AssetsV1"])
    assert not armed[0]
    sent = of_type(first, "AssetV1")
    assert [(a["id"], a["isFavorite"]) for a in sent] == [(str(asset), False)]
    second = of_type(client.sync(["AssetsV1"]), "AssetV1")
    assert [(a["id"], a["isFavorite"]) for a in second] == [(str(asset), True)]


def test_stream_right_after_uploads_has_every_upload(server: LiveServer) -> None:
    """Uploads (whose metadata and thumbnail jobs re-stamp them) then at once a fresh session's
    stream, several rounds: every uploaded asset is in that first stream."""
    user_id, email, token = server.new_user("burst")
    photo = PHOTOS / "exif-parser" / "starfish.jpg"
    content = photo.read_bytes()
    uploaded: set[str] = set()
    with server.client(token) as uploader:
        for _ in range(ROUNDS):
            for _ in range(UPLOADS):
                resp = upload(uploader, photo, content=content + secrets.token_bytes(16))
                assert resp.status_code == 201, resp.text
                uploaded.add(resp.json()["id"])
            with server.client() as anon:
                fresh = SyncClient(server.client(login(anon, email, "pw-123456")), user_id)
            with fresh.http:
                streamed = {a["id"] for a in of_type(fresh.stream(["AssetsV1"]), "AssetV1")}
            assert uploaded - streamed == set()


def test_disconnect_mid_stream_releases_the_snapshot(server: LiveServer, db: Database) -> None:
    """A client that hangs up half-way must not keep a snapshot connection.

    The client takes the stream uncompressed through a small, fixed receive buffer, so the
    server cannot hand the whole stream to the kernel and finish before the client hangs up.
    """
    user_id, _email, token = server.new_user("hangs-up")
    AssetBuilder(db, seed=11).insert_many(uuid.UUID(user_id), 10_000)
    app: Any = server._server.config.app
    slots = app.state.services.db._snapshot_slots
    transport = httpx.HTTPTransport(socket_options=[(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)])
    headers = {"authorization": f"Bearer {token}", "accept-encoding": "identity"}
    with (
        httpx.Client(base_url=server.url, headers=headers, transport=transport, timeout=60) as http,
        http.stream("POST", "/api/sync/stream", json={"types": ["AssetsV1"]}) as resp,
    ):
        assert resp.status_code == 200
        next(resp.iter_bytes())
        assert slots.borrowed_tokens == 1
    deadline = time.monotonic() + 10
    while slots.borrowed_tokens and time.monotonic() < deadline:
        time.sleep(0.05)
    assert slots.borrowed_tokens == 0
