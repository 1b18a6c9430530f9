"""The socket.io endpoint Immich's apps keep open at `/api/socket.io` for live events.

Immich's mobile app connects with the websocket transport only, sending the same credentials
as its REST calls: the `immich_access_token` cookie (newer apps, through their shared HTTP
client), or `x-immich-user-token`, `Authorization: Bearer` or `x-api-key` headers. A
connection is authenticated like a REST request with no permission required (any API key
works, as in Immich), then joins its user's room and, for a login session, its session's
room. A connection that fails authentication gets Immich's `error` event with
`"unauthorized"` and is closed.

What is sent, to whom and when is decided in `services.events`; this module only delivers.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import socketio
from starlette.requests import HTTPConnection

from filmroll import IMMICH_API_VERSION
from filmroll.errors import Unauthorized
from filmroll.services.auth import Credentials
from filmroll.services.events import SERVER_VERSION, Close, Event, Item

if TYPE_CHECKING:
    from filmroll.api.deps import Services

log = logging.getLogger("filmroll.socketio")

PATH = "/api/socket.io"


def user_room(user_id: uuid.UUID) -> str:
    return f"user:{user_id}"


def session_room(session_id: uuid.UUID) -> str:
    return f"session:{session_id}"


CLOSE = "filmroll:close"
"""A pub/sub message that closes, in every process, the connections in the rooms it names.
It travels as an emit so it keeps its order among the events published before it (the
session's `on_session_delete` reaches its connections before they close); it never reaches a
client."""


class RedisManager(socketio.AsyncRedisManager):  # type: ignore[misc]
    """python-socketio's Redis manager, plus closing connections held by any process."""

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") != CLOSE:
            await super()._handle_emit(message)
            return
        if self.server is None:  # a write-only manager (worker process) holds no connections
            return
        rooms = message.get("room") or []
        for sid, _eio_sid in list(self.get_participants("/", rooms)):
            await self.server.disconnect(sid, ignore_queue=True)


def client_manager(redis_url: str | None = None, *, write_only: bool = False) -> socketio.AsyncManager | None:
    """How emits reach connections: None keeps them in this process.

    With several processes each holds its own connections, so every emit must reach every
    process: with `redis_url` each emit (and each close) is published on Redis and every
    process delivers it to the connections it holds in the named rooms. A worker process
    holds no connections and only publishes (`write_only`).
    """
    if redis_url is None:
        return None
    return RedisManager(redis_url, write_only=write_only)


def server_version() -> dict[str, int]:
    major, minor, patch = IMMICH_API_VERSION
    return {"major": major, "minor": minor, "patch": patch}


class SocketServer:
    """python-socketio's ASGI server, authenticating with the app's services and delivering
    the event bus's items (`services.events.Transport`)."""

    def __init__(self, services: Callable[[], Services], redis_url: str | None = None) -> None:
        self._services = services
        self._shared = redis_url is not None
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            transports=["websocket"],
            cors_allowed_origins="*",
            always_connect=True,  # accept, then say `error: unauthorized` and close, as Immich
            client_manager=client_manager(redis_url),
            logger=False,
            engineio_logger=False,
        )
        self.sio.on("connect", self._connect)
        self._lock = asyncio.Lock()
        self.app = socketio.ASGIApp(self.sio, socketio_path=PATH)

    async def _connect(self, sid: str, environ: dict[str, Any], _auth: Any = None) -> bool:
        conn = HTTPConnection(environ["asgi.scope"])
        creds = Credentials(headers=conn.headers, query=conn.query_params, cookies=conn.cookies)
        try:
            auth = await self._services().auth.authenticate(creds, None, conn.headers.get("user-agent", ""))
            if getattr(auth, "link", None) is not None:  # a shared link acts for its owner: never here
                raise Unauthorized("Shared links cannot listen to live events")
        except Exception as exc:
            log.info("socket.io connection refused: %s", exc)
            await self.sio.emit("error", "unauthorized", to=sid)
            return False
        await self.sio.enter_room(sid, user_room(auth.user_id))
        if auth.session_id is not None:
            await self.sio.enter_room(sid, session_room(auth.session_id))
        await self.sio.emit(SERVER_VERSION, server_version(), to=sid)
        return True

    async def deliver(self, items: Sequence[Item]) -> None:
        """Emit in order; one at a time, since python-socketio's emit is not meant to run
        concurrently on one connection."""
        async with self._lock:
            for item in items:
                rooms = [user_room(u) for u in item.users] + [session_room(s) for s in item.sessions]
                if isinstance(item, Event):
                    if item.everyone:
                        await self.sio.emit(item.name, item.data)
                    elif rooms:
                        await self.sio.emit(item.name, item.data, to=rooms)
                elif isinstance(item, Close) and rooms:
                    if self._shared:
                        await self.sio.emit(CLOSE, None, to=rooms)
                        continue
                    for sid, _eio_sid in list(self.sio.manager.get_participants("/", rooms)):
                        await self.sio.disconnect(sid)


class PublishOnly:
    """The event bus's transport in a process without connections (`filmroll worker`):
    publishes every event and close on Redis for the API processes to deliver."""

    def __init__(self, redis_url: str) -> None:
        self.manager = RedisManager(redis_url, write_only=True)
        self._lock = asyncio.Lock()

    async def deliver(self, items: Sequence[Item]) -> None:
        async with self._lock:
            for item in items:
                rooms = [user_room(u) for u in item.users] + [session_room(s) for s in item.sessions]
                if isinstance(item, Event):
                    if item.everyone:
                        await self.manager.emit(item.name, item.data, namespace="/")
                    elif rooms:
                        await self.manager.emit(item.name, item.data, namespace="/", room=rooms)
                elif rooms:
                    await self.manager.emit(CLOSE, None, namespace="/", room=rooms)
