"""Asset rules: reads, edits, trash and permanent deletion.

Who may read an asset is decided by `services.access` (owner, partner, album member); writes
are the owner's only. Every write goes through `repositories.assets`, so each change bumps the
asset's change clock; EXIF edits bump the asset too. Moving an asset into the locked folder
takes it out of every album, as Immich does, so album members lose it (and sync says so).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Literal

import anyio
from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.errors import BadRequest, NotFound
from filmroll.jobs.assets import METADATA, THUMBNAILS
from filmroll.mappers.asset import asset_response
from filmroll.media.mime import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from filmroll.repositories import albums as albums_repo
from filmroll.repositories import assets as assets_repo
from filmroll.repositories import jobs as jobs_repo
from filmroll.repositories import system_config
from filmroll.services import events
from filmroll.services.access import Action, require_assets, require_unlocked
from filmroll.services.auth import AuthContext
from filmroll.storage import Storage, StorageError
from filmroll.timefmt import to_naive_utc

FileKind = Literal["thumbnail", "preview", "fullsize", "original", "playback"]
_WEB_IMAGE_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
                    ".gif": "image/gif"}  # fmt: skip
_DERIVED_TYPES = {".jpeg": "image/jpeg", ".webp": "image/webp"}


@dataclass(frozen=True, slots=True)
class AssetEdit:
    """Fields of `UpdateAssetDto` / `AssetBulkUpdateDto`; None means "leave unchanged"."""

    is_favorite: bool | None = None
    visibility: str | None = None
    description: str | None = None
    date_time_original: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    rating: int | None = None


@dataclass(frozen=True, slots=True)
class FileRef:
    key: str
    content_type: str
    filename: str


def _content_type(name: str, table: dict[str, str]) -> str | None:
    dot = name.rfind(".")
    return table.get(name[dot:].lower()) if dot >= 0 else None


def _asset_values(edit: AssetEdit) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if edit.is_favorite is not None:
        values["is_favorite"] = edit.is_favorite
    if edit.visibility is not None:
        values["visibility"] = edit.visibility
    if edit.date_time_original is not None:
        values["file_created_at"] = to_naive_utc(edit.date_time_original)
        values["local_date_time"] = edit.date_time_original.replace(tzinfo=None)
    return values


def _exif_values(edit: AssetEdit) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if edit.description is not None:
        values["description"] = edit.description
    if edit.date_time_original is not None:
        values["date_time_original"] = to_naive_utc(edit.date_time_original)
    if edit.latitude is not None:
        values["latitude"] = edit.latitude
    if edit.longitude is not None:
        values["longitude"] = edit.longitude
    if edit.rating is not None:
        values["rating"] = edit.rating
    return values


log = logging.getLogger("filmroll.assets")
ANNOUNCE_BATCH = 500
ANNOUNCE_LIMIT = 1_000
"""Edits of more assets at once are not announced one event per asset: thousands of
`on_asset_update` payloads would cost the server seconds and flood every open app, which get
the same changes through sync anyway."""
PURGE_BATCH = 500
"""Assets deleted per transaction when the trash is emptied by age."""


class AssetService:
    """Reads and writes assets on behalf of an authenticated caller."""

    def __init__(self, db: Database, storage: Storage, bus: events.EventBus | None = None) -> None:
        self.db = db
        self.storage = storage
        self.events = bus or events.EventBus()
        self._announcing: set[asyncio.Task[None]] = set()

    async def get(self, auth: AuthContext, asset_id: uuid.UUID) -> dict[str, Any]:
        def load(conn: Connection) -> dict[str, Any]:
            (row,) = require_assets(conn, auth, [asset_id], "read")
            exif = assets_repo.get_exif(conn, asset_id)
            return asset_response(
                dict(row._mapping), auth.user_id, exif=dict(exif._mapping) if exif else None
            )

        return await self.db.read(load)

    async def update(self, auth: AuthContext, ids: Sequence[uuid.UUID], edit: AssetEdit) -> None:
        asset_values, exif_values = _asset_values(edit), _exif_values(edit)

        def apply(conn: Connection) -> list[uuid.UUID]:
            rows = require_assets(conn, auth, ids, "update")
            if asset_values:
                assets_repo.update(conn, [r.id for r in rows], asset_values)
            if edit.visibility == "locked":
                albums_repo.unlink_everywhere(conn, [r.id for r in rows])
            if exif_values:
                targets = [(r.id, r.owner_id) for r in rows]
                assets_repo.upsert_exifs(conn, targets, exif_values, lock=True)
            return [r.id for r in rows] if asset_values or exif_values else []

        changed = await self.db.write(apply)
        if 0 < len(changed) <= ANNOUNCE_LIMIT:
            task = asyncio.create_task(self._announce_updates(changed))
            self._announcing.add(task)
            task.add_done_callback(self._announcing.discard)

    async def run_jobs(self, auth: AuthContext, ids: Sequence[uuid.UUID], name: str) -> None:
        """`POST /assets/jobs`: extract metadata or make thumbnails again for assets the caller
        may edit (extraction keeps the values the owner set by hand). Faces: nothing to do
        without face recognition, as with machine learning off in Immich. filmroll does not
        transcode videos, and says so."""
        if name == "transcode-video":
            raise BadRequest("Video transcoding is not supported by this server")
        queue = {"refresh-metadata": METADATA, "regenerate-thumbnail": THUMBNAILS}.get(name)

        def apply(conn: Connection) -> None:
            rows = require_assets(conn, auth, ids, "update")
            if queue is not None:
                jobs_repo.enqueue_many(conn, queue, [{"assetId": str(row.id)} for row in rows])

        await self.db.write(apply)

    async def _announce_updates(self, ids: list[uuid.UUID]) -> None:
        """`on_asset_update` for committed edits, each asset as it is now. Built after the
        request has answered and in batches: a bulk edit of thousands of assets must hold
        neither the writer nor its response while a payload per asset is built."""
        try:
            for start in range(0, len(ids), ANNOUNCE_BATCH):
                batch = ids[start : start + ANNOUNCE_BATCH]
                async with self.events.collect() as outbox:
                    await self.db.read(partial(events.asset_updates, outbox=outbox, ids=batch))
        except Exception:
            log.exception("announcing asset updates failed")

    async def delete(self, auth: AuthContext, ids: Sequence[uuid.UUID], *, force: bool) -> None:
        """`DELETE /assets`: to the trash, or for good when asked to (`force`) or when an
        admin turned the trash off, as Immich does."""
        if force or not await self.db.read(system_config.trash_enabled):
            await self.delete_forever(auth, ids)
        else:
            await self.trash(auth, ids)

    async def trash(self, auth: AuthContext, ids: Sequence[uuid.UUID]) -> None:
        def apply(conn: Connection) -> None:
            rows = require_assets(conn, auth, ids, "delete")
            live = [r.id for r in rows if r.deleted_at is None]
            assets_repo.update(conn, live, {"deleted_at": utcnow()})
            if live:
                outbox.send(events.ASSET_TRASH, [str(i) for i in live], users=[auth.user_id])

        async with self.events.collect() as outbox:
            await self.db.write(apply)

    async def delete_forever(self, auth: AuthContext, ids: Sequence[uuid.UUID]) -> int:
        return await self._delete_for_good(
            lambda conn: [r.id for r in require_assets(conn, auth, ids, "delete")]
        )

    async def _delete_for_good(self, pick: Callable[[Connection], Sequence[uuid.UUID]]) -> int:
        """Delete the assets `pick` chooses in one write transaction, tell their owners' apps,
        then remove their files; returns how many went."""

        def apply(conn: Connection) -> list[Row[Any]]:
            gone = assets_repo.delete(conn, pick(conn))
            events.deleted(outbox, gone)
            return gone

        async with self.events.collect() as outbox:
            deleted = await self.db.write(apply)
        await self._remove_files(deleted)
        return len(deleted)

    async def restore(self, auth: AuthContext, ids: Sequence[uuid.UUID] | None) -> int:
        """Untrash `ids`, or the caller's whole trash when `ids` is None."""

        def apply(conn: Connection) -> int:
            if ids is None:
                targets = assets_repo.trashed_ids(conn, auth.user_id)
            else:
                targets = [
                    r.id for r in require_assets(conn, auth, ids, "delete") if r.deleted_at is not None
                ]
            if targets:
                outbox.send(events.ASSET_RESTORE, [str(i) for i in targets], users=[auth.user_id])
            return assets_repo.update(conn, targets, {"deleted_at": None})

        async with self.events.collect() as outbox:
            return await self.db.write(apply)

    async def empty_trash(self, auth: AuthContext) -> int:
        return await self._delete_for_good(lambda conn: assets_repo.trashed_ids(conn, auth.user_id))

    async def purge_trash(self, cutoff: datetime) -> int:
        """Delete for good every asset, of any owner, trashed before `cutoff` (the trash's
        retention, run daily): in batches, each its own short transaction, so a large trash
        never holds the change clock for long."""
        total = 0
        while True:
            count = await self._delete_for_good(
                lambda conn: assets_repo.trashed_before(conn, cutoff, PURGE_BATCH)
            )
            total += count
            if count < PURGE_BATCH:
                return total

    async def _remove_files(self, rows: Sequence[Row[Any]]) -> None:
        """Remove originals and derived files after the delete committed; leftovers are only logged."""
        with anyio.CancelScope(shield=True):
            for row in rows:
                for key in (row.original_path, row.sidecar_path, row.preview_path, row.thumbnail_path):
                    if key:
                        with contextlib.suppress(StorageError, ValueError):
                            await self.storage.delete(key)

    async def statistics(
        self, auth: AuthContext, *, is_favorite: bool | None, is_trashed: bool | None, visibility: str | None
    ) -> dict[str, int]:
        """Counts as Immich's: locked assets only when asked for by `visibility=locked`, which
        needs an unlocked session (401 otherwise, never through an API key)."""
        if visibility == "locked":
            require_unlocked(auth)
        counts = await self.db.read(
            lambda c: assets_repo.statistics(
                c, auth.user_id, is_favorite=is_favorite, is_trashed=is_trashed, visibility=visibility
            )
        )
        images, videos = counts.get("IMAGE", 0), counts.get("VIDEO", 0)
        return {"images": images, "videos": videos, "total": sum(counts.values())}

    async def bulk_upload_check(
        self, auth: AuthContext, items: Sequence[tuple[str, bytes | None]]
    ) -> list[dict[str, Any]]:
        checksums = [c for _id, c in items if c is not None]
        found = await self.db.read(lambda c: assets_repo.existing_checksums(c, auth.user_id, checksums))
        results: list[dict[str, Any]] = []
        for item_id, checksum in items:
            if checksum is None:
                results.append({"id": item_id, "action": "reject", "reason": "unsupported-format"})
            elif (row := found.get(checksum)) is not None:
                results.append(
                    {
                        "id": item_id,
                        "action": "reject",
                        "reason": "duplicate",
                        "assetId": str(row.id),
                        "isTrashed": row.deleted_at is not None,
                    }
                )
            else:
                results.append({"id": item_id, "action": "accept"})
        return results

    async def existing_device_ids(self, auth: AuthContext, device_id: str, ids: Sequence[str]) -> list[str]:
        return await self.db.read(lambda c: assets_repo.existing_device_ids(c, auth.user_id, device_id, ids))

    async def file(self, auth: AuthContext, asset_id: uuid.UUID, kind: FileKind) -> FileRef:
        """Which stored file answers a thumbnail/original/playback request, and its type."""
        access: Action = "download" if kind == "original" else "view"
        (row,) = await self.db.read(lambda c: require_assets(c, auth, [asset_id], access))
        name = row.original_file_name
        original_type = _content_type(name, _WEB_IMAGE_TYPES)
        if kind == "original" or (kind == "playback" and row.type == "VIDEO"):
            return FileRef(row.original_path, _original_type(name, row.type), name)
        if kind == "fullsize" and row.type == "IMAGE" and original_type is not None:
            return FileRef(row.original_path, original_type, name)
        key = row.thumbnail_path if kind == "thumbnail" else row.preview_path
        if kind == "playback" or not key:
            raise NotFound("Asset media not found")
        return FileRef(
            key, _content_type(key, _DERIVED_TYPES) or "application/octet-stream", key.rsplit("/", 1)[-1]
        )


def _original_type(name: str, asset_type: str) -> str:
    table = VIDEO_EXTENSIONS if asset_type == "VIDEO" else IMAGE_EXTENSIONS
    return _content_type(name, table) or "application/octet-stream"
