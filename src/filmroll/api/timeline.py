"""Routes: /api/timeline (month buckets and their assets) and /api/assets/device/{deviceId}."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from filmroll.api.deps import AnyKeyAuth, Perm, Svc
from filmroll.api.routing import GuardedRoute
from filmroll.services.auth import AuthContext
from filmroll.services.timeline import TimelineRequest, parse_bbox

router = APIRouter(prefix="/timeline", tags=["Timeline"], route_class=GuardedRoute)
device_router = APIRouter(prefix="/assets", tags=["Assets"], route_class=GuardedRoute)

Visibility = Literal["archive", "timeline", "hidden", "locked"]
TimelineAuth = Annotated[AuthContext, Perm("asset.read")]


def timeline_request(
    user_id: Annotated[uuid.UUID | None, Query(alias="userId")] = None,
    album_id: Annotated[uuid.UUID | None, Query(alias="albumId")] = None,
    person_id: Annotated[uuid.UUID | None, Query(alias="personId")] = None,
    tag_id: Annotated[uuid.UUID | None, Query(alias="tagId")] = None,
    visibility: Visibility | None = None,
    is_favorite: Annotated[bool | None, Query(alias="isFavorite")] = None,
    is_trashed: Annotated[bool | None, Query(alias="isTrashed")] = None,
    with_partners: Annotated[bool | None, Query(alias="withPartners")] = None,
    with_stacked: Annotated[bool | None, Query(alias="withStacked")] = None,
    with_coordinates: Annotated[bool | None, Query(alias="withCoordinates")] = None,
    order: Literal["asc", "desc"] | None = None,
    bbox: str | None = None,
) -> TimelineRequest:
    """Immich's `TimeBucketDto` query parameters."""
    return TimelineRequest(
        user_id=user_id,
        album_id=album_id,
        person_id=person_id,
        tag_id=tag_id,
        visibility=visibility,
        is_favorite=is_favorite,
        is_trashed=is_trashed,
        with_partners=with_partners,
        with_stacked=with_stacked,
        with_coordinates=with_coordinates,
        order=order,
        bbox=parse_bbox(bbox) if bbox is not None else None,
    )


Params = Annotated[TimelineRequest, Depends(timeline_request)]


@router.get("/buckets")
async def get_time_buckets(auth: TimelineAuth, svc: Svc, req: Params) -> list[dict[str, Any]]:
    return await svc.timeline.buckets(auth, req)


@router.get("/bucket")
async def get_time_bucket(
    auth: TimelineAuth, svc: Svc, req: Params, time_bucket: Annotated[str, Query(alias="timeBucket")]
) -> Response:
    body = await svc.timeline.bucket(auth, req, time_bucket)
    return Response(body, media_type="application/json")


@device_router.get("/device/{device_id}")
async def get_all_user_assets_by_device_id(device_id: str, auth: AnyKeyAuth, svc: Svc) -> list[str]:
    """Deprecated by Immich but still called by the mobile app's backup screen: the device asset
    ids already uploaded from this device, so it does not offer them again."""
    return await svc.timeline.device_asset_ids(auth, device_id)
