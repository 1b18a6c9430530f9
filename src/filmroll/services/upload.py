"""Streaming asset uploads: multipart body -> storage, SHA-1 on the fly, row only when durable.

The request body is parsed incrementally (python-multipart's callback parser), so a file
never sits whole in memory or in a spooled temp file: each chunk is hashed and written
to a storage upload under a temporary name. The upload is published only after the
fields validate, the format is supported and the content decodes; the database row (and
its jobs) are committed after that, and the file is removed again if the commit fails.
Any failure or disconnect before then aborts the upload, so nothing is left behind.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

import anyio.to_thread
import sqlalchemy.exc
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlalchemy.engine import Connection

from filmroll import media
from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.errors import BadRequest, ServiceUnavailable
from filmroll.ids import new_id
from filmroll.jobs.assets import METADATA, THUMBNAILS
from filmroll.media.imaging import DECODE_ERRORS, bounded_decode, open_image
from filmroll.media.video import probe
from filmroll.repositories import assets as assets_repo
from filmroll.repositories import jobs as jobs_repo
from filmroll.repositories import users as users_repo
from filmroll.services import events, shared_links
from filmroll.services.asset_metadata import Pair, parse_upload_field, store_on_upload
from filmroll.services.auth import LinkGrant
from filmroll.storage import Storage, StorageError, Upload, asset_key
from filmroll.timefmt import to_naive_utc

FILE_FIELD = "assetData"
SIDECAR_FIELD = "sidecarData"
MAX_FIELD_BYTES = 64 * 1024
MAX_SIDECAR_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024
MAX_FILENAME = 255
"""Longest file name (the part's or the `filename` field): what common file systems allow."""
HEAD_BYTES = 4096

Visibility = Literal["archive", "timeline", "hidden", "locked"]


class UploadFields(BaseModel):
    """Immich's `AssetMediaCreateDto` minus the file parts."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")

    device_asset_id: Annotated[str, Field(max_length=400)] = ""
    device_id: Annotated[str, Field(max_length=400)] = ""
    file_created_at: datetime
    file_modified_at: datetime
    duration: Annotated[str, Field(max_length=40)] | None = None
    is_favorite: bool = False
    visibility: Visibility = "timeline"
    live_photo_video_id: uuid.UUID | None = None
    filename: Annotated[str, Field(max_length=MAX_FILENAME)] | None = None

    @field_validator("device_asset_id", "device_id", "duration", "filename")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        """PostgreSQL cannot store NUL characters in text."""
        if value is not None and "\x00" in value:
            raise ValueError("must not contain NUL characters")
        return value

    @field_validator("file_created_at", "file_modified_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        """Dates without a UTC equivalent (`0001-01-01T00:00:00+05:00`) fail validation: 400."""
        return to_naive_utc(value)


@dataclass(frozen=True, slots=True)
class UploadResult:
    id: uuid.UUID
    duplicate: bool


def parse_checksum(value: str) -> bytes | None:
    """`x-immich-checksum`: a SHA-1 as 40 hex digits or 28 base64 characters; None if neither."""
    value = value.strip()
    try:
        if len(value) == 40:
            return bytes.fromhex(value)
        raw = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == 20 else None


def _messages(exc: ValidationError) -> list[str]:
    out = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or "body"
        if err["type"] == "missing":
            out.append(f"{name} should not be empty")
        else:
            out.append(f"{name} {err['msg'][0].lower()}{err['msg'][1:]}")
    return out


@dataclass
class _Body:
    """State of one multipart body while it streams in."""

    fields: dict[str, str] = field(default_factory=dict)
    part_name: str | None = None
    part_filename: str | None = None
    headers: dict[str, bytes] = field(default_factory=dict)
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    value: bytearray = field(default_factory=bytearray)
    pending: list[bytes] = field(default_factory=list)
    file_parts: int = 0
    sidecar: bytearray | None = None
    error: str | None = None


class UploadService:
    """Accepts uploads into `storage` and records them in the database."""

    def __init__(
        self,
        db: Database,
        storage: Storage,
        on_enqueue: Callable[[], None] = lambda: None,
        bus: events.EventBus | None = None,
    ) -> None:
        self.db = db
        self.storage = storage
        self.on_enqueue = on_enqueue
        self.events = bus or events.EventBus()

    async def duplicate_of(self, owner_id: uuid.UUID, checksum_header: str | None) -> uuid.UUID | None:
        """The owner's asset with the checksum announced in `x-immich-checksum`, if any."""
        checksum = parse_checksum(checksum_header) if checksum_header else None
        if checksum is None:
            return None
        row = await self.db.read(lambda c: assets_repo.find_by_checksum(c, owner_id, checksum))
        return row.id if row is not None else None

    async def upload(
        self, owner_id: uuid.UUID, content_type: str, chunks: AsyncIterator[bytes]
    ) -> UploadResult:
        """Store one multipart upload; storage failures (disk full, S3 down) answer 503."""
        try:
            return await self._upload(owner_id, content_type, chunks)
        except StorageError as exc:
            raise ServiceUnavailable(f"Could not store the file: {exc}") from exc

    async def _upload(
        self, owner_id: uuid.UUID, content_type: str, chunks: AsyncIterator[bytes]
    ) -> UploadResult:
        mime, params = parse_options_header(content_type)
        boundary = params.get(b"boundary")
        if mime != b"multipart/form-data" or not boundary:
            raise BadRequest("Expected a multipart/form-data body")
        body = _Body()
        parser = MultipartParser(boundary, _callbacks(body))  # type: ignore[arg-type]
        asset_id = new_id()
        sha1 = hashlib.sha1()
        head = bytearray()
        size = 0
        async with contextlib.AsyncExitStack() as stack:
            upload: Upload | None = None
            async for chunk in chunks:
                _feed(parser, chunk)
                if body.error:
                    raise BadRequest(body.error)
                if body.pending:
                    data = b"".join(body.pending)
                    body.pending.clear()
                    if upload is None:
                        key = asset_key(str(owner_id), self._when(body), str(asset_id), self._ext(body))
                        upload = await stack.enter_async_context(await self.storage.begin_upload(key))
                    sha1.update(data)
                    if len(head) < HEAD_BYTES:
                        head += data[: HEAD_BYTES - len(head)]
                    size += len(data)
                    await upload.write(data)
            _feed(parser, None)
            if body.error:
                raise BadRequest(body.error)
            fields = self._validate(body)
            metadata = parse_upload_field(body.fields.get("metadata"))
            if upload is None:
                if body.file_parts:
                    raise BadRequest("assetData is empty")
                raise BadRequest(["assetData should not be empty"])
            filename = fields.filename or body.part_filename or "file"
            found = media.sniff(bytes(head), filename)
            if found is None:
                raise BadRequest(f"Unsupported file type {filename!r}")
            checksum = sha1.digest()
            existing = await self.db.read(lambda c: assets_repo.find_by_checksum(c, owner_id, checksum))
            if existing is not None:
                return UploadResult(existing.id, duplicate=True)
            media_type = await self._verify(upload, filename, found[0])
            stored = await upload.commit()
        if media_type is None:
            media_type = await self._verify_stored(stored.key, filename, found[0])
        written = [stored.key]
        try:
            sidecar_key = await self._store_sidecar(stored.key, body.sidecar)
        except BaseException:
            await self._delete(written)
            raise
        if sidecar_key is not None:
            written.append(sidecar_key)
        values = {
            "id": asset_id,
            "owner_id": owner_id,
            "device_asset_id": fields.device_asset_id,
            "device_id": fields.device_id,
            "type": media_type.value,
            "original_path": stored.key,
            "original_file_name": filename,
            "checksum": checksum,
            "file_size": size,
            "file_created_at": fields.file_created_at,
            "file_modified_at": fields.file_modified_at,
            "local_date_time": fields.file_created_at,
            "is_favorite": fields.is_favorite,
            "visibility": fields.visibility,
            "duration": fields.duration,
            "live_photo_video_id": fields.live_photo_video_id,
            "sidecar_path": sidecar_key,
        }
        try:
            async with self.events.collect() as outbox:
                link = shared_links.visitor()
                result = await self.db.write(lambda c: _record(c, values, outbox, metadata, link=link))
        except BaseException:
            await self._delete(written)
            raise
        if result.duplicate:
            await self._delete(written)
        else:
            self.on_enqueue()
        return result

    async def _store_sidecar(self, original_key: str, content: bytearray | None) -> str | None:
        """Store an XMP sidecar next to the original as `<original>.xmp`."""
        if not content:
            return None
        key = f"{original_key}.xmp"
        async with await self.storage.begin_upload(key) as upload:
            await upload.write(bytes(content))
            await upload.commit()
        return key

    async def _delete(self, keys: list[str]) -> None:
        with anyio.CancelScope(shield=True):
            for key in keys:
                await self.storage.delete(key)

    @staticmethod
    def _when(body: _Body) -> datetime:
        raw = body.fields.get("fileCreatedAt")
        if raw:
            with contextlib.suppress(ValueError):
                return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        return utcnow()

    @staticmethod
    def _ext(body: _Body) -> str:
        suffix = PurePosixPath(body.fields.get("filename") or body.part_filename or "").suffix.lower()
        return suffix if suffix.isascii() and len(suffix) <= 10 and "\x00" not in suffix else ""

    @staticmethod
    def _validate(body: _Body) -> UploadFields:
        try:
            return UploadFields.model_validate(body.fields)
        except ValidationError as exc:
            raise BadRequest(_messages(exc)) from exc

    @staticmethod
    async def _verify(upload: Upload, filename: str, sniffed: media.MediaType) -> media.MediaType | None:
        """Decode the content while it is still unpublished so damaged files are refused.

        Only local uploads have an unpublished file to read; for remote storage this
        returns None and `_verify_stored` checks images after the commit instead.
        """
        temp = getattr(upload, "temp_path", None)
        if temp is None:
            return None
        return await _decode(temp, filename)

    async def _verify_stored(self, key: str, filename: str, sniffed: media.MediaType) -> media.MediaType:
        """Remote storage: read back an image and delete it again if it does not decode.

        Videos are not downloaded again (they can be huge); a damaged one fails its
        metadata job instead, which is then recorded as failed.
        """
        if sniffed is not media.MediaType.IMAGE:
            return sniffed
        try:
            async with self.storage.fetch_to_temp(key) as path:
                return await _decode(path, filename)
        except BaseException:
            with anyio.CancelScope(shield=True):
                await self.storage.delete(key)
            raise


CHECK_DECODE_PIXELS = 4_000_000
"""Most pixels the upload check decodes (16 MB): a JPEG's 1/8-scale version or a small image.

Anything larger is checked from its headers only, because a small file can declare a huge
image and uploads must not hold its pixels; its jobs then find damaged data instead.
"""


def check_decodes(path: Path, filename: str) -> media.MediaType:
    """Refuse unsupported or damaged content cheaply: headers must parse, then a reduced
    decode (JPEG at 1/8 scale) of at most `CHECK_DECODE_PIXELS`, or one video frame.

    Full metadata extraction (geocoding included) is left to the job, so uploads stay fast.
    """
    media_type, _mime = media.detect(path, filename)
    if media_type is media.MediaType.VIDEO:
        probe(path)
        return media_type
    with open_image(path) as image:
        image.draft(image.mode, (max(1, image.width // 8), max(1, image.height // 8)))
        if image.width * image.height > CHECK_DECODE_PIXELS:
            return media_type
        try:
            with bounded_decode(image, CHECK_DECODE_PIXELS):
                image.load()
        except DECODE_ERRORS as exc:
            raise media.UnsupportedMedia(f"image data is damaged: {exc}") from exc
    return media_type


async def _decode(path: Path, filename: str) -> media.MediaType:
    try:
        return await anyio.to_thread.run_sync(check_decodes, path, filename)
    except media.UnsupportedMedia as exc:
        raise BadRequest(f"Unsupported or damaged file: {exc}") from exc


def _record(
    conn: Connection,
    values: dict[str, Any],
    outbox: events.Outbox,
    metadata: Sequence[Pair] = (),
    *,
    link: LinkGrant | None = None,
) -> UploadResult:
    """Insert the asset, count its bytes against the owner's quota and queue its jobs, in one
    transaction (a quota refusal rolls the row back); link a live photo's video; store the
    upload's metadata items."""
    owner_id = values["owner_id"]
    video_id = values["live_photo_video_id"]
    if video_id is not None:
        video = assets_repo.get(conn, video_id)
        if video is None or video.owner_id != owner_id or video.type != "VIDEO":
            raise BadRequest("livePhotoVideoId must be one of your videos")
    try:
        with conn.begin_nested():
            row = assets_repo.insert(conn, values)
    except sqlalchemy.exc.IntegrityError:
        existing = assets_repo.find_by_checksum(conn, owner_id, values["checksum"])
        if existing is None:
            raise
        return UploadResult(existing.id, duplicate=True)
    if not users_repo.add_usage(conn, owner_id, values["file_size"]):
        raise BadRequest("Quota has been exceeded!")
    if video_id is not None and video is not None and video.visibility != "hidden":
        assets_repo.update(conn, [video_id], {"visibility": "hidden"})
        outbox.send(events.ASSET_HIDDEN, str(video_id), users=[owner_id])
    for name in (METADATA, THUMBNAILS):
        jobs_repo.enqueue(conn, name, {"assetId": str(row.id)})
    store_on_upload(conn, row.id, owner_id, metadata)
    if link is not None:  # a shared link's visitor: the upload joins the link's album or assets
        shared_links.attach_upload(conn, link, row.id, values)
    return UploadResult(row.id, duplicate=False)


def _feed(parser: MultipartParser, chunk: bytes | None) -> None:
    """Write a chunk (None: the end) to the parser; a body that does not parse (a boundary
    other than the announced one, a truncated part) is the client's error."""
    try:
        if chunk is None:
            parser.finalize()
        else:
            parser.write(chunk)
    except MultipartParseError as exc:
        raise BadRequest(f"Malformed multipart body: {exc}") from exc


def _callbacks(body: _Body) -> dict[str, Any]:
    def part_begin() -> None:
        body.part_name = None
        body.headers.clear()
        body.value.clear()

    def header_field(data: bytes, start: int, end: int) -> None:
        body.header_field += data[start:end]
        if len(body.header_field) > MAX_HEADER_BYTES:
            body.error = "multipart part header is too long"

    def header_value(data: bytes, start: int, end: int) -> None:
        body.header_value += data[start:end]
        if len(body.header_value) > MAX_HEADER_BYTES:
            body.error = "multipart part header is too long"

    def header_end() -> None:
        body.headers[bytes(body.header_field).lower().decode("latin-1")] = bytes(body.header_value)
        body.header_field.clear()
        body.header_value.clear()

    def headers_finished() -> None:
        _disp, params = parse_options_header(body.headers.get("content-disposition", b""))
        name = params.get(b"name")
        body.part_name = name.decode("utf-8", "replace") if name is not None else ""
        if body.part_name == FILE_FIELD:
            body.file_parts += 1
            if body.file_parts > 1:
                body.error = "assetData must be sent once"
            raw = params.get(b"filename")
            body.part_filename = raw.decode("utf-8", "replace") if raw else None
            if body.part_filename is not None and len(body.part_filename) > MAX_FILENAME:
                body.error = f"assetData file name must be at most {MAX_FILENAME} characters"
            elif body.part_filename is not None and "\x00" in body.part_filename:
                body.error = "assetData file name must not contain NUL characters"
        elif body.part_name == SIDECAR_FIELD:
            body.sidecar = bytearray()

    def part_data(data: bytes, start: int, end: int) -> None:
        if body.part_name == FILE_FIELD:
            body.pending.append(data[start:end])
        elif body.part_name == SIDECAR_FIELD and body.sidecar is not None:
            body.sidecar += data[start:end]
            if len(body.sidecar) > MAX_SIDECAR_BYTES:
                body.error = "sidecarData is too large"
        else:
            body.value += data[start:end]
            if len(body.value) > MAX_FIELD_BYTES:
                body.error = f"{body.part_name} is too long"

    def part_end() -> None:
        if body.part_name and body.part_name not in (FILE_FIELD, SIDECAR_FIELD):
            body.fields[body.part_name] = body.value.decode("utf-8", "replace")
        body.value.clear()

    return {
        "on_part_begin": part_begin,
        "on_header_field": header_field,
        "on_header_value": header_value,
        "on_header_end": header_end,
        "on_headers_finished": headers_finished,
        "on_part_data": part_data,
        "on_part_end": part_end,
    }
