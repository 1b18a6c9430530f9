"""Test data helpers shared by the storage tests."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from filmroll.storage import LocalStorage, S3Storage, Storage
from filmroll.storage.local import PART_MARKER

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

BUCKET = "filmroll-test"
REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"


@dataclass
class Backend:
    """A storage under test plus backend-specific ways to look for leftovers."""

    kind: str
    storage: Storage
    root: Path | None = None
    s3: S3Client | None = None

    def files(self) -> list[str]:
        """Every stored object/file, including temporary ones, as keys."""
        if isinstance(self.storage, LocalStorage):
            assert self.root is not None
            return sorted(p.relative_to(self.root).as_posix() for p in self.root.rglob("*") if p.is_file())
        assert isinstance(self.storage, S3Storage) and self.s3 is not None
        prefix = self.storage.prefix
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=BUCKET, Prefix=prefix)
        return sorted(obj["Key"][len(prefix) :] for page in pages for obj in page.get("Contents", []))

    def in_progress(self) -> list[str]:
        """Traces of unfinished uploads: ``.part`` files, or open multipart uploads."""
        if isinstance(self.storage, LocalStorage):
            assert self.root is not None
            return sorted(str(p) for p in self.root.rglob(f"*{PART_MARKER}*"))
        assert isinstance(self.storage, S3Storage) and self.s3 is not None
        prefix = self.storage.prefix
        uploads = self.s3.list_multipart_uploads(Bucket=BUCKET, Prefix=prefix)
        return sorted(u["Key"][len(prefix) :] for u in uploads.get("Uploads", []))


def chunks(total: int, chunk_size: int = 1024 * 1024, seed: int = 0) -> Iterator[bytes]:
    """Deterministic pseudo-random data, generated one chunk at a time."""
    rng = random.Random(seed)
    remaining = total
    while remaining > 0:
        n = min(chunk_size, remaining)
        remaining -= n
        yield rng.randbytes(n)


def data(total: int, seed: int = 0) -> bytes:
    return b"".join(chunks(total, seed=seed))


async def collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])
