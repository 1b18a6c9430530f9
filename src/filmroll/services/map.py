"""Map rules: whose assets the map shows, and the offline reverse geocoder."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread
from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.media.geo import reverse_geocode
from filmroll.repositories import map as repo
from filmroll.repositories import timeline as timeline_repo
from filmroll.services.auth import AuthContext
from filmroll.timefmt import to_naive_utc


@dataclass(frozen=True, slots=True)
class MarkerFilters:
    """Immich's `MapMarkerDto`."""

    is_archived: bool | None = None
    is_favorite: bool | None = None
    file_created_after: datetime | None = None
    file_created_before: datetime | None = None
    with_partners: bool | None = None
    with_shared_albums: bool | None = None


class MapService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def markers(self, auth: AuthContext, filters: MarkerFilters) -> list[dict[str, Any]]:
        """The caller's assets with coordinates; with `withPartners` also the partners it shows in
        its timeline, with `withSharedAlbums` also the assets of albums it owns or belongs to."""

        def load(conn: Connection) -> list[dict[str, Any]]:
            partner_ids = (
                tuple(timeline_repo.timeline_partner_ids(conn, auth.user_id)) if filters.with_partners else ()
            )
            query = repo.MarkerQuery(
                viewer=auth.user_id,
                partner_ids=partner_ids,
                with_albums=bool(filters.with_shared_albums),
                is_archived=filters.is_archived,
                is_favorite=filters.is_favorite,
                created_after=_utc(filters.file_created_after),
                created_before=_utc(filters.file_created_before),
            )
            return [
                {
                    "id": str(r.id),
                    "lat": r.latitude,
                    "lon": r.longitude,
                    "city": r.city,
                    "state": r.state,
                    "country": r.country,
                }
                for r in repo.markers(conn, query)
            ]

        return await self.db.read(load)

    async def reverse_geocode(self, latitude: float, longitude: float) -> list[dict[str, Any]]:
        """The nearest named place within reach, as a one-item list (Immich's shape), or none."""
        place = await anyio.to_thread.run_sync(reverse_geocode, latitude, longitude)
        if place is None:
            return []
        return [{"city": place.city, "state": place.state, "country": place.country}]


def _utc(value: datetime | None) -> datetime | None:
    return None if value is None else to_naive_utc(value)
