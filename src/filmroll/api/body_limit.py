"""A cap on request bodies, enforced before anything buffers them.

Routes with a JSON body are read whole into memory before they are parsed, so without a cap
one request (even an unauthenticated login) can make the process grow by gigabytes. This
pure-ASGI middleware answers 413 with Immich's error body when `Content-Length` exceeds the
cap, without reading the body at all, and counts the bytes of bodies sent without a length
(chunked), failing the read with 413 once they pass the cap. Multipart uploads to the routes
that stream them to storage are exempt: they never sit in memory whole.
"""

from __future__ import annotations

from collections.abc import Collection

import orjson
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from filmroll.api.errors import error_body

MULTIPART = b"multipart/form-data"


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a body without a length passes the cap.

    An `HTTPException`, so FastAPI's body reading lets it through unchanged and the error
    handlers render it as 413 rather than as a generic parsing failure.
    """

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large_message(limit))


def too_large_message(limit: int) -> str:
    return f"Request body is larger than the limit of {limit} bytes"


class BodyLimitMiddleware:
    """Reject non-streamed request bodies larger than `max_bytes` with 413.

    `streamed` names the `(method, path)` pairs whose multipart bodies are parsed as they
    arrive (asset upload); any other body, multipart or not, counts against the cap.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, streamed: Collection[tuple[str, str]] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed = frozenset(streamed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._exempt(scope):
            await self.app(scope, receive, send)
            return
        length = _header(scope, b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > self.max_bytes:
            await _reject(send, self.max_bytes)
            return
        await self.app(scope, self._counting(receive), send)

    def _exempt(self, scope: Scope) -> bool:
        if (scope["method"], scope["path"]) not in self.streamed:
            return False
        content_type = _header(scope, b"content-type") or b""
        return content_type.split(b";", 1)[0].strip().lower() == MULTIPART

    def _counting(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        return counted


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key.lower() == name:
            return bytes(value)
    return None


async def _reject(send: Send, limit: int) -> None:
    """Answer 413 and close: the unread body makes the connection unusable for another request."""
    body = orjson.dumps(error_body(413, too_large_message(limit), "Payload Too Large"))
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
