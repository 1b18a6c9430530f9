"""The asset jobs: metadata extraction and thumbnail generation, run after an upload answers."""

from __future__ import annotations

import dataclasses
import functools
import tempfile
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
from sqlalchemy.engine import Connection

from filmroll import media
from filmroll.db import clock
from filmroll.db.engine import Database
from filmroll.jobs.runner import PermanentJobError
from filmroll.repositories import assets as assets_repo
from filmroll.repositories import events as events_repo
from filmroll.services.events import EventBus, upload_ready
from filmroll.storage import NotFoundError, Storage, derived_key
from filmroll.timefmt import to_naive_utc

METADATA = "metadataExtraction"
THUMBNAILS = "thumbnailGeneration"
QUEUES = (METADATA, THUMBNAILS)


def _naive(value: datetime | None) -> datetime | None:
    return to_naive_utc(value) if value is not None else None


def exif_values(meta: media.Metadata) -> dict[str, Any]:
    """The `asset_exif` columns from extracted metadata."""
    values = {
        f.name: getattr(meta, f.name) for f in dataclasses.fields(meta) if f.name in assets_repo.EXIF_COLUMNS
    }
    values["date_time_original"] = _naive(meta.date_time_original)
    values["modify_date"] = _naive(meta.modify_date)
    return values


def asset_values(meta: media.Metadata) -> dict[str, Any]:
    """The asset columns extraction refines (capture time, size, duration, type)."""
    values: dict[str, Any] = {"type": meta.media_type.value, "width": meta.width, "height": meta.height}
    if meta.date_time_original is not None:
        values["file_created_at"] = to_naive_utc(meta.date_time_original)
    if meta.local_date_time is not None:
        values["local_date_time"] = meta.local_date_time.replace(tzinfo=None)
    if meta.duration is not None:
        values["duration"] = meta.duration
    return values


_LOCKED_WITH = {
    "date_time_original": ("date_time_original", "time_zone", "file_created_at", "local_date_time"),
    "latitude": ("latitude", "city", "state", "country"),
    "longitude": ("longitude", "city", "state", "country"),
    "description": ("description",),
    "rating": ("rating",),
}
"""Per hand-set value, what extraction leaves alone: the value and what would be derived from
the file's own (its time zone and the asset's dates; the place of its location)."""


def without_locked(values: dict[str, Any], locked: int) -> dict[str, Any]:
    """`values` less the columns the owner's own edits hold (`assets_repo.LOCKS` bits)."""
    kept = set(values)
    for name, bit in assets_repo.LOCKS.items():
        if locked & bit:
            kept -= set(_LOCKED_WITH[name])
    return {k: v for k, v in values.items() if k in kept}


def _permanent(exc: media.UnsupportedMedia) -> PermanentJobError:
    """A file that cannot be decoded will not decode on a retry either."""
    message = str(exc)
    if isinstance(exc, media.ImageTooLarge):
        message += " (FILMROLL_MAX_IMAGE_PIXELS)"
    return PermanentJobError(message)


class AssetJobs:
    """Job handlers that read an asset's original from storage and store what they derive.

    `max_image_pixels` bounds the pixels one image decode may hold; a larger image keeps
    its metadata but gets no thumbnails, and its thumbnail job fails saying why.

    Both jobs run at once; whichever stores its part second announces the upload
    (`services.events.upload_ready`). Each looks for the other's part only after its own
    asset update, which takes the change clock's lock (held to commit on PostgreSQL, the
    single writer on SQLite): the two stores are serialised, so exactly one sees both parts.
    """

    def __init__(
        self,
        db: Database,
        storage: Storage,
        *,
        max_image_pixels: int = media.DEFAULT_MAX_PIXELS,
        events: EventBus | None = None,
    ) -> None:
        self.db = db
        self.storage = storage
        self.max_image_pixels = max_image_pixels
        self.events = events or EventBus()

    async def extract_metadata(self, payload: dict[str, Any]) -> None:
        asset_id = uuid.UUID(payload["assetId"])
        asset = await self.db.read(lambda c: assets_repo.get(c, asset_id))
        if asset is None:
            return
        try:
            async with self.storage.fetch_to_temp(asset.original_path) as path:
                meta = await anyio.to_thread.run_sync(
                    functools.partial(
                        media.extract, path, asset.original_file_name, max_pixels=self.max_image_pixels
                    )
                )
        except NotFoundError:
            return
        except media.UnsupportedMedia as exc:
            raise _permanent(exc) from exc

        def store(conn: Connection) -> None:
            # The clock's lock first: an edit of the owner's that is being written has then
            # committed, so its hand-set values are in the locks read next (and one that comes
            # later waits for this write, then overwrites it).
            clock.hold(conn)
            if assets_repo.get(conn, asset_id) is None:
                return
            first = not events_repo.metadata_extracted(conn, asset_id)
            locked = assets_repo.exif_locks(conn, asset_id)
            assets_repo.update(conn, [asset_id], without_locked(asset_values(meta), locked))
            assets_repo.upsert_exif(conn, asset_id, without_locked(exif_values(meta), locked))
            row = assets_repo.get(conn, asset_id)
            if first and row is not None and row.thumbnail_path is not None:
                upload_ready(conn, outbox, asset_id)

        async with self.events.collect() as outbox:
            await self.db.write(store)

    async def generate_thumbnails(self, payload: dict[str, Any]) -> None:
        asset_id = uuid.UUID(payload["assetId"])
        asset = await self.db.read(lambda c: assets_repo.get(c, asset_id))
        if asset is None:
            return
        owner, name = str(asset.owner_id), str(asset.id)
        preview_key = derived_key(owner, name, "preview", ".jpeg")
        thumbnail_key = derived_key(owner, name, "thumbnail", ".webp")
        with tempfile.TemporaryDirectory(prefix="filmroll-thumbs-") as out:
            try:
                async with self.storage.fetch_to_temp(asset.original_path) as path:
                    rendered = await anyio.to_thread.run_sync(
                        functools.partial(
                            media.render,
                            path,
                            media.MediaType(asset.type),
                            Path(out),
                            name=name,
                            max_pixels=self.max_image_pixels,
                        )
                    )
            except NotFoundError:
                return
            except media.UnsupportedMedia as exc:
                raise _permanent(exc) from exc
            await self.storage.put_file(preview_key, rendered.preview_path)
            await self.storage.put_file(thumbnail_key, rendered.thumbnail_path)

        values = {
            "preview_path": preview_key,
            "thumbnail_path": thumbnail_key,
            "thumbhash": rendered.thumbhash,
        }

        def store(conn: Connection) -> int:
            first = asset.thumbnail_path is None
            changed = assets_repo.update(conn, [asset_id], values)
            if changed and first and events_repo.metadata_extracted(conn, asset_id):
                upload_ready(conn, outbox, asset_id)
            return changed

        async with self.events.collect() as outbox:
            changed = await self.db.write(store)
        if not changed:
            await self.storage.delete(preview_key)
            await self.storage.delete(thumbnail_key)
