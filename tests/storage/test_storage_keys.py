"""Key layout helpers and the backend factory."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from filmroll.storage import LocalStorage, S3Storage, asset_key, create_storage, derived_key, validate_key


def test_asset_key_layout() -> None:
    when = datetime(2024, 3, 7, 23, 59, tzinfo=UTC)
    assert asset_key("owner-1", when, "asset-9", ".HEIC") == "library/owner-1/2024/03/asset-9.HEIC"
    assert asset_key("o", datetime(999, 12, 1), "a", "jpg") == "library/o/0999/12/a.jpg"
    assert asset_key("o", when, "a", "") == "library/o/2024/03/a"


def test_derived_key_layout() -> None:
    assert derived_key("owner-1", "abcdef", "thumbnail", ".webp") == "thumbs/owner-1/ab/abcdef-thumbnail.webp"
    assert derived_key("o", "x", "preview", "jpeg") == "thumbs/o/x/x-preview.jpeg"


@pytest.mark.parametrize("bad", ["", ".", "..", "a/b", "a\\b", "/a"])
def test_layout_helpers_reject_unsafe_ids(bad: str) -> None:
    when = datetime(2024, 1, 1)
    with pytest.raises(ValueError):
        asset_key(bad, when, "a", ".jpg")
    with pytest.raises(ValueError):
        asset_key("o", when, bad, ".jpg")
    with pytest.raises(ValueError):
        derived_key(bad, "asset", "preview", ".jpg")
    with pytest.raises(ValueError):
        derived_key("o", bad, "preview", ".jpg")


def test_derived_key_fan_out_cannot_form_a_parent_segment() -> None:
    with pytest.raises(ValueError):
        derived_key("o", "..abc", "preview", ".jpg")


def test_derived_key_rejects_unknown_kind() -> None:
    with pytest.raises(ValueError):
        derived_key("o", "a", "original", ".jpg")  # type: ignore[arg-type]


def test_extension_cannot_add_path_segments() -> None:
    with pytest.raises(ValueError):
        asset_key("o", datetime(2024, 1, 1), "a", "/../../x")


@pytest.mark.parametrize("key", ["a", "a/b/c.jpg", "a b/ü.JPG", "a..b", ".hidden", "...", "a.part-1"])
def test_valid_keys(key: str) -> None:
    assert validate_key(key) == key


def test_factory(tmp_path: Path) -> None:
    local = create_storage("local", root=tmp_path)
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path
    s3 = create_storage(
        "s3",
        root=tmp_path,
        s3_bucket="b",
        s3_endpoint_url="http://127.0.0.1:1",
        s3_region="us-east-1",
        s3_access_key_id="k",
        s3_secret_access_key="s",
        s3_prefix="p",
    )
    assert isinstance(s3, S3Storage)
    assert s3.object_key("x.jpg") == "p/x.jpg"
    with pytest.raises(ValueError):
        create_storage("s3", root=tmp_path, s3_bucket=None)
    with pytest.raises(ValueError):
        create_storage("ftp", root=tmp_path)  # type: ignore[arg-type]
