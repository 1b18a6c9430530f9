"""SQL for users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import album_users, albums, partners, user_audit, user_directory, users
from filmroll.repositories import access

DirectoryMode = Literal["all", "related"]


def get(conn: Connection, user_id: uuid.UUID, *, with_deleted: bool = False) -> Row[Any] | None:
    query = sa.select(users).where(users.c.id == user_id)
    if not with_deleted:
        query = query.where(users.c.deleted_at.is_(None))
    return conn.execute(query).first()


def get_by_email(conn: Connection, email: str, *, with_deleted: bool = False) -> Row[Any] | None:
    query = sa.select(users).where(users.c.email == email)
    if not with_deleted:
        query = query.where(users.c.deleted_at.is_(None))
    return conn.execute(query).first()


def count(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one())


def admin_exists(conn: Connection) -> bool:
    query = sa.select(users.c.id).where(users.c.is_admin.is_(True), users.c.deleted_at.is_(None)).limit(1)
    return conn.execute(query).first() is not None


def list_all(conn: Connection, *, with_deleted: bool = False) -> Sequence[Row[Any]]:
    query = sa.select(users).order_by(users.c.created_at, users.c.id)
    if not with_deleted:
        query = query.where(users.c.deleted_at.is_(None))
    return conn.execute(query).all()


def insert(conn: Connection, values: dict[str, Any]) -> Row[Any]:
    stamp = clock.reserve(conn)
    row = {
        "id": uuid.uuid4(),
        "profile_image_path": "",
        "oauth_id": "",
        "quota_usage_in_bytes": 0,
        "profile_changed_at": stamp.at,
        "created_at": stamp.at,
        "updated_at": stamp.at,
        "update_seq": stamp.seq,
        **values,
    }
    conn.execute(sa.insert(users).values(row))
    found = get(conn, row["id"], with_deleted=True)
    assert found is not None
    return found


def update(conn: Connection, user_id: uuid.UUID, values: dict[str, Any]) -> Row[Any] | None:
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(**values, updated_at=stamp.at, update_seq=stamp.seq)
    )
    return get(conn, user_id, with_deleted=True)


def add_usage(conn: Connection, user_id: uuid.UUID, delta: int) -> bool:
    """Change the user's storage usage by `delta` bytes; False (and no change) if it would pass
    their quota. One conditional UPDATE, so concurrent uploads cannot both slip under the quota.
    The row is stamped, so sync sends the new `quotaUsageInBytes` (as Immich does)."""
    if delta == 0:
        return True
    stamp = clock.reserve(conn)
    usage = users.c.quota_usage_in_bytes + delta
    where = [users.c.id == user_id]
    if delta > 0:
        where.append(sa.or_(users.c.quota_size_in_bytes.is_(None), usage <= users.c.quota_size_in_bytes))
    result = conn.execute(
        sa.update(users)
        .where(*where)
        .values(
            quota_usage_in_bytes=sa.case((usage < 0, 0), else_=usage),
            updated_at=stamp.at,
            update_seq=stamp.seq,
        )
    )
    return bool(result.rowcount)


def soft_delete(conn: Connection, user_id: uuid.UUID, when: datetime) -> Row[Any] | None:
    return update(conn, user_id, {"deleted_at": when})


def hard_delete(conn: Connection, user_id: uuid.UUID) -> None:
    stamp = clock.reserve(conn)
    conn.execute(sa.delete(users).where(users.c.id == user_id))
    conn.execute(sa.insert(user_audit).values(seq=stamp.seq, user_id=user_id, deleted_at=stamp.at))


def related_ids(conn: Connection, user_id: uuid.UUID) -> set[uuid.UUID]:
    """Users `user_id` is related to: itself, partners in either direction, and the owners and
    members of albums it owns or is a member of (soft-deleted ones included)."""
    rows = conn.execute(
        sa.select(partners.c.shared_by_id, partners.c.shared_with_id).where(
            sa.or_(partners.c.shared_by_id == user_id, partners.c.shared_with_id == user_id)
        )
    ).all()
    mine = access.albums_of(user_id)
    co_members = sa.union(
        sa.select(album_users.c.user_id).where(album_users.c.album_id.in_(mine)),
        sa.select(albums.c.owner_id).where(albums.c.id.in_(mine)),
    )
    return (
        {user_id}
        | {r.shared_by_id for r in rows}
        | {r.shared_with_id for r in rows}
        | {r[0] for r in conn.execute(co_members)}
    )


def visible_to(conn: Connection, viewer: uuid.UUID, mode: DirectoryMode) -> Sequence[Row[Any]]:
    """Active users `viewer` may list: everyone (`all`) or only related users (`related`)."""
    query = sa.select(users).where(users.c.deleted_at.is_(None)).order_by(users.c.created_at, users.c.id)
    if mode == "related":
        query = query.where(users.c.id.in_(list(related_ids(conn, viewer))))
    return conn.execute(query).all()


def visible(conn: Connection, viewer: uuid.UUID, user_id: uuid.UUID, mode: DirectoryMode) -> Row[Any] | None:
    """The active user `user_id` if `viewer` may see it under `mode`."""
    row = get(conn, user_id)
    if row is None or (mode == "related" and user_id not in related_ids(conn, viewer)):
        return None
    return row


def directory(conn: Connection) -> tuple[DirectoryMode, int]:
    """The directory mode in force and the clock value since which it is.

    Without a row it is `related` from the start: the behaviour before the mode existed,
    under which every earlier checkpoint was made.
    """
    row = conn.execute(sa.select(user_directory.c.mode, user_directory.c.since_seq)).first()
    if row is None:
        return "related", 0
    return ("all" if row.mode == "all" else "related"), int(row.since_seq)


def set_directory(conn: Connection, mode: DirectoryMode) -> bool:
    """Put `mode` in force; a change takes a clock value, so sessions synced before it are
    brought in line (sent the users they now see, deletes for those they no longer see)."""
    current, _since = directory(conn)
    if current == mode:
        return False
    stamp = clock.reserve(conn)
    conn.execute(sa.delete(user_directory))
    conn.execute(sa.insert(user_directory).values(id=1, mode=mode, since_seq=stamp.seq, changed_at=stamp.at))
    return True


def set_profile_image(conn: Connection, user_id: uuid.UUID, path: str) -> tuple[Row[Any], str] | None:
    """Point the active user at a new profile image (`""`: none); returns the row and the path
    it replaced. `profileChangedAt` takes the stamp's time, and the stamp makes sync re-send
    the user."""
    old = conn.execute(
        sa.select(users.c.profile_image_path).where(users.c.id == user_id, users.c.deleted_at.is_(None))
    ).first()
    if old is None:
        return None
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(users)
        .where(users.c.id == user_id)
        .values(
            profile_image_path=path, profile_changed_at=stamp.at, updated_at=stamp.at, update_seq=stamp.seq
        )
    )
    row = get(conn, user_id, with_deleted=True)
    assert row is not None
    return row, str(old.profile_image_path)
