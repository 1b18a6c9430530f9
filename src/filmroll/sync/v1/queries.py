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

from filmroll.db.schema import AUDIT_TABLES, Ts, asset_audit, asset_exif, assets, stacks
from filmroll.repositories import access, audit
from filmroll.sync.forms.queries import form_version, stored


def _with_forms(conn: Connection, viewer_id: uuid.UUID) -> sa.Select[Any]:
    return _forms_select(conn.dialect.name, form_version()).params(viewer=viewer_id)


def _id_text(dialect: str) -> sa.ColumnElement[str]:
    """The asset id as text (SQLite's 32 hex digits, PostgreSQL's dashed form), converted to a
    UUID only where needed (the page's last row, stale rows): a hundred thousand UUID objects
    cost more than the rest of a page."""
    column = sa.type_coerce(assets.c.id, sa.String) if dialect == "sqlite" else sa.cast(assets.c.id, sa.Text)
    return column.label("id")


@functools.cache
def _forms_select(dialect: str, version: int) -> sa.Select[Any]:
    """Assets with their stored v1 forms (NULL where stale) and what paging, viewer checks and
    completion need (`own`: the asset is the viewer's): a page costs what reading its rows
    costs, nothing is formatted per row. Built once per dialect and form version: building
    the expression costs more than a delta's rows."""
    del version  # part of the cache key: the statement compares stored forms with it
    return sa.select(
        _id_text(dialect),
        (assets.c.owner_id == sa.bindparam("viewer", type_=sa.Uuid())).label("own"),
        assets.c.stack_id,
        assets.c.file_created_at,
        assets.c.visibility,
        assets.c.ever_timeline,
        stored(assets, "v1", "asset_form"),
        stored(asset_exif, "v1", "exif_form"),
        asset_exif.c.asset_id.is_not(None).label("has_exif"),
    ).select_from(assets.outerjoin(asset_exif, asset_exif.c.asset_id == assets.c.id))


def _library(
    conn: Connection,
    viewer_id: uuid.UUID,
    owner_id: uuid.UUID,
    visibilities: Sequence[str],
    updated_until: datetime,
) -> sa.Select[Any]:
    """What a full sync of `owner_id`'s library shows `viewer_id`, as of `updated_until`."""
    return _with_forms(conn, viewer_id).where(
        assets.c.owner_id == owner_id,
        assets.c.visibility.in_(list(visibilities)),
        assets.c.updated_at <= updated_until,
    )


def by_id_page(
    conn: Connection,
    viewer_id: uuid.UUID,
    owner_id: uuid.UUID,
    visibilities: Sequence[str],
    updated_until: datetime,
    limit: int,
    after_id: uuid.UUID | None,
) -> Sequence[Row[Any]]:
    """Full sync, later form: `id > after_id ORDER BY id`."""
    query = _library(conn, viewer_id, owner_id, visibilities, updated_until)
    if after_id is not None:
        query = query.where(assets.c.id > after_id)
    return conn.execute(query.order_by(assets.c.id).limit(limit)).all()


def by_creation_page(
    conn: Connection,
    viewer_id: uuid.UUID,
    owner_id: uuid.UUID,
    visibilities: Sequence[str],
    updated_until: datetime,
    limit: int,
    before: tuple[datetime, uuid.UUID] | None,
) -> Sequence[Row[Any]]:
    """Full sync, early form: `(file_created_at, id) < before ORDER BY file_created_at DESC, id DESC`."""
    query = _library(conn, viewer_id, owner_id, visibilities, updated_until)
    if before is not None:
        created, last_id = before
        key = sa.tuple_(assets.c.file_created_at, assets.c.id)
        query = query.where(key < sa.tuple_(sa.literal(created, Ts), sa.literal(last_id, sa.Uuid())))
    order = (assets.c.file_created_at.desc(), assets.c.id.desc())
    return conn.execute(query.order_by(*order).limit(limit)).all()


def changed_since(
    conn: Connection, viewer_id: uuid.UUID, owner_ids: Sequence[uuid.UUID], after: datetime, limit: int
) -> Sequence[Row[Any]]:
    """Assets of `owner_ids` stamped after `after`, of every visibility (the caller sorts
    them into upserts and lost access), at most `limit` rows."""
    query = _with_forms(conn, viewer_id).where(
        assets.c.owner_id.in_(list(owner_ids)), assets.c.updated_at > after
    )
    return conn.execute(query.limit(limit)).all()


def deleted_since(
    conn: Connection, viewer_id: uuid.UUID, owner_ids: Sequence[uuid.UUID], after: datetime
) -> list[str]:
    """Ids of assets of `owner_ids` permanently deleted after `after` that may be named to
    `viewer_id` (`access.tombstone_named_to`)."""
    query = (
        sa.select(asset_audit.c.asset_id)
        .where(
            asset_audit.c.owner_id.in_(list(owner_ids)),
            asset_audit.c.deleted_at > after,
            access.tombstone_named_to(viewer_id),
        )
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
