"""Tag rules: a user's own hierarchical labels, put on the assets that user may edit.

Tags belong to one user: reading, changing, deleting or applying a tag someone else owns
answers as a missing one (400 "Not found or no tag.<action> access"). Only assets the caller
owns can be tagged or untagged, as with every other asset change. Upserting `a/b/c` creates
`a` and `a/b` as needed, each with the one above as parent; deleting a tag removes the tags
below it too.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection, Row

from filmroll.db.engine import Database
from filmroll.errors import BadRequest
from filmroll.repositories import assets as assets_repo
from filmroll.repositories import tags as repo
from filmroll.services.access import denied, require_assets
from filmroll.services.auth import AuthContext
from filmroll.timefmt import iso

MAX_VALUE = 1000
"""Longest full tag path (`a/b/c`), the width of the value column."""
UNSET: Any = object()
"""`update`'s colour when the request does not mention it."""


def tag_response(row: Any) -> dict[str, Any]:
    """TagResponseDto; `parentId` and `color` are left out when empty, as Immich does."""
    body: dict[str, Any] = {
        "id": str(row.id),
        "name": str(row.value).rsplit("/", 1)[-1],
        "value": row.value,
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
    }
    if row.parent_id is not None:
        body["parentId"] = str(row.parent_id)
    if row.color is not None:
        body["color"] = row.color
    return body


def _bulk(asset_id: uuid.UUID, success: bool, error: str) -> dict[str, Any]:
    return (
        {"id": str(asset_id), "success": True}
        if success
        else {"id": str(asset_id), "success": False, "error": error}
    )


def _unique(ids: Sequence[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(ids))


def _owned_asset_ids(conn: Connection, auth: AuthContext, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    return {uuid.UUID(str(r.id)) for r in assets_repo.get_many(conn, ids) if r.owner_id == auth.user_id}


class TagService:
    def __init__(self, db: Database) -> None:
        self.db = db

    @staticmethod
    def _require(conn: Connection, auth: AuthContext, tag_id: uuid.UUID, action: str) -> Row[Any]:
        row = repo.get(conn, tag_id)
        if row is None or row.user_id != auth.user_id:
            raise denied(f"tag.{action}")
        return row

    async def all(self, auth: AuthContext) -> list[dict[str, Any]]:
        rows = await self.db.read(lambda c: repo.list_for_user(c, auth.user_id))
        return [tag_response(r) for r in rows]

    async def get(self, auth: AuthContext, tag_id: uuid.UUID) -> dict[str, Any]:
        return tag_response(await self.db.read(lambda c: self._require(c, auth, tag_id, "read")))

    async def create(
        self, auth: AuthContext, name: str, color: str | None, parent_id: uuid.UUID | None
    ) -> dict[str, Any]:
        def create(conn: Connection) -> Row[Any]:
            parent = self._require(conn, auth, parent_id, "read") if parent_id is not None else None
            value = f"{parent.value}/{name}" if parent is not None else name
            if len(value) > MAX_VALUE:
                raise BadRequest([f"tag value must be shorter than or equal to {MAX_VALUE} characters"])
            if repo.get_by_value(conn, auth.user_id, value) is not None:
                raise BadRequest("A tag with that name already exists")
            return repo.insert(conn, auth.user_id, value, color, parent.id if parent is not None else None)

        return tag_response(await self.db.write(create))

    async def update(self, auth: AuthContext, tag_id: uuid.UUID, color: str | None) -> dict[str, Any]:
        def update(conn: Connection) -> Row[Any]:
            row = self._require(conn, auth, tag_id, "update")
            return row if color is UNSET else repo.update(conn, tag_id, {"color": color})

        return tag_response(await self.db.write(update))

    async def upsert(self, auth: AuthContext, values: Sequence[str]) -> list[dict[str, Any]]:
        """Each path's leaf tag, creating missing tags along the path (empty segments dropped)."""

        def upsert(conn: Connection) -> list[Row[Any]]:
            leaves: list[Row[Any]] = []
            for path in dict.fromkeys(values):
                parent: Row[Any] | None = None
                for part in (p for p in path.split("/") if p):
                    value = f"{parent.value}/{part}" if parent is not None else part
                    parent_id = parent.id if parent is not None else None
                    found = repo.get_by_value(conn, auth.user_id, value)
                    if found is None:
                        parent = repo.insert(conn, auth.user_id, value, None, parent_id)
                    elif found.parent_id != parent_id:
                        parent = repo.update(conn, found.id, {"parent_id": parent_id})
                    else:
                        parent = found
                if parent is not None:
                    leaves.append(parent)
            return leaves

        return [tag_response(r) for r in await self.db.write(upsert)]

    async def delete(self, auth: AuthContext, tag_id: uuid.UUID) -> None:
        def delete(conn: Connection) -> None:
            self._require(conn, auth, tag_id, "delete")
            repo.delete_tree(conn, tag_id)

        await self.db.write(delete)

    async def tag_assets(
        self, auth: AuthContext, tag_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
    ) -> list[dict[str, Any]]:
        def add(conn: Connection) -> list[dict[str, Any]]:
            self._require(conn, auth, tag_id, "asset")
            ids = _unique(asset_ids)
            present = repo.linked_asset_ids(conn, tag_id, ids)
            allowed = _owned_asset_ids(conn, auth, [i for i in ids if i not in present])
            repo.link(conn, [(tag_id, i) for i in ids if i in allowed])
            results, seen = [], set()
            for i in asset_ids:
                added = i in allowed and i not in seen
                results.append(_bulk(i, added, "duplicate" if i in present or i in seen else "no_permission"))
                seen.add(i)
            return results

        return await self.db.write(add)

    async def untag_assets(
        self, auth: AuthContext, tag_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]
    ) -> list[dict[str, Any]]:
        def remove(conn: Connection) -> list[dict[str, Any]]:
            self._require(conn, auth, tag_id, "asset")
            ids = _unique(asset_ids)
            present = repo.linked_asset_ids(conn, tag_id, ids)
            repo.unlink(conn, tag_id, [i for i in ids if i in present])
            results, seen = [], set()
            for i in asset_ids:
                results.append(_bulk(i, i in present and i not in seen, "not_found"))
                seen.add(i)
            return results

        return await self.db.write(remove)

    async def bulk_tag(
        self, auth: AuthContext, tag_ids: Sequence[uuid.UUID], asset_ids: Sequence[uuid.UUID]
    ) -> int:
        """Tag every owned asset with every owned tag; ids the caller may not use are skipped.
        Returns the links created (existing ones are not counted)."""

        def apply(conn: Connection) -> int:
            own_tags = repo.owned_ids(conn, auth.user_id, tag_ids)
            own_assets = _owned_asset_ids(conn, auth, _unique(asset_ids))
            tids = [t for t in _unique(tag_ids) if t in own_tags]
            aids = [a for a in _unique(asset_ids) if a in own_assets]
            existing = repo.existing_links(conn, tids, aids)
            pairs = [(t, a) for t in tids for a in aids if (t, a) not in existing]
            repo.link(conn, pairs)
            return len(pairs)

        return await self.db.write(apply)

    async def for_asset(self, auth: AuthContext, asset_id: uuid.UUID) -> list[dict[str, Any]]:
        """The tags on an asset the caller may read (the owner's tags, as Immich shows them);
        none for a shared link's visitor when the link hides metadata."""
        hidden = auth.link is not None and not auth.link.show_metadata

        def load(conn: Connection) -> list[Row[Any]]:
            require_assets(conn, auth, [asset_id], "read")
            return [] if hidden else repo.tags_of_assets(conn, [asset_id]).get(asset_id, [])

        return [tag_response(r) for r in await self.db.read(load)]
