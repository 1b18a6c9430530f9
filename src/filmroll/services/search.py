"""Search rules: which assets a search may return and how results are shaped.

A search covers the caller's own assets and those of partners who share into its timeline,
as Immich's `getUserIdsToSearch` does, but narrowed by the one access rule: partners'
assets only when `timeline` and not trashed, the caller's locked assets only in an unlocked
session (asking for `visibility: locked` otherwise answers 401, as Immich does). Filmroll has
no machine learning, faces or OCR: smart search answers Immich's "not enabled" error, and
filters on people or OCR text match nothing.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.engine import Connection

from filmroll.db.engine import Database
from filmroll.errors import BadRequest, Unauthorized
from filmroll.mappers.asset import asset_response
from filmroll.repositories import search as repo
from filmroll.repositories import tags as tags_repo
from filmroll.services.access import unlocked
from filmroll.services.auth import AuthContext
from filmroll.services.tags import tag_response

SUGGESTION_COLUMNS = {
    "country": ("country", ()),
    "state": ("state", ("country",)),
    "city": ("city", ("country", "state")),
    "camera-make": ("make", ("model", "lens_model")),
    "camera-model": ("model", ("make", "lens_model")),
    "camera-lens-model": ("lens_model", ("make", "model")),
}
"""Suggestion type → EXIF column, and the columns its narrowing parameters filter on."""
EXPLORE_CITIES = 12
EXPLORE_MIN_ASSETS = 5


def checksum_bytes(value: str) -> bytes | None:
    """A SHA-1 checksum given as base64 (28 characters) or hex; None when it is neither."""
    try:
        raw = base64.b64decode(value, validate=True) if len(value) == 28 else bytes.fromhex(value)
    except (ValueError, binascii.Error):
        return None
    return raw if len(raw) == 20 else None


def search_response(items: list[dict[str, Any]], next_page: str | None) -> dict[str, Any]:
    """SearchResponseDto: filmroll searches assets only, so the album part is always empty."""
    return {
        "albums": {"total": 0, "count": 0, "items": [], "facets": []},
        "assets": {
            "total": len(items),
            "count": len(items),
            "items": items,
            "facets": [],
            "nextPage": next_page,
        },
    }


class SearchService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _scope(conn: Connection, auth: AuthContext, query: repo.Query) -> tuple[repo.Scope, repo.Query]:
        if query.visibility == "locked" and not unlocked(auth):
            raise Unauthorized("Elevated permission is required")
        scope = repo.Scope(auth.user_id, repo.timeline_partners(conn, auth.user_id), unlocked(auth))
        if query.tag_trees:
            query = replace(query, tag_trees=[repo.tag_tree(conn, t[0]) for t in query.tag_trees])
        return scope, query

    @staticmethod
    def _items(
        conn: Connection, auth: AuthContext, ids: Sequence[uuid.UUID], with_exif: bool
    ) -> list[dict[str, Any]]:
        return [
            asset_response(dict(a._mapping), auth.user_id, exif=dict(e._mapping) if e is not None else None)
            for a, e in repo.rows_by_id(conn, ids, with_exif=with_exif)
        ]

    async def metadata(
        self, auth: AuthContext, query: repo.Query, *, page: int, size: int, order: repo.Order
    ) -> dict[str, Any]:
        def load(conn: Connection) -> dict[str, Any]:
            scope, q = self._scope(conn, auth, query)
            ids = repo.page_ids(conn, scope, q, order, (page - 1) * size, size + 1)
            more = len(ids) > size
            items = self._items(conn, auth, ids[:size], q.with_exif)
            return search_response(items, str(page + 1) if more else None)

        return await self.db.read(load)

    async def random(self, auth: AuthContext, query: repo.Query, size: int) -> list[dict[str, Any]]:
        def load(conn: Connection) -> list[dict[str, Any]]:
            scope, q = self._scope(conn, auth, query)
            return self._items(conn, auth, repo.random_ids(conn, scope, q, size), q.with_exif)

        return await self.db.read(load)

    async def statistics(self, auth: AuthContext, query: repo.Query) -> dict[str, int]:
        def load(conn: Connection) -> dict[str, int]:
            scope, q = self._scope(conn, auth, query)
            return {"total": repo.count(conn, scope, q)}

        return await self.db.read(load)

    async def smart(self, auth: AuthContext, visibility: str | None) -> dict[str, Any]:
        if visibility == "locked" and not unlocked(auth):
            raise Unauthorized("Elevated permission is required")
        raise BadRequest("Smart search is not enabled")

    async def suggestions(self, auth: AuthContext, kind: str, narrow: dict[str, str | None]) -> list[str]:
        """Distinct values for a picker. Immich appends `null` for `includeNull=true`, outside its
        own response schema (an array of strings); filmroll keeps to the schema and leaves it out."""
        column, narrowing = SUGGESTION_COLUMNS[kind]
        filters = {k: v for k, v in narrow.items() if k in narrowing and v}

        def load(conn: Connection) -> list[str]:
            owners = [auth.user_id, *repo.timeline_partners(conn, auth.user_id)]
            return repo.distinct_values(conn, owners, column, filters)

        return await self.db.read(load)

    async def cities(self, auth: AuthContext) -> list[dict[str, Any]]:
        """One photo per city among the assets the caller's timeline shows, by city."""

        def load(conn: Connection) -> list[dict[str, Any]]:
            picks: list[tuple[str, uuid.UUID]] = []
            for owner in [auth.user_id, *repo.timeline_partners(conn, auth.user_id)]:
                picks.extend(repo.city_assets(conn, owner))
            chosen: dict[str, uuid.UUID] = {}
            for city, asset_id in sorted(picks):
                chosen.setdefault(city, asset_id)
            return self._items(conn, auth, list(chosen.values()), True)

        return await self.db.read(load)

    async def explore(self, auth: AuthContext) -> list[dict[str, Any]]:
        """Immich's explore data: up to 12 of the caller's cities with at least 5 photos, one each."""

        def load(conn: Connection) -> list[dict[str, Any]]:
            picks = repo.city_assets(conn, auth.user_id, min_assets=EXPLORE_MIN_ASSETS, limit=EXPLORE_CITIES)
            ids = [asset_id for _city, asset_id in picks]
            tags = tags_repo.tags_of_assets(conn, ids)
            items = []
            for (city, asset_id), body in zip(picks, self._items(conn, auth, ids, True), strict=True):
                body["tags"] = [tag_response(t) for t in tags.get(asset_id, [])]
                items.append({"value": city, "data": body})
            return [{"fieldName": "exifInfo.city", "items": items}]

        return await self.db.read(load)
