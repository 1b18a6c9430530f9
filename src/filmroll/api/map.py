"""Routes: /api/map (markers for the map view, offline reverse geocoding)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from filmroll.api.deps import Perm, Svc
from filmroll.api.routing import GuardedRoute
from filmroll.errors import BadRequest
from filmroll.services.auth import AuthContext
from filmroll.services.map import MarkerFilters
from filmroll.timefmt import to_naive_utc

router = APIRouter(prefix="/map", tags=["Map"], route_class=GuardedRoute)


def _date(name: str, value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        to_naive_utc(value)
    except ValueError:
        raise BadRequest([f"{name} must be a date between years 1 and 9999 in UTC"]) from None
    return value


@router.get("/markers")
async def get_map_markers(
    auth: Annotated[AuthContext, Perm("map.read")],
    svc: Svc,
    is_archived: Annotated[bool | None, Query(alias="isArchived")] = None,
    is_favorite: Annotated[bool | None, Query(alias="isFavorite")] = None,
    file_created_after: Annotated[datetime | None, Query(alias="fileCreatedAfter")] = None,
    file_created_before: Annotated[datetime | None, Query(alias="fileCreatedBefore")] = None,
    with_partners: Annotated[bool | None, Query(alias="withPartners")] = None,
    with_shared_albums: Annotated[bool | None, Query(alias="withSharedAlbums")] = None,
) -> list[dict[str, Any]]:
    filters = MarkerFilters(
        is_archived=is_archived,
        is_favorite=is_favorite,
        file_created_after=_date("fileCreatedAfter", file_created_after),
        file_created_before=_date("fileCreatedBefore", file_created_before),
        with_partners=with_partners,
        with_shared_albums=with_shared_albums,
    )
    return await svc.map.markers(auth, filters)


@router.get("/reverse-geocode")
async def reverse_geocode(
    _auth: Annotated[AuthContext, Perm("map.search")],
    svc: Svc,
    lat: Annotated[float, Query(ge=-90, le=90, allow_inf_nan=False)],
    lon: Annotated[float, Query(ge=-180, le=180, allow_inf_nan=False)],
) -> list[dict[str, Any]]:
    return await svc.map.reverse_geocode(lat, lon)
