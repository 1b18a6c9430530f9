"""Metadata extraction against the real fixture photos and a few generated files.

Dimensions: the manifest records the stored pixel size, which is what Immich reports as
exifImageWidth/Height. `width/height` are display dimensions after orientation, so they
differ only for rotated files (arrow.heic, EXIF orientation 6, is stored 4032x3024 and
shown 3024x4032).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from filmroll.media import MediaType, UnsupportedMedia, extract, format_duration

from .photos import fixture_path, photo

DATETIME_ORIGINAL = 0x9003
OFFSET_TIME_ORIGINAL = 0x9011
EXIF_IFD = 0x8769
ORIENTATION = 0x0112
MAKE = 0x010F
MODEL = 0x0110


def test_manifest_fields(manifest_entry: dict[str, Any]) -> None:
    path = fixture_path(manifest_entry)
    meta = extract(path, path.name)

    assert meta.mime_type == manifest_entry["mime"]
    assert meta.file_size_in_byte == manifest_entry["bytes"]
    assert meta.make == manifest_entry["make"]
    assert meta.model == manifest_entry["model"]
    expected_wall = datetime.strptime(manifest_entry["dateTimeOriginal"], "%Y:%m:%d %H:%M:%S")
    assert meta.local_date_time is not None
    assert meta.local_date_time.replace(microsecond=0) == expected_wall
    assert meta.date_time_original is not None and meta.date_time_original.tzinfo is not None
    assert (meta.exif_image_width, meta.exif_image_height) == (
        manifest_entry["width"],
        manifest_entry["height"],
    )
    if meta.orientation in ("5", "6", "7", "8"):
        assert (meta.width, meta.height) == (manifest_entry["height"], manifest_entry["width"])
    else:
        assert (meta.width, meta.height) == (manifest_entry["width"], manifest_entry["height"])
    if manifest_entry["gps"] is None:
        assert meta.latitude is None and meta.longitude is None
    else:
        assert meta.latitude == pytest.approx(manifest_entry["gps"][0], abs=1e-4)
        assert meta.longitude == pytest.approx(manifest_entry["gps"][1], abs=1e-4)


def test_gps_gives_place_and_zone() -> None:
    meta = extract(photo("exif-parser/starfish.jpg"), "starfish.jpg")
    assert (meta.city, meta.state, meta.country) == ("List", "Schleswig-Holstein", "Germany")
    assert meta.time_zone == "Europe/Berlin"
    # No offset tag: the wall clock is read in the GPS zone (CEST, UTC+2 in May).
    assert meta.date_time_original == datetime(2013, 5, 10, 13, 21, 35, tzinfo=UTC)


def test_offset_tag_wins_over_gps_zone() -> None:
    meta = extract(photo("pillow-heif/empty_icc.heic"), "empty_icc.heic")
    assert meta.country == "Ukraine"
    assert meta.time_zone == "UTC+3"
    assert meta.date_time_original == datetime(2021, 7, 6, 13, 8, 14, 164000, tzinfo=UTC)
    assert meta.local_date_time == datetime(2021, 7, 6, 16, 8, 14, 164000)


def test_no_zone_information_means_utc() -> None:
    meta = extract(photo("node-exif/sony-alpha-6000.jpg"), "sony-alpha-6000.jpg")
    assert meta.time_zone is None
    assert meta.date_time_original == datetime(2014, 4, 18, 20, 33, 53, tzinfo=UTC)
    assert meta.lens_model == "E PZ 16-50mm F3.5-5.6 OSS"
    assert meta.exposure_time == "6"
    assert (meta.f_number, meta.focal_length, meta.iso) == (8.0, 22.0, 100)


def test_camera_settings_use_immich_formats() -> None:
    meta = extract(photo("exif-parser/starfish.jpg"), "starfish.jpg")
    assert meta.exposure_time == "1/319"
    assert meta.f_number == pytest.approx(2.2)
    assert meta.iso == 100
    assert meta.orientation == "1"


def test_heic_rotation_is_reported() -> None:
    meta = extract(photo("pillow-heif/arrow.heic"), "arrow.heic")
    assert meta.orientation == "6"
    assert (meta.exif_image_width, meta.exif_image_height) == (4032, 3024)
    assert (meta.width, meta.height) == (3024, 4032)
    assert meta.profile_description == "Display P3"


def test_video_duration_and_fps() -> None:
    meta = extract(photo("pymediainfo/sample.mp4"), "sample.mp4")
    assert meta.media_type is MediaType.VIDEO
    assert meta.duration == "00:00:01.043"
    assert meta.fps == pytest.approx(23.976, abs=1e-3)
    assert meta.date_time_original == datetime(2016, 2, 6, 0, 53, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0, "00:00:00.000"), (5.123, "00:00:05.123"), (3725.5, "01:02:05.500"), (None, None)],
)
def test_duration_format(seconds: float | None, expected: str | None) -> None:
    assert format_duration(seconds) == expected


def _exif(orientation: int | None = None, offset: str | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[MAKE] = "Filmroll"
    exif[MODEL] = "Test Cam"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    ifd = exif.get_ifd(EXIF_IFD)
    ifd[DATETIME_ORIGINAL] = "2021:03:04 05:06:07"
    if offset is not None:
        ifd[OFFSET_TIME_ORIGINAL] = offset
    return exif


@pytest.mark.parametrize(
    ("fmt", "suffix", "mime"), [("PNG", ".png", "image/png"), ("WEBP", ".webp", "image/webp")]
)
def test_generated_png_and_webp(tmp_path: Path, fmt: str, suffix: str, mime: str) -> None:
    target = tmp_path / f"generated{suffix}"
    Image.new("RGBA", (40, 30), (10, 200, 30, 128)).save(target, fmt, exif=_exif(offset="-04:30"))
    meta = extract(target, target.name)
    assert meta.mime_type == mime
    assert (meta.width, meta.height) == (40, 30)
    assert (meta.make, meta.model) == ("Filmroll", "Test Cam")
    assert meta.local_date_time == datetime(2021, 3, 4, 5, 6, 7)
    assert meta.time_zone == "UTC-04:30"
    assert meta.date_time_original == datetime(2021, 3, 4, 9, 36, 7, tzinfo=UTC)


def test_image_without_any_metadata(tmp_path: Path) -> None:
    target = tmp_path / "plain.png"
    Image.new("L", (7, 9)).save(target)
    meta = extract(target, target.name)
    assert (meta.width, meta.height) == (7, 9)
    assert meta.date_time_original is None and meta.local_date_time is None
    assert meta.make is None and meta.description == ""


def test_exif_orientation_swaps_display_size(tmp_path: Path) -> None:
    target = tmp_path / "rotated.jpg"
    Image.new("RGB", (64, 32), "white").save(target, "JPEG", exif=_exif(orientation=6))
    meta = extract(target, target.name)
    assert meta.orientation == "6"
    assert (meta.exif_image_width, meta.exif_image_height) == (64, 32)
    assert (meta.width, meta.height) == (32, 64)


def test_truncated_jpeg_is_rejected(tmp_path: Path) -> None:
    data = photo("node-exif/short-ascii-II.jpg").read_bytes()
    target = tmp_path / "truncated.jpg"
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(UnsupportedMedia):
        extract(target, target.name)


def test_jpeg_header_followed_by_garbage_is_rejected(tmp_path: Path) -> None:
    target = tmp_path / "garbage.jpg"
    target.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(4096))
    with pytest.raises(UnsupportedMedia):
        extract(target, target.name)


def test_random_bytes_are_rejected(tmp_path: Path) -> None:
    target = tmp_path / "noise.mp4"
    target.write_bytes(os.urandom(8192))
    with pytest.raises(UnsupportedMedia):
        extract(target, target.name)


def test_truncated_video_is_rejected(tmp_path: Path) -> None:
    target = tmp_path / "cut.mp4"
    target.write_bytes(photo("pymediainfo/sample.mp4").read_bytes()[:2000])
    with pytest.raises(UnsupportedMedia):
        extract(target, target.name)
