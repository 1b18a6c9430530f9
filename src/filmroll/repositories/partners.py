"""SQL for partner shares: one row per (sharer, viewer), stamped with the change clock.

`create_seq` lets the v2 stream find shares created after a checkpoint (backfill), and a
removed share leaves a `partner_audit` row so every sync form can report it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import partner_audit, partners, users


def get(conn: Connection, shared_by_id: uuid.UUID, shared_with_id: uuid.UUID) -> Row[Any] | None:
    query = sa.select(partners).where(
        partners.c.shared_by_id == shared_by_id, partners.c.shared_with_id == shared_with_id
    )
    return conn.execute(query).first()


def create(conn: Connection, shared_by_id: uuid.UUID, shared_with_id: uuid.UUID) -> Row[Any]:
    stamp = clock.reserve(conn)
    conn.execute(
        sa.insert(partners).values(
            shared_by_id=shared_by_id,
            shared_with_id=shared_with_id,
            in_timeline=False,
            created_at=stamp.at,
            updated_at=stamp.at,
            create_seq=stamp.seq,
            update_seq=stamp.seq,
        )
    )
    row = get(conn, shared_by_id, shared_with_id)
    assert row is not None
    return row


def set_in_timeline(
    conn: Connection, shared_by_id: uuid.UUID, shared_with_id: uuid.UUID, in_timeline: bool
) -> Row[Any] | None:
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(partners)
        .where(partners.c.shared_by_id == shared_by_id, partners.c.shared_with_id == shared_with_id)
        .values(in_timeline=in_timeline, updated_at=stamp.at, update_seq=stamp.seq)
    )
    return get(conn, shared_by_id, shared_with_id)


def delete(conn: Connection, shared_by_id: uuid.UUID, shared_with_id: uuid.UUID) -> bool:
    """Remove a share and record its tombstone; False when there was none."""
    if get(conn, shared_by_id, shared_with_id) is None:
        return False
    stamp = clock.reserve(conn)
    conn.execute(
        sa.delete(partners).where(
            partners.c.shared_by_id == shared_by_id, partners.c.shared_with_id == shared_with_id
        )
    )
    conn.execute(
        sa.insert(partner_audit).values(
            seq=stamp.seq, shared_by_id=shared_by_id, shared_with_id=shared_with_id, deleted_at=stamp.at
        )
    )
    return True


def _live_pairs() -> sa.Subquery:
    """Shares whose two users both exist and are not soft-deleted."""
    sharer = users.alias("sharer")
    viewer = users.alias("viewer")
    return (
        sa.select(partners)
        .join(sharer, sa.and_(sharer.c.id == partners.c.shared_by_id, sharer.c.deleted_at.is_(None)))
        .join(viewer, sa.and_(viewer.c.id == partners.c.shared_with_id, viewer.c.deleted_at.is_(None)))
        .subquery("live_pairs")
    )


LIVE_PAIRS = _live_pairs()
"""Built once: aliasing copies every column, which cost more per request than the query itself."""


def list_with_users(conn: Connection, user_id: uuid.UUID, *, shared_by: bool) -> Sequence[Row[Any]]:
    """Live shares made by (`shared_by`) or with `user_id`, each with the other user's columns."""
    pairs = LIVE_PAIRS
    mine, other = (
        (pairs.c.shared_by_id, pairs.c.shared_with_id)
        if shared_by
        else (pairs.c.shared_with_id, pairs.c.shared_by_id)
    )
    query = (
        sa.select(users, pairs.c.in_timeline)
        .join(pairs, users.c.id == other)
        .where(mine == user_id)
        .order_by(users.c.created_at, users.c.id)
    )
    return conn.execute(query).all()


def sharer_ids(conn: Connection, viewer_id: uuid.UUID) -> set[uuid.UUID]:
    """Users who share their timeline with `viewer_id` (both users live): Immich's `getMyPartnerIds`."""
    pairs = LIVE_PAIRS
    query = sa.select(pairs.c.shared_by_id).where(pairs.c.shared_with_id == viewer_id)
    return {uuid.UUID(str(r)) for r in conn.execute(query).scalars()}


def shares_with(conn: Connection, owner_id: uuid.UUID, viewer_id: uuid.UUID) -> bool:
    pairs = LIVE_PAIRS
    query = sa.select(pairs.c.shared_by_id).where(
        pairs.c.shared_by_id == owner_id, pairs.c.shared_with_id == viewer_id
    )
    return conn.execute(query).first() is not None
