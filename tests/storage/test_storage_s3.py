"""S3 specifics: multipart behaviour and cleanup when the server fails mid-upload."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from filmroll.storage import PART_SIZE, S3Storage, StorageError

from .storage_support import BUCKET, REGION, Backend, chunks, collect

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@pytest.fixture
def s3(storage_backend: Backend) -> Backend:
    if storage_backend.kind != "s3":
        pytest.skip("S3 only")
    return storage_backend


@pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)
async def test_large_files_use_multipart_small_files_a_single_put(s3: Backend) -> None:
    storage = s3.storage
    async with await storage.begin_upload("big.bin") as upload:
        for chunk in chunks(2 * PART_SIZE + 123):
            await upload.write(chunk)
        assert s3.in_progress() == ["big.bin"]
        big = await upload.commit()
    # S3 marks multipart ETags with the number of parts.
    assert big.etag.endswith("-3")
    async with await storage.begin_upload("small.bin") as upload:
        await upload.write(b"small")
        small = await upload.commit()
    assert "-" not in small.etag


@pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)
async def test_objects_live_under_the_prefix(s3: Backend, s3_client: S3Client) -> None:
    storage = s3.storage
    assert isinstance(storage, S3Storage)
    async with await storage.begin_upload("a/b.jpg") as upload:
        await upload.write(b"x")
        await upload.commit()
    head = s3_client.head_object(Bucket=BUCKET, Key=storage.prefix + "a/b.jpg")
    assert head["ContentLength"] == 1
    assert storage.object_key("a/b.jpg") == storage.prefix + "a/b.jpg"


def test_prefix_is_normalised(s3_endpoint: str) -> None:
    def make(prefix: str) -> S3Storage:
        return S3Storage(BUCKET, s3_endpoint, REGION, "testing", "testing", prefix)

    assert make("").object_key("a.jpg") == "a.jpg"
    assert make("/photos/").object_key("a.jpg") == "photos/a.jpg"
    with pytest.raises(ValueError):
        make("../x")


def _fail(name: str) -> ClientError:
    return ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, name)


@pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)
async def test_failed_completion_aborts_the_multipart_upload(
    s3: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = s3.storage
    assert isinstance(storage, S3Storage)

    def complete(**kwargs: Any) -> None:
        raise _fail("CompleteMultipartUpload")

    monkeypatch.setattr(storage.client, "complete_multipart_upload", complete)
    upload = await storage.begin_upload("big.bin")
    for chunk in chunks(PART_SIZE + 1):
        await upload.write(chunk)
    with pytest.raises(StorageError):
        await upload.commit()
    assert upload.finished
    assert s3.in_progress() == []
    assert s3.files() == []


@pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)
async def test_failed_part_upload_aborts_the_multipart_upload(
    s3: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = s3.storage
    assert isinstance(storage, S3Storage)
    real_upload_part = storage.client.upload_part
    calls = 0

    def upload_part(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise _fail("UploadPart")
        return real_upload_part(**kwargs)

    monkeypatch.setattr(storage.client, "upload_part", upload_part)
    upload = await storage.begin_upload("big.bin")
    with pytest.raises(StorageError):
        for chunk in chunks(3 * PART_SIZE):
            await upload.write(chunk)
    assert calls == 2
    assert upload.finished
    assert s3.in_progress() == []
    assert s3.files() == []


@pytest.mark.parametrize("storage_backend", ["s3"], indirect=True)
async def test_empty_object_range_read(s3: Backend) -> None:
    async with await s3.storage.begin_upload("empty") as upload:
        await upload.commit()
    assert await collect(s3.storage.open_range("empty")) == b""
    assert s3.storage.local_path("empty") is None
