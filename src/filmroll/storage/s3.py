"""S3-compatible storage backend (AWS S3, MinIO, Garage, Ceph RGW, ...).

boto3 is synchronous, so every call runs in a worker thread. Uploads buffer at
most one part (:data:`PART_SIZE`) in memory: small files go up with a single
``PutObject`` on commit, larger ones as a multipart upload that only becomes
visible when completed, and is aborted on any failure so no orphaned parts
keep costing storage. A process killed mid-upload cannot abort; such uploads are
found by listing and aborted by :meth:`S3Storage.remove_stale_partials`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import anyio
import boto3
from anyio.to_thread import run_sync
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.response import StreamingBody

from .base import READ_CHUNK_SIZE, Storage, StoredFile, Upload, check_range
from .errors import InvalidRangeError, NotFoundError, StorageError
from .keys import KEY_ROOTS, validate_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

#: Multipart part size; also the most an upload holds in memory.
PART_SIZE = 8 * 1024 * 1024

_NOT_FOUND_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_NO_SUCH_UPLOAD = "NoSuchUpload"


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextlib.contextmanager
def _translate(action: str, key: str) -> Iterator[None]:
    """Turn botocore exceptions into the storage exception family."""
    try:
        yield
    except ClientError as exc:
        code = _error_code(exc)
        if code in _NOT_FOUND_CODES:
            raise NotFoundError(f"no such object: {key!r}") from exc
        if code == "InvalidRange":
            raise InvalidRangeError(f"unsatisfiable range for {key!r}") from exc
        raise StorageError(f"{action} {key!r} failed: {exc}") from exc
    except BotoCoreError as exc:
        raise StorageError(f"{action} {key!r} failed: {exc}") from exc


def _etag(value: str | None) -> str:
    return (value or "").strip('"')


class S3Upload(Upload):
    """A streaming upload; see the module docstring for the buffering strategy."""

    def __init__(self, storage: S3Storage, key: str, object_key: str) -> None:
        super().__init__(key)
        self._storage = storage
        self._client = storage.client
        self._bucket = storage.bucket
        self._object_key = object_key
        self._buffer = bytearray()
        self._upload_id: str | None = None
        self._parts: list[CompletedPartTypeDef] = []

    @property
    def upload_id(self) -> str | None:
        """The multipart upload id, once the first part has been sent."""
        return self._upload_id

    def _check_open(self) -> None:
        if self._finished:
            raise StorageError(f"upload of {self.key!r} is already finished")

    def _send_part_sync(self) -> None:
        body = bytes(self._buffer)
        self._buffer.clear()
        with _translate("uploading", self.key):
            if self._upload_id is None:
                created = self._client.create_multipart_upload(Bucket=self._bucket, Key=self._object_key)
                self._upload_id = created["UploadId"]
            number = len(self._parts) + 1
            response = self._client.upload_part(
                Bucket=self._bucket,
                Key=self._object_key,
                UploadId=self._upload_id,
                PartNumber=number,
                Body=body,
            )
        self._parts.append({"ETag": response["ETag"], "PartNumber": number})

    def _write_sync(self, chunk: bytes) -> None:
        self._check_open()
        self._buffer += chunk
        if len(self._buffer) >= PART_SIZE:
            try:
                self._send_part_sync()
            except BaseException:
                self._abort_quietly()
                raise

    def _commit_sync(self) -> StoredFile:
        self._check_open()
        try:
            with _translate("committing", self.key):
                if self._upload_id is None:
                    self._client.put_object(
                        Bucket=self._bucket, Key=self._object_key, Body=bytes(self._buffer)
                    )
                    self._buffer.clear()
                else:
                    if self._buffer:
                        self._send_part_sync()
                    self._client.complete_multipart_upload(
                        Bucket=self._bucket,
                        Key=self._object_key,
                        UploadId=self._upload_id,
                        MultipartUpload={"Parts": self._parts},
                    )
        except BaseException:
            self._abort_quietly()
            raise
        self._finished = True
        stored = self._storage._stat_sync(self.key, self._object_key)
        if stored is None:
            raise StorageError(f"committed {self.key!r} but it is not visible")
        return stored

    def _abort_sync(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._buffer = bytearray()
        if self._upload_id is not None:
            with _translate("aborting upload of", self.key):
                self._client.abort_multipart_upload(
                    Bucket=self._bucket, Key=self._object_key, UploadId=self._upload_id
                )

    def _abort_quietly(self) -> None:
        """Abort after another failure, which is the error worth reporting."""
        with contextlib.suppress(StorageError):
            self._abort_sync()

    async def write(self, chunk: bytes) -> None:
        self._check_open()
        if len(self._buffer) + len(chunk) < PART_SIZE:
            # Appending is cheap; only a full part needs the network (and a thread).
            self._buffer += chunk
            return
        await run_sync(self._write_sync, chunk)

    async def commit(self) -> StoredFile:
        return await run_sync(self._commit_sync)

    async def abort(self) -> None:
        with anyio.CancelScope(shield=True):
            await run_sync(self._abort_sync)


class S3Storage(Storage):
    """Objects in ``bucket`` under ``prefix``; the key is appended to the prefix."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        prefix: str = "",
        *,
        temp_dir: Path | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("an S3 bucket name is required")
        self.bucket = bucket
        prefix = prefix.strip("/")
        if prefix:
            validate_key(prefix)
        self.prefix = f"{prefix}/" if prefix else ""
        self.temp_dir = temp_dir
        options: dict[str, Any] = {
            "retries": {"mode": "standard"},
            "max_pool_connections": 32,
            # Path-style addressing works with every S3-compatible server; virtual
            # hosts need wildcard DNS that self-hosted endpoints rarely have.
            "s3": {"addressing_style": "path" if endpoint_url else "auto"},
            # Newer botocore sends CRC checksums by default, which several
            # S3-compatible servers reject; only send them where S3 requires it.
            "request_checksum_calculation": "when_required",
            "response_checksum_validation": "when_required",
        }
        try:
            config = Config(**options)
        except TypeError:
            del options["request_checksum_calculation"], options["response_checksum_validation"]
            config = Config(**options)
        self.client: S3Client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config,
        )

    def object_key(self, key: str) -> str:
        """The S3 object key for a storage key."""
        return self.prefix + validate_key(key)

    async def begin_upload(self, key: str) -> S3Upload:
        return S3Upload(self, key, self.object_key(key))

    def _stat_sync(self, key: str, object_key: str) -> StoredFile | None:
        try:
            with _translate("stat of", key):
                head = self.client.head_object(Bucket=self.bucket, Key=object_key)
        except NotFoundError:
            return None
        return StoredFile(
            key=key,
            size=head["ContentLength"],
            modified=head["LastModified"].astimezone(UTC),
            etag=_etag(head.get("ETag")),
        )

    async def stat(self, key: str) -> StoredFile | None:
        return await run_sync(self._stat_sync, key, self.object_key(key))

    def _get_sync(self, key: str, object_key: str, start: int, end: int | None) -> StreamingBody:
        with _translate("reading", key):
            if start == 0 and end is None:
                # A plain GET, so empty objects (where no byte range exists) can be read.
                return self.client.get_object(Bucket=self.bucket, Key=object_key)["Body"]
            byte_range = f"bytes={start}-" if end is None else f"bytes={start}-{end}"
            return self.client.get_object(Bucket=self.bucket, Key=object_key, Range=byte_range)["Body"]

    async def open_range(
        self, key: str, start: int = 0, end: int | None = None
    ) -> AsyncGenerator[bytes, None]:
        object_key = self.object_key(key)
        # Reject malformed ranges locally: S3 ignores them and sends the whole object.
        check_range(start, end)
        body = await run_sync(self._get_sync, key, object_key, start, end)
        try:
            while True:
                with _translate("reading", key):
                    data = await run_sync(body.read, READ_CHUNK_SIZE)
                if not data:
                    return
                yield data
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        object_key = self.object_key(key)

        def delete_sync() -> None:
            with _translate("deleting", key):
                self.client.delete_object(Bucket=self.bucket, Key=object_key)

        await run_sync(delete_sync)

    def local_path(self, key: str) -> None:
        validate_key(key)
        return None

    def _download_sync(self, key: str, object_key: str) -> Path:
        with _translate("downloading", key):
            body = self.client.get_object(Bucket=self.bucket, Key=object_key)["Body"]
        # Keep the extension: media libraries sniff formats by it.
        suffix = PurePosixPath(key).suffix
        with body:
            try:
                fd, name = tempfile.mkstemp(prefix="filmroll-", suffix=suffix, dir=self.temp_dir)
            except OSError as exc:
                raise StorageError(f"cannot create a temporary file for {key!r}: {exc}") from exc
            path = Path(name)
            done = False
            try:
                with os.fdopen(fd, "wb") as out, _translate("downloading", key):
                    shutil.copyfileobj(body, out, PART_SIZE)
                done = True
            except StorageError:
                raise
            except OSError as exc:
                raise StorageError(f"downloading {key!r} failed: {exc}") from exc
            finally:
                if not done:
                    path.unlink(missing_ok=True)
        return path

    @contextlib.asynccontextmanager
    async def fetch_to_temp(self, key: str) -> AsyncIterator[Path]:
        path = await run_sync(self._download_sync, key, self.object_key(key))
        try:
            yield path
        finally:
            with anyio.CancelScope(shield=True):
                await run_sync(lambda: path.unlink(missing_ok=True))

    def _put_file_sync(self, key: str, source: Path) -> StoredFile:
        upload = S3Upload(self, key, self.object_key(key))
        try:
            with open(source, "rb") as src:
                while chunk := src.read(PART_SIZE):
                    upload._write_sync(chunk)
            return upload._commit_sync()
        except StorageError:
            raise
        except OSError as exc:
            raise StorageError(f"cannot read {source}: {exc}") from exc
        finally:
            upload._abort_quietly()

    async def put_file(self, key: str, path: Path) -> StoredFile:
        self.object_key(key)
        return await run_sync(self._put_file_sync, key, Path(path))

    def _last_activity(self, object_key: str, upload_id: str, initiated: datetime) -> datetime | None:
        """When the upload last received a part (or started); None once it is gone."""
        latest = initiated
        try:
            pages = self.client.get_paginator("list_parts").paginate(
                Bucket=self.bucket, Key=object_key, UploadId=upload_id
            )
            for page in pages:
                for part in page.get("Parts", []):
                    latest = max(latest, part["LastModified"])
        except ClientError as exc:
            if _error_code(exc) == _NO_SUCH_UPLOAD:
                return None
            raise
        return latest

    def _remove_partials_sync(self, idle_for: timedelta | None) -> int:
        cutoff = None if idle_for is None else datetime.now(UTC) - idle_for
        removed = 0
        for top in KEY_ROOTS:
            prefix = f"{self.prefix}{top}/"
            with _translate("listing incomplete uploads under", f"{top}/"):
                pages = self.client.get_paginator("list_multipart_uploads").paginate(
                    Bucket=self.bucket, Prefix=prefix
                )
                for page in pages:
                    for upload in page.get("Uploads", []):
                        object_key, upload_id = upload["Key"], upload["UploadId"]
                        if cutoff is not None:
                            last = self._last_activity(object_key, upload_id, upload["Initiated"])
                            if last is None or last > cutoff:
                                continue
                        try:
                            self.client.abort_multipart_upload(
                                Bucket=self.bucket, Key=object_key, UploadId=upload_id
                            )
                        except ClientError as exc:
                            if _error_code(exc) == _NO_SUCH_UPLOAD:
                                continue  # completed or aborted meanwhile
                            raise
                        removed += 1
        return removed

    async def remove_stale_partials(self, idle_for: timedelta | None = None) -> int:
        """Abort incomplete multipart uploads; "idle" means no part received for ``idle_for``."""
        return await run_sync(self._remove_partials_sync, idle_for)
