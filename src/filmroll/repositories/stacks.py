"""SQL for stacks; asset membership itself is `assets.stack_id`, written via `repositories.assets`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import assets, stack_audit, stacks
from filmroll.repositories import access


def get(conn: Connection, stack_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(stacks).where(stacks.c.id == stack_id)).first()


def list_for_owner(
    conn: Connection, owner_id: uuid.UUID, primary_asset_id: uuid.UUID | None, *, unlocked: bool
) -> Sequence[Row[Any]]:
    """The owner's stacks whose primary asset it may read (`unlocked`: see `assets_of`)."""
    query = sa.select(stacks).where(
        stacks.c.owner_id == owner_id, primary_readable(owner_id, unlocked=unlocked)
    )
    if primary_asset_id is not None:
        query = query.where(stacks.c.primary_asset_id == primary_asset_id)
    return conn.execute(query.order_by(stacks.c.created_at)).all()


def insert(conn: Connection, owner_id: uuid.UUID, primary_asset_id: uuid.UUID) -> Row[Any]:
    stamp = clock.reserve(conn)
    stack_id = uuid.uuid4()
    conn.execute(
        sa.insert(stacks).values(
            id=stack_id,
            owner_id=owner_id,
            primary_asset_id=primary_asset_id,
            created_at=stamp.at,
            updated_at=stamp.at,
            update_seq=stamp.seq,
        )
    )
    row = get(conn, stack_id)
    assert row is not None
    return row


def set_primary(conn: Connection, stack_id: uuid.UUID, primary_asset_id: uuid.UUID) -> None:
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(stacks)
        .where(stacks.c.id == stack_id)
        .values(primary_asset_id=primary_asset_id, updated_at=stamp.at, update_seq=stamp.seq)
    )


def asset_ids(conn: Connection, stack_id: uuid.UUID) -> list[uuid.UUID]:
    query = sa.select(assets.c.id).where(assets.c.stack_id == stack_id).order_by(assets.c.file_created_at)
    return [uuid.UUID(str(i)) for i in conn.execute(query).scalars()]


def primary_readable(owner_id: uuid.UUID, *, unlocked: bool) -> sa.ColumnElement[bool]:
    """The stack's primary asset is one the owner may read: a stack led by a locked asset
    stays out of sight of a session that is not unlocked, as the asset does."""
    readable = sa.select(assets.c.id).where(access.owner_reads(owner_id, unlocked=unlocked))
    return stacks.c.primary_asset_id.in_(readable)


def shows(conn: Connection, stack_id: uuid.UUID, owner_id: uuid.UUID, *, unlocked: bool) -> bool:
    """Whether the stack's primary asset is one its owner may read (`primary_readable`)."""
    query = sa.select(stacks.c.id).where(
        stacks.c.id == stack_id, primary_readable(owner_id, unlocked=unlocked)
    )
    return conn.execute(query).first() is not None


def assets_of(
    conn: Connection, stack_id: uuid.UUID, owner_id: uuid.UUID, *, unlocked: bool
) -> Sequence[Row[Any]]:
    """The members the owner may read: locked ones only with `unlocked` (a PIN-unlocked
    session), so a stack never shows a locked photo where the photo itself is refused."""
    query = (
        sa.select(assets)
        .where(assets.c.stack_id == stack_id, access.owner_reads(owner_id, unlocked=unlocked))
        .order_by(assets.c.file_created_at)
    )
    return conn.execute(query).all()


def delete(conn: Connection, rows: Sequence[Row[Any]]) -> None:
    """Delete stacks (their assets must already be detached) and record tombstones."""
    if not rows:
        return
    stamp = clock.reserve(conn, len(rows))
    conn.execute(sa.delete(stacks).where(stacks.c.id.in_([r.id for r in rows])))
    conn.execute(
        sa.insert(stack_audit),
        [
            {"seq": stamp.seq_at(i), "stack_id": r.id, "user_id": r.owner_id, "deleted_at": stamp.at_at(i)}
            for i, r in enumerate(rows)
        ],
    )
