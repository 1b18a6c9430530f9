"""Album activity: comments and likes on an shared album or one of its assets, as Immich has them.

Who may do what:

- read and count: the album's owner and members (`album.read`);
- create: the owner and members, while the album has activity enabled (`activity.create`);
  an asset-level activity must name an asset the album shows (Immich does not check this);
- delete: the author, or the album's owner (`activity.delete`).

A user likes an album, or one asset in it, at most once: liking again answers the existing
like (200 instead of 201). Failures answer Immich's 400 "Not found or no <permission> access".
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.engine import Connection, Row

from filmroll.db.clock import utcnow
from filmroll.db.engine import Database
from filmroll.repositories import activities as repo
from filmroll.repositories import albums as albums_repo
from filmroll.repositories import assets as assets_repo
from filmroll.repositories.access import LOCKED
from filmroll.services import access
from filmroll.services.auth import AuthContext

ReactionType = Literal["comment", "like"]
ReactionLevel = Literal["album", "asset"]
_MEMBERS: tuple[access.AlbumRole, ...] = ("owner", "editor", "viewer")


@dataclass(frozen=True, slots=True)
class Created:
    activity: Row[Any]
    duplicate: bool


class ActivityService:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def search(
        self,
        auth: AuthContext,
        album_id: uuid.UUID,
        *,
        asset_id: uuid.UUID | None,
        user_id: uuid.UUID | None,
        type: ReactionType | None,
        level: ReactionLevel | None,
    ) -> list[Row[Any]]:
        """The album's activities, oldest first. `level=album` keeps album-level ones only;
        otherwise `assetId` narrows to one asset (Immich's filters)."""

        def load(conn: Connection) -> list[Row[Any]]:
            access.require_album(conn, auth, album_id, "album.read", _MEMBERS)
            kwargs: dict[str, Any] = {}
            if level == "album":
                kwargs["asset_id"] = None
            elif asset_id is not None:
                kwargs["asset_id"] = asset_id
            liked = None if type is None else type == "like"
            return list(repo.search(conn, album_id, user_id=user_id, is_liked=liked, **kwargs))

        return await self.db.read(load)

    async def statistics(
        self, auth: AuthContext, album_id: uuid.UUID, asset_id: uuid.UUID | None
    ) -> tuple[int, int]:
        """(comments, likes) on the album, or on one of its assets."""

        def load(conn: Connection) -> tuple[int, int]:
            access.require_album(conn, auth, album_id, "album.read", _MEMBERS)
            return repo.statistics(conn, album_id, asset_id)

        return await self.db.read(load)

    async def create(
        self,
        auth: AuthContext,
        album_id: uuid.UUID,
        asset_id: uuid.UUID | None,
        type: ReactionType,
        comment: str | None,
    ) -> Created:
        def create(conn: Connection) -> Created:
            album, _role = access.require_album(conn, auth, album_id, "activity.create", _MEMBERS)
            if not album.is_activity_enabled:
                raise access.denied("activity.create")
            if asset_id is not None:
                asset = assets_repo.get(conn, asset_id)
                shown = asset is not None and asset.deleted_at is None and asset.visibility != LOCKED
                if not shown or not albums_repo.asset_ids_in(conn, album_id, [asset_id]):
                    raise access.denied("activity.create")
            repo.lock_album(conn, album_id)
            if type == "like":
                found = repo.search(conn, album_id, asset_id=asset_id, user_id=auth.user_id, is_liked=True)
                if found:
                    return Created(found[0], duplicate=True)
            values = {
                "album_id": album_id,
                "asset_id": asset_id,
                "user_id": auth.user_id,
                "is_liked": type == "like",
                "comment": comment if type == "comment" else None,
            }
            activity_id = repo.insert(conn, values, utcnow())
            return Created(repo.get_with_author(conn, activity_id), duplicate=False)

        return await self.db.write(create)

    async def delete(self, auth: AuthContext, activity_id: uuid.UUID) -> None:
        """The author may delete their own activity, the album's owner any."""

        def delete(conn: Connection) -> None:
            activity = repo.get(conn, activity_id)
            album = None if activity is None else albums_repo.get(conn, activity.album_id)
            if activity is None or album is None or auth.link is not None:
                raise access.denied("activity.delete")
            if auth.user_id not in (activity.user_id, album.owner_id):
                raise access.denied("activity.delete")
            repo.delete(conn, activity_id)

        await self.db.write(delete)
