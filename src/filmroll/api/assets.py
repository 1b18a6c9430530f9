"""Routes: /api/assets (upload, read, edit, delete, statistics, file serving)."""

from __future__ import annotations

import base64
import binascii
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import Field
from starlette.requests import ClientDisconnect

from filmroll.api.deps import Perm, Services, Svc
from filmroll.api.dto import MAX_IDS, Description, Model, NotNull, Timestamp
from filmroll.api.files import serve
from filmroll.api.responses import JSONResponse
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.services.access import answering_change
from filmroll.services.assets import AssetEdit, FileKind
from filmroll.services.auth import AuthContext

router = APIRouter(prefix="/assets", tags=["Assets"], route_class=GuardedRoute)

Visibility = Literal["archive", "timeline", "hidden", "locked"]
# JSON carries ids as strings, so this type parses strings even in strict models.
Id = Annotated[uuid.UUID, Field(strict=False)]
Ids = Annotated[list[Id], Field(max_length=MAX_IDS)]


class BulkIds(Model):
    ids: Ids


class AssetBulkDeleteDto(BulkIds):
    force: bool = False


class UpdateAssetDto(Model):
    is_favorite: NotNull[bool] = None
    visibility: NotNull[Visibility] = None
    description: NotNull[Description] = None
    date_time_original: NotNull[Timestamp] = None
    latitude: NotNull[Annotated[float, Field(ge=-90, le=90)]] = None
    longitude: NotNull[Annotated[float, Field(ge=-180, le=180)]] = None
    rating: int | None = Field(default=None, ge=-1, le=5)

    def edit(self) -> AssetEdit:
        return AssetEdit(
            is_favorite=self.is_favorite,
            visibility=self.visibility,
            description=self.description,
            date_time_original=self.date_time_original,
            latitude=self.latitude,
            longitude=self.longitude,
            rating=self.rating,
        )


class AssetBulkUpdateDto(UpdateAssetDto):
    ids: Ids


class AssetBulkUploadCheckItem(Model):
    id: str
    checksum: str


class AssetBulkUploadCheckDto(Model):
    assets: Annotated[list[AssetBulkUploadCheckItem], Field(max_length=MAX_IDS)]


class CheckExistingAssetsDto(Model):
    device_asset_ids: Annotated[list[str], Field(max_length=MAX_IDS)]
    device_id: str


class AssetStatsResponseDto(Model):
    images: int
    videos: int
    total: int


def _checksum(value: str) -> bytes | None:
    """Bulk-upload-check checksums: hex or base64 SHA-1, as the Immich clients send them."""
    try:
        raw = bytes.fromhex(value) if len(value) == 40 else base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == 20 else None


@router.post("", status_code=201)
async def upload_asset(
    request: Request, auth: Annotated[AuthContext, Perm("asset.upload")], svc: Svc
) -> JSONResponse:
    duplicate = await svc.uploads.duplicate_of(auth.user_id, request.headers.get("x-immich-checksum"))
    if duplicate is not None:
        return JSONResponse({"id": str(duplicate), "status": "duplicate"}, status_code=200)
    try:
        result = await svc.uploads.upload(
            auth.user_id, request.headers.get("content-type", ""), request.stream()
        )
    except ClientDisconnect as exc:
        raise BadRequest("Upload interrupted") from exc
    if result.duplicate:
        return JSONResponse({"id": str(result.id), "status": "duplicate"}, status_code=200)
    return JSONResponse({"id": str(result.id), "status": "created"}, status_code=201)


@router.post("/bulk-upload-check")
async def bulk_upload_check(
    body: AssetBulkUploadCheckDto, auth: Annotated[AuthContext, Perm("asset.upload")], svc: Svc
) -> dict[str, Any]:
    items = [(item.id, _checksum(item.checksum)) for item in body.assets]
    return {"results": await svc.assets.bulk_upload_check(auth, items)}


@router.post("/exist")
async def check_existing(
    body: CheckExistingAssetsDto, auth: Annotated[AuthContext, Perm("asset.upload")], svc: Svc
) -> dict[str, list[str]]:
    found = await svc.assets.existing_device_ids(auth, body.device_id, body.device_asset_ids)
    return {"existingIds": found}


@router.get("/statistics", response_model=AssetStatsResponseDto)
async def statistics(
    auth: Annotated[AuthContext, Perm("asset.statistics")],
    svc: Svc,
    is_favorite: Annotated[bool | None, Query(alias="isFavorite")] = None,
    is_trashed: Annotated[bool | None, Query(alias="isTrashed")] = None,
    visibility: Visibility | None = None,
) -> dict[str, int]:
    return await svc.assets.statistics(
        auth, is_favorite=is_favorite, is_trashed=is_trashed, visibility=visibility
    )


@router.put("", status_code=204)
async def update_assets(
    body: AssetBulkUpdateDto, auth: Annotated[AuthContext, Perm("asset.update")], svc: Svc
) -> Response:
    await svc.assets.update(auth, body.ids, body.edit())
    return Response(status_code=204)


class AssetJobsDto(Model):
    asset_ids: Ids
    name: Literal["refresh-faces", "refresh-metadata", "regenerate-thumbnail", "transcode-video"]


@router.post("/jobs", status_code=204)
async def run_asset_jobs(
    body: AssetJobsDto, auth: Annotated[AuthContext, Perm("job.create")], svc: Svc
) -> Response:
    await svc.assets.run_jobs(auth, body.asset_ids, body.name)
    svc.jobs.notify()
    return Response(status_code=204)


@router.delete("", status_code=204)
async def delete_assets(
    body: AssetBulkDeleteDto, auth: Annotated[AuthContext, Perm("asset.delete")], svc: Svc
) -> Response:
    await svc.assets.delete(auth, body.ids, force=body.force)
    return Response(status_code=204)


@router.get("/{id}")
async def get_asset(
    id: uuid.UUID, auth: Annotated[AuthContext, Perm("asset.read")], svc: Svc
) -> dict[str, Any]:
    return {**await svc.assets.get(auth, id), "tags": await svc.tags.for_asset(auth, id)}


@router.put("/{id}")
async def update_asset(
    id: uuid.UUID, body: UpdateAssetDto, auth: Annotated[AuthContext, Perm("asset.update")], svc: Svc
) -> dict[str, Any]:
    await svc.assets.update(auth, [id], body.edit())
    shown = answering_change(auth)  # also when the change locked it away
    return {**await svc.assets.get(shown, id), "tags": await svc.tags.for_asset(shown, id)}


async def _file(
    request: Request, svc: Services, auth: AuthContext, id: uuid.UUID, kind: FileKind
) -> Response:
    ref = await svc.assets.file(auth, id, kind)
    return await serve(request, svc.storage, ref.key, ref.content_type)


@router.get("/{id}/thumbnail")
async def thumbnail(
    request: Request,
    id: uuid.UUID,
    auth: Annotated[AuthContext, Perm("asset.view")],
    svc: Svc,
    size: Literal["thumbnail", "preview", "fullsize"] = "thumbnail",
) -> Response:
    return await _file(request, svc, auth, id, size)


@router.get("/{id}/original")
async def original(
    request: Request, id: uuid.UUID, auth: Annotated[AuthContext, Perm("asset.download")], svc: Svc
) -> Response:
    return await _file(request, svc, auth, id, "original")


@router.get("/{id}/video/playback")
async def playback(
    request: Request, id: uuid.UUID, auth: Annotated[AuthContext, Perm("asset.view")], svc: Svc
) -> Response:
    return await _file(request, svc, auth, id, "playback")
