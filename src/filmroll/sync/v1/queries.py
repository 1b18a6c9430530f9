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
from typing import Any, NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import AUDIT_TABLES, Ts, asset_audit, asset_exif, assets, stacks
from filmroll.repositories import access, audit
from filmroll.sync.forms.queries import form_version, is_fresh, stored
from filmroll.sync.forms.render import NOT_FAVOURITE, OWN_FAVOURITE
from filmroll.sync.sql import wire_value


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


def _lit(text: str) -> sa.ColumnElement[str]:
    return sa.literal(text, sa.String)


def _stack_json(dialect: str) -> sa.ColumnElement[str]:
    """`mappers.asset.stack_response` as JSON text, `null` without a stack; members in any
    state are counted (one index probe per stacked asset)."""
    members = (
        sa.select(sa.func.count())
        .select_from(stacks_member)
        .where(stacks_member.c.stack_id == assets.c.stack_id)
        .scalar_subquery()
    )
    text = (
        _lit('{"id":"')
        + wire_value(dialect, stacks.c.id)
        + _lit('","primaryAssetId":"')
        + wire_value(dialect, stacks.c.primary_asset_id)
        + _lit('","assetCount":')
        + sa.cast(members, sa.String)
        + _lit("}")
    )
    return sa.case((stacks.c.id.is_(None), _lit("null")), else_=text)


stacks_member = assets.alias("stack_member")


@functools.cache
def _parts_select(dialect: str, own: bool, after: bool, version: int) -> sa.Select[Any]:
    """One page's stored parts in id order: the asset's v1 part (`asset`), its EXIF part or
    NULL (`exif`), the stack's JSON (`stack`, own view only), the id as text, and whether any
    stored part is stale (the caller then composes that page through `by_id_page`)."""
    del version  # part of the cache key: freshness compares stored forms with it
    fresh = sa.and_(is_fresh(assets), sa.or_(asset_exif.c.asset_id.is_(None), is_fresh(asset_exif)))
    id_text = sa.type_coerce(assets.c.id, sa.String) if dialect == "sqlite" else sa.cast(assets.c.id, sa.Text)
    after_id = sa.bindparam("after", type_=sa.Uuid())
    on_exif = asset_exif.c.asset_id == assets.c.id
    if after:
        # Repeating the bound on the joined side lets PostgreSQL's merge join start both index
        # scans at the page instead of walking every earlier EXIF row of every owner.
        on_exif = sa.and_(on_exif, asset_exif.c.asset_id > after_id)
    joined = assets.outerjoin(asset_exif, on_exif)
    stack = _lit("null")
    if own:
        joined = joined.outerjoin(stacks, stacks.c.id == assets.c.stack_id)
        stack = _stack_json(dialect)
    page = (
        sa.select(
            assets.c.wire_v1.label("asset"),
            asset_exif.c.wire_v1.label("exif"),
            stack.label("stack"),
            id_text.label("id"),
            sa.case((fresh, 0), else_=1).label("stale"),
        )
        .select_from(joined)
        .where(
            assets.c.owner_id == sa.bindparam("owner", type_=sa.Uuid()),
            assets.c.visibility.in_(sa.bindparam("visibilities", expanding=True)),
            assets.c.updated_at <= sa.bindparam("until", type_=Ts),
        )
        .order_by(assets.c.id)
        .limit(sa.bindparam("limit", type_=sa.Integer()))
    )
    return page.where(assets.c.id > after_id) if after else page


@functools.cache
def _dto_page_select(own: bool, after: bool, version: int) -> sa.Select[Any]:
    """SQLite: the page's `AssetResponseDto` elements composed by the database from the
    stored parts, exactly as `sync.forms.render.v1_dto` composes them, as one string with its
    last id, count and stale count (group_concat keeps the order of the ordered, limited
    subquery it reads from). SQLite runs in the server's process, so this costs what reading
    the rows costs and no Python object is made per row."""
    sub = _parts_select("sqlite", own, after, version).subquery()
    body: sa.ColumnElement[Any] = sa.func.substr(sub.c.asset, 1, sa.func.length(sub.c.asset) - 1)
    body = body + sa.func.coalesce(_lit(',"exifInfo":') + sub.c.exif, _lit(""))
    dto = (
        body + _lit(',"stack":') + sub.c.stack + _lit("}")
        if own
        else sa.func.replace(body + _lit("}"), OWN_FAVOURITE, NOT_FAVOURITE)
    )
    return sa.select(
        sa.func.group_concat(dto, ",").label("body"),
        sa.func.max(sub.c.id).label("last_id"),
        sa.func.count().label("n"),
        sa.func.coalesce(sa.func.sum(sub.c.stale), 0).label("stale"),
    )


class Page(NamedTuple):
    """A full-sync page composed from stored parts; `body` is only valid when `stale` is 0."""

    body: str
    last_id: str | None
    n: int
    stale: int


def _composed(rows: Sequence[Row[Any]], own: bool) -> Page:
    """PostgreSQL: the page composed here from its rows, as `v1_dto` does. Letting the server
    concatenate and aggregate ten thousand 1.4 kB strings (and sort them again for
    `string_agg`) took about half again as long as sending the parts and joining them here."""
    if not rows or any(r.stale for r in rows):
        return Page("", rows[-1].id if rows else None, len(rows), sum(r.stale for r in rows))
    parts = cast("Sequence[tuple[str, str | None, str, str, int]]", rows)
    if own:
        items = [
            f'{a[:-1]},"exifInfo":{e},"stack":{s}}}' if e is not None else f'{a[:-1]},"stack":{s}}}'
            for a, e, s, _i, _f in parts
        ]
    else:
        items = [
            (f'{a[:-1]},"exifInfo":{e}}}' if e is not None else a).replace(OWN_FAVOURITE, NOT_FAVOURITE, 1)
            for a, e, _s, _i, _f in parts
        ]
    return Page(",".join(items), rows[-1].id, len(rows), 0)


def by_id_page_text(
    conn: Connection,
    own: bool,
    owner_id: uuid.UUID,
    visibilities: Sequence[str],
    updated_until: datetime,
    limit: int,
    after_id: uuid.UUID | None,
) -> Page:
    """`by_id_page`'s rows as one composed string from their stored parts (`body`,
    `last_id`, `n`, `stale`); the body is only valid when `stale` is 0."""
    params: dict[str, Any] = {
        "owner": owner_id,
        "visibilities": list(visibilities),
        "until": updated_until,
        "limit": limit,
    }
    if after_id is not None:
        params["after"] = after_id
    after, version = after_id is not None, form_version()
    if conn.dialect.name == "sqlite":
        row = conn.execute(_dto_page_select(own, after, version), params).one()
        return Page(row.body or "", row.last_id, int(row.n), int(row.stale))
    return _composed(conn.execute(_parts_select("postgresql", own, after, version), params).all(), own)


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
