from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import av
import pytest
import thumbhash
from PIL import Image

from filmroll.media import MediaType, UnsupportedMedia, render

from .photos import fixture_path, photo

ORIENTATION = 0x0112


def _media_type(entry: dict[str, Any]) -> MediaType:
    return MediaType.VIDEO if entry["mime"].startswith("video/") else MediaType.IMAGE


def _check_outputs(out_dir: Path, rendered: Any, source_size: tuple[int, int]) -> None:
    with Image.open(rendered.preview_path) as preview:
        assert preview.format == "JPEG"
        assert preview.size == rendered.preview_size
        assert max(preview.size) <= 1440
        assert max(preview.size) == min(1440, max(source_size))
    with Image.open(rendered.thumbnail_path) as thumb:
        assert thumb.format == "WEBP"
        assert thumb.size == rendered.thumbnail_size
        assert max(thumb.size) <= 250
    assert isinstance(rendered.thumbhash, bytes) and rendered.thumbhash
    width, height, rgba = thumbhash.thumb_hash_to_rgba(list(rendered.thumbhash))
    assert width > 0 and height > 0 and len(rgba) == width * height * 4
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        [rendered.preview_path.name, rendered.thumbnail_path.name]
    ), "no temporary files may be left behind"


def test_every_fixture_renders(manifest_entry: dict[str, Any], tmp_path: Path) -> None:
    rendered = render(fixture_path(manifest_entry), _media_type(manifest_entry), tmp_path, name="asset")
    assert rendered.preview_path == tmp_path / "asset-preview.jpeg"
    assert rendered.thumbnail_path == tmp_path / "asset-thumbnail.webp"
    _check_outputs(tmp_path, rendered, (manifest_entry["width"], manifest_entry["height"]))


def test_heic_rotation_is_applied(tmp_path: Path) -> None:
    rendered = render(photo("pillow-heif/arrow.heic"), MediaType.IMAGE, tmp_path)
    assert rendered.preview_size == (1080, 1440)
    with Image.open(rendered.preview_path) as preview:
        assert preview.info.get("icc_profile"), "colour profile kept so P3 photos display correctly"


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    source = tmp_path / "src" / "rotated.jpg"
    source.parent.mkdir()
    image = Image.new("RGB", (200, 100), "white")
    image.paste((255, 0, 0), (0, 0, 100, 100))  # left half red as stored
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # display rotated 90 degrees clockwise: red ends up on top
    image.save(source, "JPEG", exif=exif, quality=95)
    out = tmp_path / "out"
    rendered = render(source, MediaType.IMAGE, out)
    assert rendered.preview_size == (100, 200)
    with Image.open(rendered.preview_path) as preview:
        pixel = preview.convert("RGB").getpixel((50, 40))
        assert isinstance(pixel, tuple)
        red, green, blue = pixel[:3]
        assert red > 200 and green < 60 and blue < 60


def test_large_jpeg_is_downscaled(tmp_path: Path) -> None:
    rendered = render(photo("node-exif/sony-alpha-6000.jpg"), MediaType.IMAGE, tmp_path)
    assert rendered.preview_size == (1440, 960)
    assert rendered.thumbnail_size == (250, 167)


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", ".png"), ("WEBP", ".webp"), ("GIF", ".gif")])
def test_generated_images_render(tmp_path: Path, fmt: str, suffix: str) -> None:
    source = tmp_path / "src" / f"pic{suffix}"
    source.parent.mkdir()
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    image.paste((0, 120, 255, 255), (0, 0, 150, 120))
    image.save(source, fmt)
    out = tmp_path / "out"
    rendered = render(source, MediaType.IMAGE, out)
    _check_outputs(out, rendered, (300, 120))
    with Image.open(rendered.preview_path) as preview:
        assert preview.mode == "RGB"
    with Image.open(rendered.thumbnail_path) as thumb:
        assert thumb.size == (250, 100)


def test_rotated_video_poster_is_upright(tmp_path: Path) -> None:
    source = tmp_path / "src" / "portrait.mp4"
    source.parent.mkdir()
    with av.open(str(source), "w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 32, "yuv420p"
        stream.set_display_rotation(-90)
        for _ in range(20):
            frame = av.VideoFrame.from_image(Image.new("RGB", (64, 32), (0, 200, 0)))  # type: ignore[no-untyped-call]
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    out = tmp_path / "out"
    rendered = render(source, MediaType.VIDEO, out)
    assert rendered.preview_size == (32, 64)
    _check_outputs(out, rendered, (32, 64))


def test_rerender_replaces_outputs(tmp_path: Path) -> None:
    first = render(photo("piexif/r_sony.jpg"), MediaType.IMAGE, tmp_path, name="same")
    second = render(photo("piexif/02.jpg"), MediaType.IMAGE, tmp_path, name="same")
    assert first.preview_path == second.preview_path
    assert first.thumbhash != second.thumbhash
    assert len(list(tmp_path.iterdir())) == 2


@pytest.mark.parametrize("media_type", [MediaType.IMAGE, MediaType.VIDEO])
def test_undecodable_input_is_rejected(tmp_path: Path, media_type: MediaType) -> None:
    source = tmp_path / "broken.bin"
    source.write_bytes(os.urandom(4096))
    out = tmp_path / "out"
    with pytest.raises(UnsupportedMedia):
        render(source, media_type, out)
    assert not out.exists() or not any(out.iterdir())


def test_truncated_jpeg_is_rejected(tmp_path: Path) -> None:
    data = photo("node-exif/short-ascii-II.jpg").read_bytes()
    source = tmp_path / "truncated.jpg"
    source.write_bytes(data[: len(data) // 3])
    with pytest.raises(UnsupportedMedia):
        render(source, MediaType.IMAGE, tmp_path / "out")
