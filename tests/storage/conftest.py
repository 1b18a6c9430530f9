"""Fixtures running the storage tests against local disk and a real S3-compatible server.

The S3 side talks HTTP to a ``moto`` server subprocess rather than an in-process
mock, so request signing, streaming bodies and range headers are exercised for real.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import boto3
import pytest

from filmroll.storage import Storage, create_storage
from tests.support import stop_process

from .storage_support import ACCESS_KEY, BUCKET, REGION, SECRET_KEY, Backend

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """URL of a moto S3 server subprocess with the test bucket created."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("moto") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                pytest.fail(f"moto server exited early:\n{log_path.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "/", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail(f"moto server did not answer:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.1)
        _client(url).create_bucket(Bucket=BUCKET)
        yield url
    finally:
        stop_process(proc, timeout=10)


def _client(endpoint: str) -> S3Client:
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


@pytest.fixture(scope="session")
def s3_client(s3_endpoint: str) -> S3Client:
    """A plain boto3 client for inspecting the server behind the storage's back."""
    return _client(s3_endpoint)


@pytest.fixture(params=["local", "s3"])
def storage_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """The same behavioural tests run against each backend."""
    if request.param == "local":
        root = tmp_path / "library"
        return Backend("local", create_storage("local", root=root), root=root)
    endpoint = request.getfixturevalue("s3_endpoint")
    storage = create_storage(
        "s3",
        root=tmp_path,
        s3_bucket=BUCKET,
        s3_endpoint_url=endpoint,
        s3_region=REGION,
        s3_access_key_id=ACCESS_KEY,
        s3_secret_access_key=SECRET_KEY,
        # A fresh prefix per test keeps tests independent on the shared server.
        s3_prefix=f"test-{uuid.uuid4().hex}",
    )
    return Backend("s3", storage, s3=request.getfixturevalue("s3_client"))


@pytest.fixture
def storage(storage_backend: Backend) -> Storage:
    return storage_backend.storage
