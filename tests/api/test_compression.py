"""Content-Encoding negotiation and per-chunk compression of sync bodies."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pytest
import zstandard

from filmroll.api.compression import choose, decode, encoder
from tests.assets.helpers import MANIFEST, PHOTOS, upload, wait_for_jobs
from tests.support import LiveServer

JPEGS = [PHOTOS / e["path"] for e in MANIFEST if e["mime"] == "image/jpeg"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("identity", None),
        ("gzip", "gzip"),
        ("gzip, deflate, br", "gzip"),
        ("gzip, zstd", "zstd"),
        ("zstd;q=0, gzip", "gzip"),
        ("gzip;q=0", None),
        ("GZIP;Q=0.5", "gzip"),
        ("*", "zstd"),
        ("*;q=0, gzip", "gzip"),
        ("gzip;q=abc", None),
        ("gzip;q=1, zstd;q=0.1", "gzip"),
        ("zstd;q=0.5, gzip;q=0.5", "zstd"),
        ("br", None),
    ],
)
def test_choose_follows_accept_encoding(header: str | None, expected: str | None) -> None:
    assert choose(header) == expected


@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
def test_every_flushed_chunk_decodes_on_its_own(encoding: str) -> None:
    """A client must be able to decode each line as soon as its chunk arrives."""
    coder = encoder(encoding)  # type: ignore[arg-type]
    incremental = (
        zlib.decompressobj(31) if encoding == "gzip" else zstandard.ZstdDecompressor().decompressobj()
    )
    chunks = [b'{"type":"AssetV1","data":{"id":"%d"},"ack":"x"}\n' % i * 50 for i in range(20)]
    wire = b""
    for chunk in chunks:
        out = coder.compress(chunk)
        wire += out
        assert incremental.decompress(out) == chunk
    wire += coder.finish()
    assert decode(wire, encoding) == b"".join(chunks)
    assert len(wire) < len(b"".join(chunks)) / 5


@pytest.mark.parametrize("encoding", ["gzip", "zstd"])
def test_sync_responses_are_compressed_when_asked(server: LiveServer, encoding: str) -> None:
    """full-sync, delta-sync and the v2 stream answer the same bytes, compressed, with Vary."""
    _uid, _email, token = server.new_user("compressed")
    with server.client(token) as http:
        for path in JPEGS[:3]:
            assert upload(http, path).status_code == 201
        wait_for_jobs(server)
        me = http.get("/api/users/me").json()["id"]
        since = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        calls = [
            ("/api/sync/full-sync", {"limit": 100, "updatedUntil": "2100-01-01T00:00:00.000Z"}),
            ("/api/sync/delta-sync", {"updatedAfter": since, "userIds": [me]}),
            ("/api/sync/stream", {"types": ["AssetsV1", "AssetExifsV1"]}),
        ]
        for path, body in calls:
            plain = http.post(path, json=body, headers={"accept-encoding": "identity"})
            packed = http.post(path, json=body, headers={"accept-encoding": f"{encoding}, br"})
            assert plain.status_code == packed.status_code == 200, packed.text
            assert "content-encoding" not in plain.headers
            assert packed.headers["content-encoding"] == encoding
            assert "accept-encoding" in packed.headers["vary"].lower()
            if path == "/api/sync/stream":  # acks differ between sessions' runs only by their ids
                assert len(packed.text.splitlines()) == len(plain.text.splitlines()) > 3
            else:
                assert packed.json() == plain.json()
                answer = plain.json()
                assets = answer if path == "/api/sync/full-sync" else answer["upserted"]
                assert len(assets) == 3, answer
            assert packed.num_bytes_downloaded < len(plain.content) / 2
