from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from filmroll.media import MediaType, UnsupportedMedia, detect, media_types

from .photos import fixture_path


def test_fixture_types_match_manifest(manifest_entry: dict[str, Any]) -> None:
    path = fixture_path(manifest_entry)
    media_type, mime = detect(path, path.name)
    assert mime == manifest_entry["mime"]
    expected = MediaType.VIDEO if manifest_entry["mime"].startswith("video/") else MediaType.IMAGE
    assert media_type is expected


def test_content_wins_over_extension(tmp_path: Path) -> None:
    renamed = tmp_path / "holiday.jpg"
    Image.new("RGB", (4, 4), "red").save(renamed, "PNG")
    assert detect(renamed, renamed.name) == (MediaType.IMAGE, "image/png")


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [("PNG", "image/png"), ("WEBP", "image/webp"), ("GIF", "image/gif"), ("TIFF", "image/tiff")],
)
def test_generated_images_are_recognised(tmp_path: Path, fmt: str, mime: str) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, fmt)
    target = tmp_path / f"x.{fmt.lower()}"
    target.write_bytes(buffer.getvalue())
    assert detect(target, target.name) == (MediaType.IMAGE, mime)


@pytest.mark.parametrize("content", [b"", os.urandom(2048), b"just some text, not a photo\n" * 10])
def test_unknown_content_is_rejected(tmp_path: Path, content: bytes) -> None:
    target = tmp_path / "photo.jpg"
    target.write_bytes(content)
    with pytest.raises(UnsupportedMedia):
        detect(target, target.name)


def test_missing_file_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia):
        detect(tmp_path / "nope.jpg", "nope.jpg")


def test_media_types_shape() -> None:
    types = media_types()
    assert set(types) == {"image", "video", "sidecar"}
    assert {".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif", ".gif", ".tif", ".tiff"} <= set(
        types["image"]
    )
    assert {".mp4", ".mov", ".webm", ".mkv"} <= set(types["video"])
    assert types["sidecar"] == [".xmp"]
    for extensions in types.values():
        assert all(ext.startswith(".") and ext == ext.lower() for ext in extensions)
