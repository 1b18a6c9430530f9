"""What a user should hold after a full v2 sync, computed from the database independently of the sync code.

Keys only, named like the client replica's tables, so a freshly streamed replica can be
checked against the server's own tables rather than against another stream.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.schema import album_assets, album_users, albums, asset_exif, assets, partners, users

Key = tuple[str, ...]


def _ids(conn: Connection, query: sa.Select[Any]) -> set[Key]:
    return {(str(r[0]),) for r in conn.execute(query)}


def _pairs(conn: Connection, query: sa.Select[Any]) -> set[Key]:
    return {(str(r[0]), str(r[1])) for r in conn.execute(query)}


def server_keys(conn: Connection, me: uuid.UUID) -> dict[str, set[Key]]:
    """Own assets, partners' timeline assets and assets of the user's albums; those albums; partners;
    every user, soft-deleted ones included as in Immich (the default user directory, `all`)."""
    sharers = sa.select(partners.c.shared_by_id).where(partners.c.shared_with_id == me)
    mine = sa.union(
        sa.select(albums.c.id).where(albums.c.owner_id == me),
        sa.select(album_users.c.album_id).where(album_users.c.user_id == me),
    )
    linked = sa.select(album_assets.c.asset_id).where(album_assets.c.album_id.in_(mine))
    shown = sa.select(assets.c.id).where(
        sa.or_(
            assets.c.owner_id == me,
            sa.and_(assets.c.owner_id.in_(sharers), assets.c.visibility == "timeline"),
            assets.c.id.in_(linked),
        )
    )
    return {
        "auth_user": {(str(me),)},
        "users": _ids(conn, sa.select(users.c.id)),
        "assets": _ids(conn, shown),
        "exif": _ids(conn, sa.select(asset_exif.c.asset_id).where(asset_exif.c.asset_id.in_(shown))),
        "albums": _ids(conn, sa.select(albums.c.id).where(albums.c.id.in_(mine))),
        "album_users": _pairs(
            conn,
            sa.select(album_users.c.album_id, album_users.c.user_id).where(album_users.c.album_id.in_(mine)),
        ),
        "album_assets": _pairs(
            conn,
            sa.select(album_assets.c.album_id, album_assets.c.asset_id).where(
                album_assets.c.album_id.in_(mine)
            ),
        ),
        "partners": _pairs(
            conn,
            sa.select(partners.c.shared_by_id, partners.c.shared_with_id).where(
                sa.or_(partners.c.shared_by_id == me, partners.c.shared_with_id == me)
            ),
        ),
    }
