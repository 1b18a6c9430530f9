"""A live-events listener over a real socket.io connection, as Immich's apps open one."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import socketio

from tests.support import LiveServer

PATH = "/api/socket.io"
MOBILE_AGENT = "Immich_Android_2.7.5"
QUIET = 1.0
"""Seconds to wait before concluding that an event did not come."""


def cookie_headers(token: str) -> dict[str, str]:
    """What the mobile app's shared HTTP client sends on its websocket: the auth cookies."""
    cookie = f"immich_access_token={token}; immich_is_authenticated=true; immich_auth_type=password"
    return {"Cookie": cookie, "User-Agent": MOBILE_AGENT}


class Listener:
    """One socket.io connection (websocket transport only) that records every event."""

    def __init__(self, server: LiveServer, headers: dict[str, str]) -> None:
        self.server = server
        self.headers = headers
        self.events: list[tuple[str, tuple[Any, ...], float]] = []
        self.disconnected = threading.Event()
        self._cond = threading.Condition()
        self.client = socketio.Client(reconnection=False)
        self.client.on("*", self._record)
        self.client.on("disconnect", self._gone)

    def _record(self, name: str, *args: Any) -> None:
        with self._cond:
            self.events.append((name, args, time.monotonic()))
            self._cond.notify_all()

    def _gone(self, *_args: Any) -> None:
        self.disconnected.set()

    def __enter__(self) -> Listener:
        self.client.connect(
            self.server.url,
            headers=dict(self.headers),
            transports=["websocket"],
            socketio_path=PATH,
            wait_timeout=10,
        )
        return self

    def __exit__(self, *_exc: object) -> None:
        self.client.disconnect()

    def of(self, name: str) -> list[tuple[Any, ...]]:
        with self._cond:
            return [args for event, args, _at in self.events if event == name]

    def wait(
        self, name: str, match: Callable[[tuple[Any, ...]], bool] = lambda _a: True, timeout: float = 10
    ) -> tuple[tuple[Any, ...], float]:
        """The first `name` event whose arguments satisfy `match`, and when it arrived."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event, args, at in self.events:
                    if event == name and match(args):
                        return args, at
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [event for event, _args, _at in self.events]
                    raise AssertionError(f"no {name} event within {timeout}s (got {seen})")
                self._cond.wait(left)

    def names(self) -> list[str]:
        with self._cond:
            return [event for event, _args, _at in self.events]
