"""People and faces as Immich answers with facial recognition turned off and no person stored.

filmroll runs no machine learning, so no face is ever detected and no person exists: lists are
empty, and every call that names a person or face fails as Immich fails for an id the caller has
no access to (400 "Not found or no <permission> access"), so apps show their usual "not found".
Calls that name an asset still check the asset first, as Immich does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from filmroll.db.engine import Database
from filmroll.errors import BadRequest, NotFound
from filmroll.services.access import denied, require_assets
from filmroll.services.auth import AuthContext


class PeopleService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def page(self, auth: AuthContext, *, closest_person_id: uuid.UUID | None) -> dict[str, Any]:
        """An empty `PeopleResponseDto` page; a `closestPersonId` names a person that is not there."""
        del auth
        if closest_person_id is not None:
            raise NotFound("Person not found")
        return {"people": [], "total": 0, "hidden": 0, "hasNextPage": False}

    @staticmethod
    def require_person(permission: str) -> None:
        """No person exists, so access to any person id is refused."""
        raise denied(permission)

    @staticmethod
    def delete_all(ids: Sequence[uuid.UUID]) -> None:
        if ids:
            raise denied("person.delete")

    @staticmethod
    def update_all(ids: Sequence[str]) -> list[dict[str, Any]]:
        """Immich's bulk update reports each person it could not update as `unknown`."""
        return [{"id": person_id, "success": False, "error": "unknown"} for person_id in ids]

    @staticmethod
    def merge(person_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
        if person_id in ids:
            raise BadRequest("Cannot merge a person into themselves")
        raise denied("person.update")

    async def faces_of(self, auth: AuthContext, asset_id: uuid.UUID) -> list[dict[str, Any]]:
        """The faces of an asset the caller may read: always none."""
        await self.db.read(lambda c: require_assets(c, auth, [asset_id], "read"))
        return []

    async def create_face(self, auth: AuthContext, asset_id: uuid.UUID) -> None:
        await self.db.read(lambda c: require_assets(c, auth, [asset_id], "read"))
        raise denied("person.read")
