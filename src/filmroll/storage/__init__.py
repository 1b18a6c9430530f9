"""File storage for asset originals and derived files.

The rest of the server only sees :class:`Storage`; which backend is used is a
deployment setting passed to :func:`create_storage`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from .base import READ_CHUNK_SIZE, Storage, StoredFile, Upload
from .errors import InvalidRangeError, NotFoundError, StorageError
from .keys import asset_key, derived_key, validate_key
from .local import LocalStorage
from .s3 import PART_SIZE, S3Storage

__all__ = [
    "PART_SIZE",
    "READ_CHUNK_SIZE",
    "InvalidRangeError",
    "LocalStorage",
    "NotFoundError",
    "S3Storage",
    "Storage",
    "StorageError",
    "StoredFile",
    "Upload",
    "asset_key",
    "create_storage",
    "derived_key",
    "validate_key",
]


def create_storage(
    kind: Literal["local", "s3"],
    *,
    root: Path,
    s3_bucket: str | None = None,
    s3_endpoint_url: str | None = None,
    s3_region: str | None = None,
    s3_access_key_id: str | None = None,
    s3_secret_access_key: str | None = None,
    s3_prefix: str = "",
) -> Storage:
    """Build the configured backend.

    ``root`` is the library directory for ``"local"``; the S3 backend does not use
    it. S3 credentials left as None fall back to boto3's usual sources
    (environment, config files, instance roles).
    """
    if kind == "local":
        return LocalStorage(Path(root))
    if kind == "s3":
        if not s3_bucket:
            raise ValueError("s3 storage needs a bucket name")
        return S3Storage(
            bucket=s3_bucket,
            endpoint_url=s3_endpoint_url,
            region=s3_region,
            access_key=s3_access_key_id,
            secret_key=s3_secret_access_key,
            prefix=s3_prefix,
        )
    raise ValueError(f"unknown storage kind: {kind!r}")
