"""SQL for shared links and the assets of individual links.

Links carry no change clock: no sync form sends them, and a visitor's reads go through
`repositories.access.link_readable`, which follows the link rows as they are now.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import assets, shared_link_assets, shared_links, users
from filmroll.repositories import access


def insert(
    conn: Connection, values: dict[str, Any], asset_ids: Sequence[uuid.UUID], now: datetime
) -> Row[Any]:
    row = {"id": uuid.uuid4(), **values, "created_at": now}
    conn.execute(sa.insert(shared_links).values(row))
    add_assets(conn, row["id"], asset_ids, now)
    found = get(conn, row["id"])
    assert found is not None
    return found


def get(conn: Connection, link_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(shared_links).where(shared_links.c.id == link_id)).first()


def get_owned(conn: Connection, user_id: uuid.UUID, link_id: uuid.UUID) -> Row[Any] | None:
    query = sa.select(shared_links).where(shared_links.c.id == link_id, shared_links.c.user_id == user_id)
    return conn.execute(query).first()


def list_owned(
    conn: Connection, user_id: uuid.UUID, *, link_id: uuid.UUID | None, album_id: uuid.UUID | None
) -> Sequence[Row[Any]]:
    """The user's links, newest first, optionally one id or one album's."""
    query = sa.select(shared_links).where(shared_links.c.user_id == user_id)
    if link_id is not None:
        query = query.where(shared_links.c.id == link_id)
    if album_id is not None:
        query = query.where(shared_links.c.album_id == album_id)
    return conn.execute(query.order_by(shared_links.c.created_at.desc(), shared_links.c.id)).all()


def find_with_owner(
    conn: Connection, *, key_hash: bytes | None = None, slug: str | None = None
) -> Row[Any] | None:
    """The link with this key digest or slug, if its owner is not deleted; `expires_at` is
    left to the caller."""
    query = sa.select(shared_links).join(users, users.c.id == shared_links.c.user_id)
    query = query.where(users.c.deleted_at.is_(None))
    if key_hash is not None:
        query = query.where(shared_links.c.key_hash == key_hash)
    elif slug is not None:
        query = query.where(shared_links.c.slug == slug)
    else:
        return None
    return conn.execute(query).first()


def slug_taken(conn: Connection, slug: str, *, except_id: uuid.UUID | None = None) -> bool:
    query = sa.select(shared_links.c.id).where(shared_links.c.slug == slug)
    if except_id is not None:
        query = query.where(shared_links.c.id != except_id)
    return conn.execute(query).first() is not None


def update(conn: Connection, link_id: uuid.UUID, values: dict[str, Any]) -> None:
    if values:
        conn.execute(sa.update(shared_links).where(shared_links.c.id == link_id).values(**values))


def delete(conn: Connection, link_id: uuid.UUID) -> None:
    conn.execute(sa.delete(shared_links).where(shared_links.c.id == link_id))


# --- assets of individual links -----------------------------------------------------------


def asset_ids(conn: Connection, link_id: uuid.UUID) -> set[uuid.UUID]:
    query = sa.select(shared_link_assets.c.asset_id).where(shared_link_assets.c.link_id == link_id)
    return {uuid.UUID(str(r)) for r in conn.execute(query).scalars()}


def add_assets(conn: Connection, link_id: uuid.UUID, ids: Sequence[uuid.UUID], now: datetime) -> None:
    if ids:
        conn.execute(
            sa.insert(shared_link_assets),
            [{"link_id": link_id, "asset_id": a, "created_at": now} for a in ids],
        )


def remove_assets(conn: Connection, link_id: uuid.UUID, ids: Sequence[uuid.UUID]) -> None:
    if ids:
        conn.execute(
            sa.delete(shared_link_assets).where(
                shared_link_assets.c.link_id == link_id, shared_link_assets.c.asset_id.in_(list(ids))
            )
        )


def shown_assets(conn: Connection, link_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
    """Per individual link, the assets it shows (not trashed, not locked), oldest first."""
    if not link_ids:
        return {}
    query = (
        sa.select(shared_link_assets.c.link_id, assets)
        .join(assets, assets.c.id == shared_link_assets.c.asset_id)
        .where(shared_link_assets.c.link_id.in_(list(link_ids)), access.album_shows())
        .order_by(assets.c.file_created_at, assets.c.id)
    )
    found: dict[uuid.UUID, list[Row[Any]]] = {i: [] for i in link_ids}
    for row in conn.execute(query):
        found[row.link_id].append(row)
    return found
