"""Album rules: who may read, edit, share and add assets, all in one transaction per call.

The owner may do everything; members read; editors also add assets and remove those they may
share; a member may leave. Which assets may go in (own or partner-readable, never locked) is
`services.access`'s rule. Access failures answer as Immich does (400 "Not found or no ...
access", naming the permission the caller lacks). A user added to an album (on creation or
later) gets an `AlbumInvite` notification, written in the same transaction as the membership
and pushed live as `on_notification` once it has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import albums as repo
from filmroll.repositories import users
from filmroll.services import access, notifications
from filmroll.services.auth import AuthContext
from filmroll.services.events import EventBus, Outbox

ROLES = ("editor", "viewer")
_EDITORS: tuple[access.AlbumRole, ...] = ("owner", "editor")


@dataclass(frozen=True, slots=True)
class AlbumView:
    """An album with what its response needs: owner, members with users, assets and statistics."""

    album: Row[Any]
    owner: Row[Any]
    members: list[tuple[Row[Any], Row[Any]]]
    assets: Sequence[Row[Any]]
    stats: Row[Any] | None
    has_shared_link: bool = False


class AlbumService:
    def __init__(self, db: Database, events: EventBus | None = None) -> None:
        self.db = db
        self.events = events or EventBus()

    # --- reading --------------------------------------------------------------------------

    async def search(
        self, auth: AuthContext, shared: bool | None, asset_id: uuid.UUID | None
    ) -> list[AlbumView]:
        def load(conn: Connection) -> list[AlbumView]:
            rows = repo.list_for_user(conn, auth.user_id, shared=shared, asset_id=asset_id)
            stats = repo.asset_stats(conn, [r.id for r in rows])
            return [self._view(conn, r, with_assets=False, stats=stats.get(r.id)) for r in rows]

        return await self.db.read(load)

    async def get(self, auth: AuthContext, album_id: uuid.UUID, *, with_assets: bool) -> AlbumView:
        def load(conn: Connection) -> AlbumView:
            album = self._readable(conn, auth, album_id)
            return self._view(conn, album, with_assets=with_assets)

        return await self.db.read(load)

    # --- writing --------------------------------------------------------------------------

    async def create(
        self,
        auth: AuthContext,
        fields: dict[str, Any],
        members: Sequence[tuple[uuid.UUID, str]],
        asset_ids: Sequence[uuid.UUID],
    ) -> AlbumView:
        def create(conn: Connection) -> AlbumView:
            self._check_new_members(conn, auth.user_id, members, existing=set())
            shareable = access.shareable(conn, auth, asset_ids)
            allowed = [i for i in _unique(asset_ids) if i in shareable]
            if len(allowed) != len(_unique(asset_ids)):
                raise access.denied("asset.share")
            values = dict(fields)
            if allowed:
                values["thumbnail_asset_id"] = allowed[0]
            album = repo.insert(conn, auth.user_id, values)
            repo.add_assets(conn, album.id, allowed)
            if members:
                repo.add_members(conn, album.id, members)
                self._invite(conn, outbox, auth, album, members)
            return self._view(conn, self._get(conn, album.id), with_assets=True)

        async with self.events.collect() as outbox:
            return await self.db.write(create)

    async def update(self, auth: AuthContext, album_id: uuid.UUID, values: dict[str, Any]) -> AlbumView:
        def update(conn: Connection) -> AlbumView:
            self._owned(conn, auth, album_id, "album.update")
            thumb = values.get("thumbnail_asset_id")
            if thumb is not None and not repo.asset_ids_in(conn, album_id, [thumb]):
                raise BadRequest("Invalid album thumbnail")
            if values:
                repo.update(conn, album_id, values)
            return self._view(conn, self._get(conn, album_id), with_assets=False)

        return await self.db.write(update)

    async def delete(self, auth: AuthContext, album_id: uuid.UUID) -> None:
        def delete(conn: Connection) -> None:
            self._owned(conn, auth, album_id, "album.delete")
            repo.delete(conn, album_id)

        await self.db.write(delete)

    async def add_assets(
        self, auth: AuthContext, album_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
    ) -> list[dict[str, Any]]:
        def add(conn: Connection) -> list[dict[str, Any]]:
            album, _role = access.require_album(conn, auth, album_id, "albumAsset.create", _EDITORS)
            ids = _unique(asset_ids)
            present = repo.asset_ids_in(conn, album_id, ids)
            allowed = access.shareable(conn, auth, [i for i in ids if i not in present])
            added = [i for i in ids if i in allowed]
            repo.add_assets(conn, album_id, added)
            if added:
                thumb = album.thumbnail_asset_id or added[0]
                repo.update(conn, album_id, {"thumbnail_asset_id": thumb})
            return [
                _bulk(i, i in allowed, "duplicate" if i in present else "no_permission") for i in asset_ids
            ]

        return await self.db.write(add)

    async def remove_assets(
        self, auth: AuthContext, album_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
    ) -> list[dict[str, Any]]:
        def remove(conn: Connection) -> list[dict[str, Any]]:
            album, role = access.require_album(conn, auth, album_id, "albumAsset.delete", _EDITORS)
            ids = _unique(asset_ids)
            present = repo.asset_ids_in(conn, album_id, ids)
            allowed = present if role == "owner" else access.shareable(conn, auth, list(present))
            removed = [i for i in ids if i in present and i in allowed]
            repo.remove_assets(conn, album_id, removed)
            if removed:
                thumb = album.thumbnail_asset_id
                repo.update(conn, album_id, {"thumbnail_asset_id": None if thumb in removed else thumb})
            return [
                _bulk(i, i in removed, "not_found" if i not in present else "no_permission")
                for i in asset_ids
            ]

        return await self.db.write(remove)

    async def add_users(
        self, auth: AuthContext, album_id: uuid.UUID, members: Sequence[tuple[uuid.UUID, str]]
    ) -> AlbumView:
        def add(conn: Connection) -> AlbumView:
            self._owned(conn, auth, album_id, "album.share")
            existing = {r.user_id for r in repo.members_of(conn, album_id)}
            self._check_new_members(conn, auth.user_id, members, existing=existing)
            repo.add_members(conn, album_id, members)
            album = self._get(conn, album_id)
            self._invite(conn, outbox, auth, album, members)
            return self._view(conn, album, with_assets=False)

        async with self.events.collect() as outbox:
            return await self.db.write(add)

    async def set_role(self, auth: AuthContext, album_id: uuid.UUID, user_id: uuid.UUID, role: str) -> None:
        def update(conn: Connection) -> None:
            self._owned(conn, auth, album_id, "album.share")
            if repo.member(conn, album_id, user_id) is None:
                raise BadRequest("Album not shared with user")
            repo.set_role(conn, album_id, user_id, role)

        await self.db.write(update)

    async def remove_user(self, auth: AuthContext, album_id: uuid.UUID, user_id: uuid.UUID) -> None:
        """The owner removes a member, or a member leaves; the owner cannot be removed."""

        def remove(conn: Connection) -> None:
            album = self._readable(conn, auth, album_id)
            if user_id == album.owner_id:
                raise BadRequest("Cannot remove album owner")
            if user_id != auth.user_id and album.owner_id != auth.user_id:
                raise access.denied("album.share")
            if repo.member(conn, album_id, user_id) is None:
                raise BadRequest("Album not shared with user")
            repo.remove_member(conn, album_id, user_id)

        await self.db.write(remove)

    # --- rules ----------------------------------------------------------------------------

    @staticmethod
    def _get(conn: Connection, album_id: uuid.UUID) -> Row[Any]:
        album = repo.get(conn, album_id)
        assert album is not None
        return album

    @staticmethod
    def _readable(conn: Connection, auth: AuthContext, album_id: uuid.UUID) -> Row[Any]:
        album, _role = access.require_album(conn, auth, album_id, "album.read", ("owner", "editor", "viewer"))
        return album

    @staticmethod
    def _owned(conn: Connection, auth: AuthContext, album_id: uuid.UUID, action: str) -> Row[Any]:
        album, _role = access.require_album(conn, auth, album_id, action, ("owner",))
        return album

    @staticmethod
    def _invite(
        conn: Connection,
        outbox: Outbox,
        auth: AuthContext,
        album: Row[Any],
        members: Sequence[tuple[uuid.UUID, str]],
    ) -> None:
        for user_id, _role in members:
            notifications.album_invite(conn, outbox, album, user_id, auth.user.name)

    @staticmethod
    def _check_new_members(
        conn: Connection,
        owner_id: uuid.UUID,
        members: Sequence[tuple[uuid.UUID, str]],
        existing: set[uuid.UUID],
    ) -> None:
        seen: set[uuid.UUID] = set()
        for user_id, _role in members:
            if user_id == owner_id:
                raise BadRequest("Cannot be shared with owner")
            if user_id in existing or user_id in seen:
                raise BadRequest("User already added")
            if users.get(conn, user_id) is None:
                raise BadRequest("User not found")
            seen.add(user_id)

    @staticmethod
    def _view(
        conn: Connection, album: Row[Any], *, with_assets: bool, stats: Row[Any] | None = None
    ) -> AlbumView:
        owner = users.get(conn, album.owner_id, with_deleted=True)
        assert owner is not None
        members = []
        for link in repo.members_of(conn, album.id):
            user = users.get(conn, link.user_id, with_deleted=True)
            if user is not None:
                members.append((link, user))
        if stats is None:
            stats = repo.asset_stats(conn, [album.id]).get(album.id)
        found = repo.assets_of(conn, album.id, album.order) if with_assets else []
        return AlbumView(album, owner, members, found, stats, repo.has_shared_link(conn, album.id))


def _unique(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))


def _bulk(asset_id: uuid.UUID, success: bool, error: str) -> dict[str, Any]:
    return (
        {"id": str(asset_id), "success": True}
        if success
        else {"id": str(asset_id), "success": False, "error": error}
    )
