"""Request bodies are bounded: a cap before anything is buffered, authentication before reading."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from filmroll.config import MAX_JSON_BYTES
from tests.support import LiveServer, free_port

MB = 1024 * 1024
PUBLIC_BODY_ROUTES = {("post", "/api/auth/login"), ("post", "/api/auth/admin-sign-up")}


def raw_request(
    url: str,
    method: str,
    path: str,
    body: Iterator[bytes] = iter(()),
    *,
    length: int | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15,
) -> tuple[int, dict[str, Any]]:
    """Send a request over a plain socket and read the answer while the body is still going out.

    `length` announces a Content-Length (the body may stop short of it); None sends the body
    chunked. The reader runs alongside the writer, so an early answer is seen even when the
    server closes the connection on the unread rest of the body.
    """
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    head = [f"{method} {path} HTTP/1.1", f"host: {host}", "content-type: application/json"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head.append(f"content-length: {length}" if length is not None else "transfer-encoding: chunked")
    received = bytearray()
    done = threading.Event()

    def read() -> None:
        try:
            while chunk := sock.recv(65536):
                received.extend(chunk)
                if _complete(received):
                    break
        except OSError:
            pass
        finally:
            done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        for chunk in body:
            if done.is_set():
                break
            sock.sendall(chunk if length is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
        else:
            if length is None:
                sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass
    assert done.wait(timeout), f"no answer to {method} {path} within {timeout}s"
    sock.close()
    head_bytes, _, payload = bytes(received).partition(b"\r\n\r\n")
    return int(head_bytes.split()[1]), json.loads(payload)


def _complete(data: bytearray) -> bool:
    head, sep, payload = bytes(data).partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(payload) >= int(value)
    return False


def padding(total: int, chunk: int = MB) -> Iterator[bytes]:
    """A JSON object padded with whitespace to `total` bytes, without holding it in memory."""
    yield b"{"
    sent = 2
    while sent < total:
        size = min(chunk, total - sent)
        sent += size
        yield b" " * size
    yield b"}"


def assert_too_large(status: int, body: dict[str, Any]) -> None:
    assert status == 413, body
    assert body["error"] == "Payload Too Large"
    assert body["statusCode"] == 413
    assert set(body) == {"message", "error", "statusCode", "correlationId"}


def test_announced_length_over_the_cap_is_refused_unread(server: LiveServer) -> None:
    """No byte of the body is sent: a server waiting to read it would never answer."""
    for path in ("/api/auth/login", "/api/albums", "/api/sync/stream"):
        assert_too_large(*raw_request(server.url, "POST", path, length=150 * MB))


def test_chunked_body_over_the_cap_is_refused(server: LiveServer) -> None:
    status, body = raw_request(server.url, "POST", "/api/auth/login", padding(MAX_JSON_BYTES + MB))
    assert_too_large(status, body)


def test_body_under_the_cap_is_read(server: LiveServer) -> None:
    with server.client() as c:
        resp = c.post(
            "/api/auth/login",
            content=b'{"email": "nobody@example.com", "password": "x"' + b" " * (MAX_JSON_BYTES - 100) + b"}",
            headers={"content-type": "application/json"},
        )
        assert resp.status_code == 401, resp.text


def _body_operations(server: LiveServer) -> list[tuple[str, str]]:
    with server.client() as c:
        doc = c.get("/api/openapi.json").json()
    found = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "requestBody" in op:
                found.append((method, path.replace("{id}", "00000000-0000-4000-8000-000000000000")))
    return [
        (m, p.replace("{userId}", "00000000-0000-4000-8000-000000000001"))
        for m, p in found
        if (m, p) not in PUBLIC_BODY_ROUTES
    ]


def test_protected_routes_authenticate_before_reading_the_body(server: LiveServer) -> None:
    """A body is announced but never sent: only a server that authenticates first answers."""
    operations = _body_operations(server)
    assert len(operations) > 20
    for method, path in operations:
        status, body = raw_request(
            server.url, method.upper(), path, length=1000, headers={"authorization": "Bearer nope"}, timeout=5
        )
        assert status == 401, (method, path, body)


@pytest.fixture
def subprocess_server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, int]]:
    """`filmroll serve` in its own process, so its memory can be measured alone."""
    port = free_port()
    env = {
        **os.environ,
        "FILMROLL_DATABASE_URL": database_url,
        "FILMROLL_DATA_DIR": str(tmp_path / "data"),
        "FILMROLL_JOBS_ENABLED": "false",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "filmroll", "serve", "--port", str(port), "--log-level", "warning"], env=env
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/server/ping", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def test_huge_unauthenticated_bodies_do_not_grow_memory(subprocess_server: tuple[str, int]) -> None:
    """Three 150 MB bodies at once, announced and chunked, to login and to protected routes."""
    url, pid = subprocess_server
    for _ in range(3):  # warm up: first requests import and allocate what every request needs
        raw_request(url, "POST", "/api/auth/login", iter([b'{"email":"a@b.c","password":"x"}']))
    before = _rss(pid)
    results: list[tuple[int, dict[str, Any]]] = []

    def send(path: str, chunked: bool) -> None:
        size = 150 * MB
        results.append(raw_request(url, "POST", path, padding(size), length=None if chunked else size))

    threads = [
        threading.Thread(target=send, args=(path, chunked))
        for path in ("/api/albums", "/api/sync/stream", "/api/auth/login")
        for chunked in (False, True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    grown = _rss(pid) - before
    assert sorted(status for status, _ in results) == [401, 401, 413, 413, 413, 413], results
    assert grown < 60 * MB, f"server grew by {grown / MB:.0f} MB"
