"""Decoding limits: over-large images are refused before decoding, large JPEGs decode reduced."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest
from PIL import Image

from filmroll.media import ImageTooLarge, MediaType, extract, render
from filmroll.media.thumbnails import _reduce


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """144 megapixels of one colour in a PNG of about 0.45 MB, its EXIF behind the pixels."""
    buf = io.BytesIO()
    Image.new("RGB", (12_000, 12_000), (10, 200, 30)).save(buf, "PNG", compress_level=9)
    path = tmp_path_factory.mktemp("bomb") / "bomb.png"
    path.write_bytes(_with_late_exif(buf.getvalue(), 6))
    return path


def test_bomb_is_refused_before_decoding_and_keeps_its_metadata(bomb: Path, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        from pathlib import Path
        from filmroll.media import ImageTooLarge, MediaType, extract, render

        def peak():
            status = Path("/proc/self/status").read_text().splitlines()
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) // 1024

        before = peak()
        meta = extract(Path({str(bomb)!r}), "bomb.png")
        try:
            render(Path({str(bomb)!r}), MediaType.IMAGE, Path({str(tmp_path)!r}))
        except ImageTooLarge as exc:
            refused = str(exc)
        else:
            refused = ""
        print(meta.width, meta.height, meta.orientation, peak() - before, refused)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    width, height, orientation, growth, refused = out.stdout.split(maxsplit=4)
    assert (int(width), int(height), orientation) == (12_000, 12_000, "6")
    assert int(growth) < 50, f"{growth} MiB while only headers should be read"
    assert "12000x12000" in refused and "above the decoding limit of 50.0 megapixels" in refused
    assert list(tmp_path.iterdir()) == []


def test_large_jpeg_decodes_reduced_within_the_limit(tmp_path: Path) -> None:
    source = tmp_path / "big.jpg"
    Image.new("RGB", (8_000, 6_000), (120, 40, 200)).save(source, quality=70)
    # 48 megapixels stored, but draft mode decodes 1/4 scale (2000x1500 = 3 megapixels).
    rendered = render(source, MediaType.IMAGE, tmp_path / "out", max_pixels=3_000_000)
    assert rendered.preview_size == (1440, 1080)
    png = tmp_path / "big.png"
    Image.new("RGB", (2_000, 1_600), (120, 40, 200)).save(png)
    with pytest.raises(ImageTooLarge):
        render(png, MediaType.IMAGE, tmp_path / "out", max_pixels=3_000_000)
    assert extract(png, "big.png", max_pixels=3_000_000).width == 2_000


def test_reducing_in_strips_matches_pillow() -> None:
    gradient = Image.linear_gradient("L").resize((1001, 777))
    bands = [gradient, gradient.rotate(90), gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT), gradient]
    image = Image.merge("RGBA", bands)
    for factor in (2, 3, 7):
        assert _reduce(image, factor).tobytes() == image.reduce(factor).tobytes()


def _with_late_exif(png: bytes, orientation: int) -> bytes:
    """`png` with an eXIf chunk after the pixel data, where Pillow finds it only by decoding."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = exif.tobytes()
    chunk = struct.pack(">I", len(data)) + b"eXIf" + data + struct.pack(">I", zlib.crc32(b"eXIf" + data))
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + chunk + png[iend:]


def test_exif_after_the_pixels_is_read_without_decoding(tmp_path: Path) -> None:
    source = tmp_path / "late.png"
    buf = io.BytesIO()
    image = Image.new("RGB", (200, 100), "white")
    image.paste((255, 0, 0), (0, 0, 100, 100))
    image.save(buf, "PNG")
    source.write_bytes(_with_late_exif(buf.getvalue(), 6))
    meta = extract(source, "late.png")
    assert meta.orientation == "6" and (meta.width, meta.height) == (100, 200)
    rendered = render(source, MediaType.IMAGE, tmp_path)
    assert rendered.preview_size == (100, 200)
