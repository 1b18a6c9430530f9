"""SQL for albums, their members and their assets, every write stamped by the change clock.

Deletes leave tombstones so the v2 stream can send a delete to every viewer who lost something:
removing a member writes `album_user_audit` for the remaining viewers and `album_audit`
for the removed user (an unshare is an album delete for them); deleting an album writes
`album_audit` for the owner and every member and `album_asset_audit` for every link.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import (
    album_asset_audit,
    album_assets,
    album_audit,
    album_user_audit,
    album_users,
    albums,
    assets,
    shared_links,
)
from filmroll.repositories import access


def get(conn: Connection, album_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(albums).where(albums.c.id == album_id)).first()


def insert(conn: Connection, owner_id: uuid.UUID, values: dict[str, Any]) -> Row[Any]:
    stamp = clock.reserve(conn)
    row = {
        "id": uuid.uuid4(),
        "owner_id": owner_id,
        "name": "",
        "description": "",
        "is_activity_enabled": True,
        "order": "desc",
        **values,
        "created_at": stamp.at,
        "updated_at": stamp.at,
        "update_seq": stamp.seq,
    }
    conn.execute(sa.insert(albums).values(row))
    found = get(conn, row["id"])
    assert found is not None
    return found


def update(conn: Connection, album_id: uuid.UUID, values: dict[str, Any]) -> None:
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(albums)
        .where(albums.c.id == album_id)
        .values(**values, updated_at=stamp.at, update_seq=stamp.seq)
    )


def touch(conn: Connection, album_id: uuid.UUID) -> None:
    update(conn, album_id, {})


def _linked(album_id: Any) -> sa.Exists:
    """Whether the album has a shared link. Only its owner may create one; an expired link
    still counts, as in Immich (the owner sees and can renew it)."""
    return sa.exists().where(shared_links.c.album_id == album_id)


def has_shared_link(conn: Connection, album_id: uuid.UUID) -> bool:
    return bool(conn.execute(sa.select(_linked(album_id))).scalar_one())


def list_for_user(
    conn: Connection, user_id: uuid.UUID, *, shared: bool | None, asset_id: uuid.UUID | None
) -> Sequence[Row[Any]]:
    """Albums the user owns or belongs to; `shared` filters on having members or a shared
    link, as Immich's shared and not-shared album lists do."""
    member_of = sa.select(album_users.c.album_id).where(album_users.c.user_id == user_id)
    is_shared = sa.or_(sa.exists().where(album_users.c.album_id == albums.c.id), _linked(albums.c.id))
    query = sa.select(albums)
    if shared is None:
        query = query.where(sa.or_(albums.c.owner_id == user_id, albums.c.id.in_(member_of)))
    elif shared:
        query = query.where(
            sa.or_(albums.c.id.in_(member_of), sa.and_(albums.c.owner_id == user_id, is_shared))
        )
    else:
        query = query.where(albums.c.owner_id == user_id, ~is_shared)
    if asset_id is not None:
        query = query.where(
            albums.c.id.in_(sa.select(album_assets.c.album_id).where(album_assets.c.asset_id == asset_id))
        )
    return conn.execute(query.order_by(albums.c.created_at.desc())).all()


def delete(conn: Connection, album_id: uuid.UUID) -> None:
    """Delete an album; its owner and every member get a tombstone, and so does every link.

    The link tombstones are what lets a member's stream delete assets it could see only
    through this album; members never get them as `AlbumToAssetDeleteV1` (the album is gone).
    They are stamped before the album's own tombstones: a link removed before a user lost the
    album is one that user saw (`access.saw_link_removal`).
    """
    # Writers adding a member or an asset hold the clock until they commit: holding it before
    # reading means the members and links read below include theirs (a member added while the
    # album was being deleted could otherwise have synced it and never get its tombstone).
    clock.hold(conn)
    album = get(conn, album_id)
    if album is None:
        return
    members = [r.user_id for r in members_of(conn, album_id)]
    viewers = [album.owner_id, *members]
    linked = [
        r.asset_id
        for r in conn.execute(sa.select(album_assets.c.asset_id).where(album_assets.c.album_id == album_id))
    ]
    stamp = clock.reserve(conn, len(linked) + len(viewers))
    _link_tombstones(conn, album_id, linked, stamp)
    first = len(linked)
    conn.execute(
        sa.insert(album_audit),
        [
            {
                "seq": stamp.seq_at(first + i),
                "album_id": album_id,
                "user_id": u,
                "deleted_at": stamp.at_at(first + i),
            }
            for i, u in enumerate(viewers)
        ],
    )
    conn.execute(sa.delete(albums).where(albums.c.id == album_id))


# --- members ------------------------------------------------------------------------------


def members_of(conn: Connection, album_id: uuid.UUID) -> Sequence[Row[Any]]:
    query = (
        sa.select(album_users).where(album_users.c.album_id == album_id).order_by(album_users.c.create_seq)
    )
    return conn.execute(query).all()


def member(conn: Connection, album_id: uuid.UUID, user_id: uuid.UUID) -> Row[Any] | None:
    query = sa.select(album_users).where(album_users.c.album_id == album_id, album_users.c.user_id == user_id)
    return conn.execute(query).first()


def add_members(conn: Connection, album_id: uuid.UUID, roles: Sequence[tuple[uuid.UUID, str]]) -> None:
    """Share the album; the album itself is bumped so members receive it again (as Immich does)."""
    stamp = clock.reserve(conn, len(roles))
    conn.execute(
        sa.insert(album_users),
        [
            {
                "album_id": album_id,
                "user_id": user_id,
                "role": role,
                "created_at": stamp.at_at(i),
                "updated_at": stamp.at_at(i),
                "create_seq": stamp.seq_at(i),
                "update_seq": stamp.seq_at(i),
            }
            for i, (user_id, role) in enumerate(roles)
        ],
    )
    touch(conn, album_id)


def set_role(conn: Connection, album_id: uuid.UUID, user_id: uuid.UUID, role: str) -> None:
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(album_users)
        .where(album_users.c.album_id == album_id, album_users.c.user_id == user_id)
        .values(role=role, updated_at=stamp.at, update_seq=stamp.seq)
    )


def remove_member(conn: Connection, album_id: uuid.UUID, user_id: uuid.UUID) -> None:
    stamp = clock.reserve(conn, 2)
    conn.execute(
        sa.delete(album_users).where(album_users.c.album_id == album_id, album_users.c.user_id == user_id)
    )
    conn.execute(
        sa.insert(album_user_audit).values(
            seq=stamp.seq_at(0), album_id=album_id, user_id=user_id, deleted_at=stamp.at_at(0)
        )
    )
    conn.execute(
        sa.insert(album_audit).values(
            seq=stamp.seq_at(1), album_id=album_id, user_id=user_id, deleted_at=stamp.at_at(1)
        )
    )


# --- assets -------------------------------------------------------------------------------


def asset_ids_in(conn: Connection, album_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    query = sa.select(album_assets.c.asset_id).where(
        album_assets.c.album_id == album_id, album_assets.c.asset_id.in_(list(ids))
    )
    return {r.asset_id for r in conn.execute(query)}


def add_assets(conn: Connection, album_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
    if not ids:
        return
    stamp = clock.reserve(conn, len(ids))
    conn.execute(
        sa.insert(album_assets),
        [
            {"album_id": album_id, "asset_id": a, "created_at": stamp.at_at(i), "update_seq": stamp.seq_at(i)}
            for i, a in enumerate(ids)
        ],
    )


def remove_assets(conn: Connection, album_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
    if not ids:
        return
    stamp = clock.reserve(conn, len(ids))
    conn.execute(
        sa.delete(album_assets).where(
            album_assets.c.album_id == album_id, album_assets.c.asset_id.in_(list(ids))
        )
    )
    _link_tombstones(conn, album_id, ids, stamp)


def _link_tombstones(
    conn: Connection, album_id: uuid.UUID, ids: Sequence[uuid.UUID], stamp: clock.Stamp, offset: int = 0
) -> None:
    if ids:
        conn.execute(
            sa.insert(album_asset_audit),
            [
                {
                    "seq": stamp.seq_at(offset + i),
                    "album_id": album_id,
                    "asset_id": a,
                    "deleted_at": stamp.at_at(offset + i),
                }
                for i, a in enumerate(ids)
            ],
        )


def unlink_everywhere(conn: Connection, ids: Sequence[uuid.UUID]) -> None:
    """Take assets out of every album (on a move into the locked folder), with link tombstones;
    albums whose cover was one of them lose the cover."""
    if not ids:
        return
    links = conn.execute(
        sa.select(album_assets.c.album_id, album_assets.c.asset_id).where(
            album_assets.c.asset_id.in_(list(ids))
        )
    ).all()
    for album_id in sorted({link.album_id for link in links}):
        remove_assets(conn, album_id, [link.asset_id for link in links if link.album_id == album_id])
        album = get(conn, album_id)
        if album is not None and album.thumbnail_asset_id in ids:
            update(conn, album_id, {"thumbnail_asset_id": None})


def assets_of(conn: Connection, album_id: uuid.UUID, order: str) -> Sequence[Row[Any]]:
    column = assets.c.file_created_at
    query = (
        sa.select(assets)
        .join(album_assets, album_assets.c.asset_id == assets.c.id)
        .where(album_assets.c.album_id == album_id, access.album_shows())
        .order_by(column.asc() if order == "asc" else column.desc())
    )
    return conn.execute(query).all()


def asset_stats(conn: Connection, album_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, Row[Any]]:
    """Per album: asset count, first and last capture time, newest asset change."""
    query: sa.Select[Any] = (
        sa.select(
            album_assets.c.album_id,
            sa.func.count().label("asset_count"),
            sa.func.min(assets.c.file_created_at).label("start"),
            sa.func.max(assets.c.file_created_at).label("end"),
            sa.func.max(assets.c.updated_at).label("last_modified"),
        )
        .join(assets, assets.c.id == album_assets.c.asset_id)
        .where(album_assets.c.album_id.in_(list(album_ids)), access.album_shows())
        .group_by(album_assets.c.album_id)
    )
    return {r.album_id: r for r in conn.execute(query)}
