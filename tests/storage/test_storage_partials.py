"""Removing what uploads interrupted by a killed process left behind, on both backends."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError

from filmroll.storage import PART_SIZE, LocalStorage, S3Storage, StorageError, Upload

from .storage_support import ACCESS_KEY, BUCKET, REGION, SECRET_KEY, Backend, chunks

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


async def _abandoned(backend: Backend, key: str) -> Upload:
    """An upload with data written and then left, as a process killed mid-upload leaves it."""
    upload = await backend.storage.begin_upload(key)
    # A full part, so S3 has started a multipart upload.
    for chunk in chunks(PART_SIZE + 1024):
        await upload.write(chunk)
    return upload


async def test_partials_are_removed_and_cannot_be_published(storage_backend: Backend) -> None:
    storage = storage_backend.storage
    await storage.put_file("library/u/2024/01/done.jpg", Path(__file__))
    upload = await _abandoned(storage_backend, "library/u/2024/01/killed.jpg")
    assert storage_backend.in_progress(), "the interrupted upload left something behind"

    assert await storage.remove_stale_partials(idle_for=timedelta(hours=1)) == 0
    assert len(storage_backend.in_progress()) == 1, "an upload written to just now is kept"

    assert await storage.remove_stale_partials() == 1
    assert storage_backend.in_progress() == []
    assert storage_backend.files() == ["library/u/2024/01/done.jpg"]
    with pytest.raises(StorageError):
        await upload.commit()
    assert storage_backend.files() == ["library/u/2024/01/done.jpg"]
    assert await storage.remove_stale_partials() == 0


async def test_idle_partials_are_removed_while_recent_ones_stay(storage_backend: Backend) -> None:
    storage = storage_backend.storage
    await _abandoned(storage_backend, "thumbs/u/ab/old-preview.jpeg")
    if isinstance(storage, LocalStorage):
        (old,) = storage_backend.in_progress()
        two_hours_ago = time.time() - 2 * 3600
        os.utime(old, (two_hours_ago, two_hours_ago))
        idle_for = timedelta(hours=1)
    else:
        # The S3 server stamps parts with its own clock: make "idle" short instead of the part
        # old. Its stamps have whole seconds, so a part written just now can look up to a
        # second older than it is: the window leaves room for that and for a loaded machine.
        await asyncio.sleep(4)
        idle_for = timedelta(seconds=2.5)
    recent = await _abandoned(storage_backend, "thumbs/u/cd/new-preview.jpeg")
    assert await storage.remove_stale_partials(idle_for=idle_for) == 1
    assert len(storage_backend.in_progress()) == 1
    await recent.abort()
    assert storage_backend.in_progress() == []


async def test_only_filmroll_key_roots_are_searched(storage_backend: Backend) -> None:
    """Other software sharing the directory or bucket keeps its own unfinished uploads."""
    storage = storage_backend.storage
    foreign = await _abandoned(storage_backend, "other/app/file.bin")
    assert await storage.remove_stale_partials() == 0
    assert len(storage_backend.in_progress()) == 1
    await foreign.abort()


async def test_s3_multipart_left_by_another_client_is_aborted(s3_endpoint: str, s3_client: S3Client) -> None:
    """A multipart upload started by an earlier process is found by listing, and aborted."""
    prefix = f"test-{uuid.uuid4().hex}"
    storage = S3Storage(BUCKET, s3_endpoint, REGION, ACCESS_KEY, SECRET_KEY, prefix)
    key = f"{prefix}/library/u/2024/01/orphan.mov"
    upload_id = s3_client.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    s3_client.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=1, Body=b"x" * 1024)
    assert await storage.remove_stale_partials() == 1
    assert s3_client.list_multipart_uploads(Bucket=BUCKET, Prefix=prefix).get("Uploads", []) == []
    with pytest.raises(ClientError):
        s3_client.list_parts(Bucket=BUCKET, Key=key, UploadId=upload_id)
