"""SQL for sync v1: keyset pages for full sync, changes and tombstones for delta sync.

Every query is driven by an index on `assets` that starts with `owner_id` (`id`,
`(file_created_at, id)`, `updated_at`) or by `asset_audit(owner_id, deleted_at)`, so the
cost of a page or a delta follows the rows returned, not the size of the library.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import AUDIT_TABLES, Ts, asset_audit, asset_exif, assets, stacks, sync_clock
from filmroll.repositories import audit
from filmroll.repositories.sync_v2 import wire_value

EXIF_PREFIX = "exif_"
OWNER_VISIBLE = ("timeline", "archive")
PARTNER_VISIBLE = ("timeline",)

_EXIF_COLUMNS = [c.label(EXIF_PREFIX + c.name) for c in asset_exif.c if c.name not in ("updated_at",)]


_CURSOR_COLUMNS = frozenset(("id", "owner_id", "stack_id", "file_created_at"))
"""Columns that full sync compares or pages by, so they stay Python values."""


@functools.cache
def _with_exif(dialect: str | None = None) -> sa.Select[Any]:
    """Assets joined with their exif; with `dialect`, display-only UUIDs and timestamps are
    selected already formatted for the wire (see `sync_v2.wire_value`).

    Built once per dialect: the expression costs milliseconds to build, more than a delta's rows.
    """
    columns: list[sa.ColumnElement[Any]] = [*assets.c, *_EXIF_COLUMNS]
    if dialect is not None:
        columns = [column if column.key in _CURSOR_COLUMNS else _wired(dialect, column) for column in columns]
    return sa.select(*columns).select_from(assets.outerjoin(asset_exif, asset_exif.c.asset_id == assets.c.id))


def _wired(dialect: str, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    source = column.element if isinstance(column, sa.Label) else column
    value = wire_value(dialect, source)
    return column if value is source else value.label(column.key)


def by_id_page(
    conn: Connection,
    owner_id: uuid.UUID,
    visibilities: Sequence[str],
    updated_until: datetime,
    limit: int,
    after_id: uuid.UUID | None,
) -> Sequence[Row[Any]]:
    """Full sync, later form: `id > after_id ORDER BY id`."""
    query = _with_exif(conn.dialect.name).where(
        assets.c.owner_id == owner_id,
        assets.c.visibility.in_(list(visibilities)),
        assets.c.updated_at <= updated_until,
    )
    if after_id is not None:
        query = query.where(assets.c.id > after_id)
    return conn.execute(query.order_by(assets.c.id).limit(limit)).all()


def by_creation_page(
    conn: Connection,
    owner_id: uuid.UUID,
    visibilities: Sequence[str],
    updated_until: datetime,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None,
) -> Sequence[Row[Any]]:
    """Full sync, early form: `(file_created_at, id) < before ORDER BY file_created_at DESC, id DESC`."""
    query = _with_exif(conn.dialect.name).where(
        assets.c.owner_id == owner_id,
        assets.c.visibility.in_(list(visibilities)),
        assets.c.updated_at <= updated_until,
    )
    if before is not None:
        created, last_id = before
        key = sa.tuple_(assets.c.file_created_at, assets.c.id)
        query = query.where(key < sa.tuple_(sa.literal(created, Ts), sa.literal(last_id, sa.Uuid())))
    order = (assets.c.file_created_at.desc(), assets.c.id.desc())
    return conn.execute(query.order_by(*order).limit(limit)).all()


def changed_since(
    conn: Connection, owner_ids: Sequence[uuid.UUID], after: datetime, limit: int
) -> Sequence[Row[Any]]:
    """Assets of `owner_ids` stamped after `after`, of every visibility (the caller sorts
    them into upserts and lost access), at most `limit` rows."""
    query = _with_exif(conn.dialect.name).where(
        assets.c.owner_id.in_(list(owner_ids)), assets.c.updated_at > after
    )
    return conn.execute(query.limit(limit)).all()


def deleted_since(conn: Connection, owner_ids: Sequence[uuid.UUID], after: datetime) -> list[str]:
    """Ids of assets of `owner_ids` permanently deleted after `after`."""
    query = (
        sa.select(asset_audit.c.asset_id)
        .where(asset_audit.c.owner_id.in_(list(owner_ids)), asset_audit.c.deleted_at > after)
        .distinct()
    )
    return [str(v) for v in conn.execute(query).scalars()]


def stacks_of(conn: Connection, stack_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[uuid.UUID, int]]:
    """`stack id -> (primary asset id, member count)`; members in any state are counted."""
    if not stack_ids:
        return {}
    counts = (
        sa.select(assets.c.stack_id, sa.func.count().label("n"))
        .where(assets.c.stack_id.in_(list(stack_ids)))
        .group_by(assets.c.stack_id)
        .subquery()
    )
    query = sa.select(stacks.c.id, stacks.c.primary_asset_id, counts.c.n).join(
        counts, counts.c.stack_id == stacks.c.id
    )
    return {uuid.UUID(str(r.id)): (r.primary_asset_id, int(r.n)) for r in conn.execute(query)}


def prune_audit(conn: Connection, before: datetime) -> int:
    """Delete tombstones older than `before` from every audit table; returns rows removed."""
    return audit.prune(conn, AUDIT_TABLES, before)


def advance_clock(conn: Connection, at: datetime) -> None:
    """Make every later clock stamp fall after `at`.

    The unconditional UPDATE takes the clock row's lock, so it also waits for every writer
    that stamped before it (the same guarantee as `Database.barrier`).
    """
    conn.execute(
        sa.update(sync_clock)
        .where(sync_clock.c.id == 1)
        .values(last_at=sa.case((sync_clock.c.last_at < at, at), else_=sync_clock.c.last_at))
    )
