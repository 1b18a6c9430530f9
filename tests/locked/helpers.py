"""Helpers for the locked-folder tests: PIN set-up and unlock as Immich's apps do them."""

from __future__ import annotations

import uuid
from datetime import datetime

import httpx
import sqlalchemy as sa

from filmroll.db.schema import sessions
from filmroll.security import digest
from tests.assets.helpers import engine
from tests.support import LiveServer

PIN = "123456"
MOBILE = {"user-agent": "Immich_Android_2.7.5"}


def unlock(client: httpx.Client, pin: str = PIN) -> None:
    """Set the PIN if the user has none, then unlock this session with it."""
    if not client.get("/api/auth/status").json()["pinCode"]:
        resp = client.post("/api/auth/pin-code", json={"pinCode": pin})
        assert resp.status_code == 204, resp.text
    resp = client.post("/api/auth/session/unlock", json={"pinCode": pin})
    assert resp.status_code == 204, resp.text


def token_of(client: httpx.Client) -> str:
    return client.headers["authorization"].split(" ", 1)[1]


def pin_expires_at(server: LiveServer, token: str) -> datetime | None:
    """The stored unlock expiry of the session holding `token`."""
    eng = engine(server)
    try:
        with eng.connect() as conn:
            query = sa.select(sessions.c.pin_expires_at).where(sessions.c.token_hash == digest(token))
            value = conn.execute(query).scalar_one()
            return value if isinstance(value, datetime) else None
    finally:
        eng.dispose()


def set_pin_expires_at(server: LiveServer, token: str, at: datetime | None) -> None:
    """Move a session's unlock expiry, as time passing would."""
    eng = engine(server)
    try:
        with eng.begin() as conn:
            conn.execute(
                sa.update(sessions).where(sessions.c.token_hash == digest(token)).values(pin_expires_at=at)
            )
    finally:
        eng.dispose()


def child_session(client: httpx.Client, server: LiveServer) -> httpx.Client:
    """A second session of the same user (`POST /api/sessions`), with its own lock state."""
    resp = client.post("/api/sessions", json={})
    assert resp.status_code == 201, resp.text
    return server.client(resp.json()["token"])


def new_id() -> str:
    return str(uuid.uuid4())
