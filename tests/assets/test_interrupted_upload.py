"""A server killed mid-upload leaves a partial file; the next start-up removes it."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import sqlalchemy as sa

from filmroll.db.engine import normalise_url
from filmroll.db.schema import assets
from filmroll.storage.local import PART_MARKER
from tests.assets.helpers import PHOTOS, form
from tests.assets.server_process import ServerProcess, server_process

JPEG = PHOTOS / "node-exif" / "test1.jpg"
BOUNDARY = "filmrollkillboundary"


def _partials(data_dir: Path) -> list[Path]:
    return sorted(p for p in (data_dir / "library").rglob(f"*{PART_MARKER}*") if p.is_file())


def _start_upload(server: ServerProcess, token: str) -> socket.socket:
    """Send the start of a large multipart upload and keep the connection open."""
    head = "".join(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in form().items()
    )
    head += f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="assetData"; filename="big.jpg"\r\n'
    head += "Content-Type: image/jpeg\r\n\r\n"
    host, port = server.url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    request = (
        f"POST /api/assets HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: {300_000_000}\r\n\r\n"
    )
    sock.sendall(request.encode() + head.encode() + JPEG.read_bytes() + b"\0" * 2_000_000)
    return sock


def _asset_rows(database_url: str) -> int:
    engine = sa.create_engine(normalise_url(database_url))
    try:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(assets)).scalar_one())
    finally:
        engine.dispose()


def test_partial_of_killed_upload_is_removed_at_start_up(database_url: str, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    finished = data_dir / "library" / "someone" / "2024" / "01" / "kept.jpg"
    finished.parent.mkdir(parents=True)
    finished.write_bytes(JPEG.read_bytes())
    with server_process(database_url, data_dir) as server:
        token = server.admin()
        sock = _start_upload(server, token)
        try:
            deadline = time.monotonic() + 20
            while not _partials(data_dir) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _partials(data_dir), "the upload should have started writing"
            server.kill()
        finally:
            sock.close()
    left = _partials(data_dir)
    assert len(left) == 1 and left[0].stat().st_size >= JPEG.stat().st_size
    with server_process(database_url, data_dir) as server:
        assert server.answers()
        assert _partials(data_dir) == []
    assert _asset_rows(database_url) == 0
    assert finished.read_bytes() == JPEG.read_bytes(), "finished files are never touched"
