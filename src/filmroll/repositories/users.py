"""SQL for users."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import partners, user_audit, users


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
    """Users `user_id` may see: itself and partners in either direction."""
    rows = conn.execute(
        sa.select(partners.c.shared_by_id, partners.c.shared_with_id).where(
            sa.or_(partners.c.shared_by_id == user_id, partners.c.shared_with_id == user_id)
        )
    ).all()
    return {user_id} | {r.shared_by_id for r in rows} | {r.shared_with_id for r in rows}
