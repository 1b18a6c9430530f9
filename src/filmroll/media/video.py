"""Video probing and frame grabbing with PyAV (FFmpeg's libraries, no ffprobe process)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
from PIL import Image

from filmroll.media.types import UnsupportedMedia

# How far into a video the poster frame is taken: past fade-ins, but cheap to reach.
POSTER_FRACTION = 0.1
POSTER_MAX_SECONDS = 3.0
_MAX_FRAMES_AFTER_SEEK = 600


@dataclass(frozen=True, slots=True)
class VideoInfo:
    """Facts about the first video stream; `width/height` are the coded (unrotated) size."""

    width: int
    height: int
    rotation: int
    duration: float | None
    fps: float | None
    tags: dict[str, str]

    @property
    def orientation(self) -> int:
        """EXIF-style orientation equivalent to the display rotation, as Immich maps it."""
        return {0: 1, -90: 6, 270: 6, 90: 8, -270: 8, 180: 3, -180: 3}.get(self.rotation, 1)

    @property
    def display_size(self) -> tuple[int, int]:
        if self.orientation in (6, 8):
            return self.height, self.width
        return self.width, self.height


@contextlib.contextmanager
def _open(path: Path) -> Iterator[Any]:
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise UnsupportedMedia(f"cannot read video: {exc}") from exc
    try:
        if not container.streams.video:
            raise UnsupportedMedia("file has no video stream")
        yield container
    finally:
        container.close()


def _first_frame(container: Any) -> Any:
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    try:
        for frame in container.decode(stream):
            return frame
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise UnsupportedMedia(f"cannot decode video: {exc}") from exc
    raise UnsupportedMedia("video has no decodable frame")


def probe(path: Path) -> VideoInfo:
    """Read stream facts and tags; decodes one frame, which also proves the file is playable."""
    with _open(path) as container:
        stream = container.streams.video[0]
        frame = _first_frame(container)
        duration: float | None = None
        if container.duration is not None and container.duration > 0:
            duration = container.duration / av.time_base
        elif stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        rate = stream.average_rate or stream.guessed_rate
        tags: dict[str, str] = {}
        # Stream tags first so that container (movie header) tags win, as exiftool reports them.
        for source in (stream.metadata, container.metadata):
            tags.update({str(k).lower(): str(v) for k, v in source.items()})
        return VideoInfo(
            width=int(stream.codec_context.width or frame.width),
            height=int(stream.codec_context.height or frame.height),
            rotation=round(frame.rotation or 0),
            duration=duration,
            fps=round(float(rate), 3) if rate else None,
            tags=tags,
        )


def _upright(frame: Any, max_side: int | None) -> Image.Image:
    width, height = frame.width, frame.height
    if max_side is not None and max(width, height) > max_side:
        scale = max_side / max(width, height)
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
    image: Image.Image = frame.to_image(width=width, height=height)
    rotation = round(frame.rotation or 0)
    if rotation % 360:
        image = image.rotate(rotation, expand=True)
    return image


def poster_frame(path: Path, max_side: int | None = None) -> Image.Image:
    """An upright RGB frame from a little way into the video (the first frame as fallback).

    `max_side` lets the scaler shrink 4K frames during colour conversion instead of after.
    """
    with _open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        duration = container.duration / av.time_base if container.duration else 0.0
        target = min(duration * POSTER_FRACTION, POSTER_MAX_SECONDS)
        if target > 0 and stream.time_base is not None:
            try:
                container.seek(int(target / stream.time_base), stream=stream, backward=True)
                for count, frame in enumerate(container.decode(stream)):
                    if (frame.time is not None and frame.time >= target) or count >= _MAX_FRAMES_AFTER_SEEK:
                        return _upright(frame, max_side)
            except (av.FFmpegError, OSError, ValueError):
                pass
    with _open(path) as container:
        return _upright(_first_frame(container), max_side)
