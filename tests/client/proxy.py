"""A TCP proxy in front of the test server that misbehaves on one kind of request only.

It stands in for the network and for a server that fails mid-stream: it can slow the answer
to `POST /api/sync/stream` (or any request line starting with `marker`) down, cut it after a
number of bytes, or answer it with a 500 error. Byte counts are of the uncompressed body: the
proxy asks the server for `identity` on the requests it targets (clients offer gzip and zstd, and
a compressed stream of a few assets is one flushed block with no line boundary to cut at).
"""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

MARKER = b"POST /api/sync/stream"
_BODY = b'{"message":"Internal server error","statusCode":500,"correlationId":"proxy"}'
ERROR_500 = (
    b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)


@dataclass
class Faults:
    cut_after: int | None = None
    fail: bool = False
    rate: int | None = None
    marker: bytes = MARKER
    identity: bool = True


_ACCEPT_ENCODING = re.compile(rb"(?im)^accept-encoding:[^\r\n]*")


async def _pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    while data := await src.read(65536):
        dst.write(data)
        await dst.drain()


async def _handle(
    client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter, port: int, faults: Faults
) -> None:
    up_r, up_w = await asyncio.open_connection("127.0.0.1", port)
    streaming = asyncio.Event()

    async def upstream() -> None:
        while data := await client_r.read(65536):
            if faults.marker in data:
                streaming.set()
                if faults.identity:
                    data = _ACCEPT_ENCODING.sub(b"accept-encoding: identity", data)
                if faults.fail:
                    client_w.write(ERROR_500)
                    await client_w.drain()
                    client_w.close()
                    return
            up_w.write(data)
            await up_w.drain()

    async def downstream() -> None:
        sent = 0
        while data := await up_r.read(1024 if faults.rate else 65536):
            if streaming.is_set() and faults.cut_after is not None and sent + len(data) > faults.cut_after:
                client_w.write(data[: faults.cut_after - sent])
                await client_w.drain()
                client_w.transport.abort()
                return
            if streaming.is_set():
                sent += len(data)
                if faults.rate:
                    await asyncio.sleep(len(data) / faults.rate)
            client_w.write(data)
            await client_w.drain()

    tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    except (ConnectionError, OSError):
        pass
    finally:
        for task in tasks:
            task.cancel()
        up_w.close()
        client_w.close()


@contextmanager
def proxy(port: int, faults: Faults) -> Iterator[str]:
    """Run the proxy in a thread; yields its base URL."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    holder: dict[str, asyncio.Server] = {}

    async def start() -> None:
        server = await asyncio.start_server(lambda r, w: _handle(r, w, port, faults), "127.0.0.1", 0)
        holder["server"] = server
        ready.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    server = holder["server"]
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    try:
        yield url
    finally:
        asyncio.run_coroutine_threadsafe(_shutdown(server), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


async def _shutdown(server: asyncio.AbstractServer) -> None:
    """Close the listener and finish every connection handler before the loop closes."""
    server.close()
    handlers = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in handlers:
        task.cancel()
    await asyncio.gather(*handlers, return_exceptions=True)
