"""SQL for album activity: comments and likes on an album or one of its assets.

Activities are not synced (Immich has no sync type for them), so they carry no change clock.
Reads leave out activities of deleted users and those on assets an album no longer shows
(trashed or locked), as Immich does.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import activities, albums, assets, users
from filmroll.repositories import access

_UNSET: Any = object()


def _visible() -> sa.ColumnElement[bool]:
    """The author is not deleted and the asset, if any, is one albums still show."""
    live_author = activities.c.user_id.in_(sa.select(users.c.id).where(users.c.deleted_at.is_(None)))
    hidden_asset = activities.c.asset_id.in_(sa.select(assets.c.id).where(~access.album_shows()))
    return sa.and_(live_author, sa.or_(activities.c.asset_id.is_(None), ~hidden_asset))


def search(
    conn: Connection,
    album_id: uuid.UUID,
    *,
    asset_id: uuid.UUID | None = _UNSET,
    user_id: uuid.UUID | None = None,
    is_liked: bool | None = None,
) -> Sequence[Row[Any]]:
    """The album's activities, oldest first, each with its author's columns (`author_*`).

    `asset_id`: leave out for every level, None for album-level activities only, an id for that
    asset's activities.
    """
    author = users.alias("author")
    query = (
        sa.select(activities, *[c.label(f"author_{c.name}") for c in author.c])
        .join(author, author.c.id == activities.c.user_id)
        .where(activities.c.album_id == album_id, _visible())
    )
    if asset_id is None:
        query = query.where(activities.c.asset_id.is_(None))
    elif asset_id is not _UNSET:
        query = query.where(activities.c.asset_id == asset_id)
    if user_id is not None:
        query = query.where(activities.c.user_id == user_id)
    if is_liked is not None:
        query = query.where(activities.c.is_liked.is_(is_liked))
    return conn.execute(query.order_by(activities.c.created_at, activities.c.id)).all()


def get(conn: Connection, activity_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(activities).where(activities.c.id == activity_id)).first()


def get_with_author(conn: Connection, activity_id: uuid.UUID) -> Row[Any]:
    author = users.alias("author")
    query = (
        sa.select(activities, *[c.label(f"author_{c.name}") for c in author.c])
        .join(author, author.c.id == activities.c.user_id)
        .where(activities.c.id == activity_id)
    )
    row = conn.execute(query).first()
    assert row is not None
    return row


def insert(conn: Connection, values: dict[str, Any], now: datetime) -> uuid.UUID:
    row = {"id": uuid.uuid4(), **values, "created_at": now, "updated_at": now}
    conn.execute(sa.insert(activities).values(row))
    return uuid.UUID(str(row["id"]))


def delete(conn: Connection, activity_id: uuid.UUID) -> None:
    conn.execute(sa.delete(activities).where(activities.c.id == activity_id))


def statistics(conn: Connection, album_id: uuid.UUID, asset_id: uuid.UUID | None) -> tuple[int, int]:
    """(comments, likes) on the album, or on one of its assets."""
    query = sa.select(activities.c.is_liked, sa.func.count()).where(
        activities.c.album_id == album_id, _visible()
    )
    if asset_id is not None:
        query = query.where(activities.c.asset_id == asset_id)
    counts = {bool(liked): int(n) for liked, n in conn.execute(query.group_by(activities.c.is_liked))}
    return counts.get(False, 0), counts.get(True, 0)


def lock_album(conn: Connection, album_id: uuid.UUID) -> None:
    """Serialise activity writes on one album, so a user's like is never stored twice
    (PostgreSQL row lock; SQLite writes are serialised already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(albums.c.id).where(albums.c.id == album_id).with_for_update())
