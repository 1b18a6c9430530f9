"""Partner sharing rules, and the timeline access rule every sync form applies.

A user may read a timeline if it is their own or its owner shares it with them (both users
live). Partner changes are stamped by the change clock in the repository.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import partners, users

Direction = Literal["shared-by", "shared-with"]
NO_TIMELINE_ACCESS = "Not found or no timeline.read access"


class PartnerService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, owner_id: uuid.UUID, shared_with_id: uuid.UUID) -> Row[Any]:
        """Share `owner_id`'s timeline; returns the other user's row with `in_timeline`."""
        if shared_with_id == owner_id:
            raise BadRequest("Cannot share with yourself")

        def create(conn: Connection) -> Row[Any]:
            if users.get(conn, shared_with_id) is None:
                raise BadRequest("User not found")
            if partners.get(conn, owner_id, shared_with_id) is not None:
                raise BadRequest("Partner already exists")
            partners.create(conn, owner_id, shared_with_id)
            return self._one(conn, owner_id, shared_with_id, shared_by=True)

        return await self.db.write(create)

    async def remove(self, owner_id: uuid.UUID, shared_with_id: uuid.UUID) -> None:
        def remove(conn: Connection) -> None:
            if not partners.delete(conn, owner_id, shared_with_id):
                raise BadRequest("Partner not found")

        await self.db.write(remove)

    async def search(self, user_id: uuid.UUID, direction: Direction) -> Sequence[Row[Any]]:
        shared_by = direction == "shared-by"
        return await self.db.read(lambda c: partners.list_with_users(c, user_id, shared_by=shared_by))

    async def update(self, viewer_id: uuid.UUID, shared_by_id: uuid.UUID, in_timeline: bool) -> Row[Any]:
        """The viewer chooses whether a sharer's assets appear in their timeline."""

        def update(conn: Connection) -> Row[Any]:
            if not partners.shares_with(conn, shared_by_id, viewer_id):
                raise BadRequest("Not found or no partner.update access")
            partners.set_in_timeline(conn, shared_by_id, viewer_id, in_timeline)
            return self._one(conn, viewer_id, shared_by_id, shared_by=False)

        return await self.db.write(update)

    @staticmethod
    def _one(conn: Connection, user_id: uuid.UUID, other_id: uuid.UUID, *, shared_by: bool) -> Row[Any]:
        for row in partners.list_with_users(conn, user_id, shared_by=shared_by):
            if row.id == other_id:
                return row
        raise BadRequest("Partner not found")


def timeline_owners(conn: Connection, viewer_id: uuid.UUID) -> set[uuid.UUID]:
    """Every owner whose timeline `viewer_id` may read: itself and its live sharers."""
    return {viewer_id} | partners.sharer_ids(conn, viewer_id)


def require_timeline_access(conn: Connection, viewer_id: uuid.UUID, owner_ids: Sequence[uuid.UUID]) -> None:
    """Raise Immich's 400 unless `viewer_id` may read every listed timeline."""
    for owner_id in owner_ids:
        if owner_id != viewer_id and not partners.shares_with(conn, owner_id, viewer_id):
            raise BadRequest(NO_TIMELINE_ACCESS)
