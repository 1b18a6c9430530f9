"""Serving stored files over HTTP with ETag, 304 and single byte ranges, for any storage backend."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import UTC
from email.utils import format_datetime

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from filmroll.errors import NotFound
from filmroll.storage import NotFoundError, Storage

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """(start, end) inclusive for one satisfiable range; None to ignore; False if unsatisfiable."""
    match = _RANGE.match(header.strip())
    if not match:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0 or size == 0:
            return False
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return False
    return start, end


def _etag_matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


async def serve(
    request: Request, storage: Storage, key: str, content_type: str, *, cache: str = "private, max-age=86400"
) -> Response:
    stat = await storage.stat(key)
    if stat is None:
        raise NotFound("Asset media not found")
    etag = stat.etag if stat.etag.startswith(('"', "W/")) else f'"{stat.etag}"'
    headers = {
        "etag": etag,
        "last-modified": format_datetime(
            stat.modified.replace(tzinfo=stat.modified.tzinfo or UTC), usegmt=True
        ),
        "accept-ranges": "bytes",
        "cache-control": cache,
    }
    if (match := request.headers.get("if-none-match")) and _etag_matches(match, etag):
        return Response(status_code=304, headers=headers)
    start, end, status = 0, stat.size - 1, 200
    range_header = request.headers.get("range")
    if_range = request.headers.get("if-range")
    if range_header and (if_range is None or if_range == etag):
        wanted = parse_range(range_header, stat.size)
        if wanted is False:
            return Response(status_code=416, headers={**headers, "content-range": f"bytes */{stat.size}"})
        if isinstance(wanted, tuple):
            (start, end), status = wanted, 206
            headers["content-range"] = f"bytes {start}-{end}/{stat.size}"
    headers["content-length"] = str(max(0, end - start + 1))
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=content_type)
    chunks = storage.open_range(key, start, end if stat.size else None)
    first = await _first_chunk(chunks)
    return StreamingResponse(
        _body(first, chunks), status_code=status, headers=headers, media_type=content_type
    )


async def _first_chunk(chunks: AsyncIterator[bytes]) -> bytes:
    """Pull the first chunk before answering, so a missing file becomes 404 rather than a cut stream."""
    try:
        return await anext(chunks, b"")
    except NotFoundError as exc:
        raise NotFound("Asset media not found") from exc


async def _body(first: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    async with aclosing(chunks):  # type: ignore[type-var]
        if first:
            yield first
        async for chunk in chunks:
            yield chunk
