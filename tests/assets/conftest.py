"""The asset tests also run uploads against the real S3-compatible server of the storage tests."""

from tests.storage.conftest import s3_client, s3_endpoint

__all__ = ["s3_client", "s3_endpoint"]
