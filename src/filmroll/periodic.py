"""A coroutine run at an interval for the life of the app: one task, stopped with the app."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Periodic:
    """Runs `work` now and then every `interval` seconds; a failure is logged and the next
    round comes as usual, so one bad round never stops the background work."""

    def __init__(self, name: str, work: Callable[[], Awaitable[None]], interval: float) -> None:
        self.name = name
        self.work = work
        self.interval = interval
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self.work()
            except Exception:
                log.exception("%s failed; retrying in %.0f s", self.name, self.interval)
            await asyncio.sleep(self.interval)
