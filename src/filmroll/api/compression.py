"""Content-Encoding for sync responses: gzip or zstd, compressed chunk by chunk and flushed.

Sync bodies are large and repetitive (the same keys on every line), so they shrink about
tenfold. Each chunk the service yields is compressed and flushed on its own, so the client
can decode every line as soon as it arrives: first-byte latency and back-pressure stay what
they are without compression. Fast levels are used on purpose: the stream must not become
bound by the compressor's CPU time.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from typing import Final, Literal, Protocol

import anyio.to_thread
import zstandard
from isal import isal_zlib
from starlette.responses import Response, StreamingResponse

Encoding = Literal["zstd", "gzip"]
PREFERENCE: Final[tuple[Encoding, ...]] = ("zstd", "gzip")
"""zstd when offered: a smaller body for less CPU than gzip."""
GZIP_LEVEL: Final = 1
"""ISA-L's level 1 (`isal`), gzip-compatible: about five times zlib's speed at level 1 and a
slightly smaller body (145 against 154 bytes per asset on the bench library), so a gzipped
stream is no longer bound by the compressor once the database reads are fast."""
ZSTD_LEVEL: Final = 1
"""zstd's level 1 both compresses sync lines better than level 3 (its faster match finder
suits the short repeated keys and ids of JSON lines: 142 against 153 bytes per asset on the
bench library) and takes half the CPU time."""


class Encoder(Protocol):
    def compress(self, data: bytes) -> bytes: ...

    def finish(self) -> bytes: ...


class _Gzip:
    def __init__(self) -> None:
        self._z = isal_zlib.compressobj(GZIP_LEVEL, isal_zlib.DEFLATED, 31)

    def compress(self, data: bytes) -> bytes:
        return self._z.compress(data) + self._z.flush(isal_zlib.Z_SYNC_FLUSH)

    def finish(self) -> bytes:
        return self._z.flush(isal_zlib.Z_FINISH)


class _Zstd:
    def __init__(self) -> None:
        self._z = zstandard.ZstdCompressor(level=ZSTD_LEVEL).compressobj()

    def compress(self, data: bytes) -> bytes:
        return self._z.compress(data) + self._z.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)

    def finish(self) -> bytes:
        return self._z.flush(zstandard.COMPRESSOBJ_FLUSH_FINISH)


def encoder(encoding: Encoding) -> Encoder:
    return _Zstd() if encoding == "zstd" else _Gzip()


def _offers(header: str) -> dict[str, float]:
    """`Accept-Encoding` as {coding: q}; malformed q-values count as 0 (not acceptable)."""
    offered: dict[str, float] = {}
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name:
            offered[name.strip().lower()] = quality
    return offered


def choose(accept_encoding: str | None) -> Encoding | None:
    """The coding to answer with, or None for identity (nothing offered, or `q=0` for ours).

    The client's highest q-value wins; between equal ones, zstd before gzip.
    """
    if not accept_encoding:
        return None
    offered = _offers(accept_encoding)
    wildcard = offered.get("*", 0.0)
    quality = {name: offered.get(name, wildcard) for name in PREFERENCE}
    best = max(PREFERENCE, key=lambda name: quality[name])
    return best if quality[best] > 0 else None


async def _encoded(chunks: AsyncIterator[bytes], coder: Encoder) -> AsyncIterator[bytes]:
    """Compress each chunk in a worker thread while the next one is produced (zlib and zstd
    release the GIL), so compression overlaps the database reads instead of adding to them.
    Chunks stay in order: the compressor is only ever given one at a time."""
    pending: asyncio.Future[bytes] | None = None
    async for chunk in chunks:
        if pending is not None and (out := await pending):
            yield out
        pending = asyncio.ensure_future(anyio.to_thread.run_sync(coder.compress, chunk))
    if pending is not None and (out := await pending):
        yield out
    yield coder.finish()


def _headers(encoding: Encoding | None) -> dict[str, str]:
    headers = {"vary": "Accept-Encoding"}
    if encoding is not None:
        headers["content-encoding"] = encoding
    return headers


def streaming(
    chunks: AsyncIterator[bytes], accept_encoding: str | None, media_type: str
) -> StreamingResponse:
    """A streamed body, compressed per chunk when the client offers gzip or zstd."""
    encoding = choose(accept_encoding)
    body = chunks if encoding is None else _encoded(chunks, encoder(encoding))
    return StreamingResponse(body, media_type=media_type, headers=_headers(encoding))


def whole(content: bytes, accept_encoding: str | None, media_type: str) -> Response:
    """A body already in memory (bounded by the caller), compressed in one go when offered."""
    encoding = choose(accept_encoding)
    if encoding is not None:
        coder = encoder(encoding)
        content = coder.compress(content) + coder.finish()
    return Response(content, media_type=media_type, headers=_headers(encoding))


def decode(body: bytes, encoding: str) -> bytes:
    """Inverse of the encoders, for tests and the bench (clients use their HTTP library's)."""
    if encoding == "gzip":
        return zlib.decompress(body, 31)
    out: bytes = zstandard.ZstdDecompressor().decompressobj().decompress(body)
    return out
