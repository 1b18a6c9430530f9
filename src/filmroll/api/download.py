"""Routes: /api/download (archive plan and streamed zip archives)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field
from starlette.responses import StreamingResponse

from filmroll.api.deps import Perm, Svc
from filmroll.api.dto import IdList, Model, NotNull
from filmroll.api.routing import GuardedRoute
from filmroll.api.uuids import Uuid
from filmroll.services.auth import AuthContext

router = APIRouter(prefix="/download", tags=["Download"], route_class=GuardedRoute)

DownloadAuth = Annotated[AuthContext, Perm("asset.download")]


class DownloadInfoDto(Model):
    asset_ids: NotNull[IdList] = None
    album_id: NotNull[Uuid] = None
    user_id: NotNull[Uuid] = None
    archive_size: NotNull[Annotated[int, Field(ge=1)]] = None


class DownloadArchiveDto(Model):
    asset_ids: IdList
    edited: NotNull[bool] = None


@router.post("/info", status_code=201)
async def get_download_info(body: DownloadInfoDto, auth: DownloadAuth, svc: Svc) -> dict[str, Any]:
    return await svc.downloads.info(
        auth,
        asset_ids=body.asset_ids,
        album_id=body.album_id,
        user_id=body.user_id,
        archive_size=body.archive_size,
    )


@router.post("/archive", status_code=200)
async def download_archive(body: DownloadArchiveDto, auth: DownloadAuth, svc: Svc) -> StreamingResponse:
    """A zip of the originals, stored uncompressed, streamed as it is read from storage.

    `edited` is accepted and ignored: filmroll keeps no edited copies, so the original is the
    only version there is."""
    chunks = await svc.downloads.archive(auth, body.asset_ids)
    return StreamingResponse(chunks, media_type="application/octet-stream")
