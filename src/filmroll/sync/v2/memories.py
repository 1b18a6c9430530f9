"""Sync v2 of memories: `MemoriesV1` (`MemoryV1`, `MemoryDeleteV1`) and `MemoryToAssetsV1`
(`MemoryToAssetV1`, `MemoryToAssetDeleteV1`), the caller's own memories only.

A link is sent while the memory's owner may share its asset (`repositories.memories.shown`:
own and not locked, or a partner's timeline asset that is not trashed); when the asset stops
being shown (locked, a partner's asset archived or trashed, the partner stops sharing, or the
asset is deleted for good) the link is sent as `MemoryToAssetDeleteV1`, and when it is shown
again as `MemoryToAssetV1`. A link's change is the latest of its own stamp, its asset's
(or the asset's tombstone), and the caller's partnership with the asset's owner (begun, ended,
or the owner's account changed, as by a soft delete); lines are ordered by it. Several links
can share one change (an unshare), so pages are keyed by `(change, memory, asset)` and every
line but the last of a change acks just below it: an interrupted run resumes without skipping
any. Only links that may have changed since the cursor are evaluated (`_candidates`).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import (
    asset_audit,
    assets,
    memories,
    memory_asset_audit,
    memory_assets,
    memory_audit,
    partner_audit,
    partners,
    users,
)
from filmroll.repositories.memories import shown
from filmroll.sync.v2.acks import ack
from filmroll.sync.v2.lines import line
from filmroll.sync.v2.run import Run, merge
from filmroll.timefmt import iso

Rows = Sequence[Row[Any]]
Cursor = tuple[int, uuid.UUID | None, uuid.UUID | None]
LINK, LINK_DELETE = "MemoryToAssetV1", "MemoryToAssetDeleteV1"


def _page(conn: Connection, query: sa.Select[Any], seq: Any, after: int, upper: int, limit: int) -> Rows:
    return conn.execute(query.where(seq > after, seq <= upper).order_by(seq).limit(limit)).all()


# --- memories -----------------------------------------------------------------------------


def own_memories(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(memories, memories.c.update_seq.label("seq")).where(memories.c.owner_id == me)
    return _page(conn, query, memories.c.update_seq, after, upper, limit)


def memory_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(memory_audit).where(memory_audit.c.user_id == me)
    return _page(conn, query, memory_audit.c.seq, after, upper, limit)


def sync_memory(row: Any) -> dict[str, Any]:
    """Immich's `SyncMemoryV1`."""
    return {
        "id": str(row.id),
        "createdAt": iso(row.created_at),
        "updatedAt": iso(row.updated_at),
        "deletedAt": iso(row.deleted_at),
        "ownerId": str(row.owner_id),
        "type": row.type,
        "data": row.data,
        "isSaved": bool(row.is_saved),
        "memoryAt": iso(row.memory_at),
        "seenAt": iso(row.seen_at),
        "showAt": iso(row.show_at),
        "hideAt": iso(row.hide_at),
    }


def sync_memory_delete(row: Any) -> dict[str, Any]:
    return {"memoryId": str(row.memory_id)}


# --- memory links -------------------------------------------------------------------------


def _greatest(dialect: str, *values: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.func.max(*values) if dialect == "sqlite" else sa.func.greatest(*values)


def _owners_of_links(me: uuid.UUID) -> sa.CompoundSelect[Any]:
    """Whose assets the caller's memories can link: its own, and those of users who share or
    shared with it (only shareable assets can be added)."""
    return sa.union(
        sa.select(sa.literal(me, sa.Uuid())),
        sa.select(partners.c.shared_by_id).where(partners.c.shared_with_id == me),
        sa.select(partner_audit.c.shared_by_id).where(partner_audit.c.shared_with_id == me),
    )


def _candidates(me: uuid.UUID, after: int, upper: int) -> sa.CompoundSelect[Any]:
    """The caller's links whose change may be in `(after, upper]`, as `(memory_id, asset_id,
    link_seq)`: the link, its asset (or the asset's tombstone), or the caller's partnership with
    the asset's owner (begun, ended, or the owner's account changed) changed in that window.
    Each part walks an index, so a sync with little to send costs little."""
    link = memory_assets

    def window(seq: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return sa.and_(seq > after, seq <= upper)

    mine = memories.c.owner_id == me
    changed_assets = sa.select(assets.c.id).where(
        assets.c.owner_id.in_(_owners_of_links(me)), window(assets.c.update_seq)
    )
    deleted_assets = sa.select(asset_audit.c.asset_id).where(window(asset_audit.c.seq))
    relations = sa.union(
        sa.select(partner_audit.c.shared_by_id).where(
            partner_audit.c.shared_with_id == me, window(partner_audit.c.seq)
        ),
        sa.select(partners.c.shared_by_id).where(
            partners.c.shared_with_id == me, window(partners.c.create_seq)
        ),
        sa.select(users.c.id).where(
            users.c.id.in_(_owners_of_links(me)), users.c.id != me, window(users.c.update_seq)
        ),
    )
    related_assets = sa.select(assets.c.id).where(assets.c.owner_id.in_(relations))
    keys = sa.select(link.c.memory_id, link.c.asset_id, link.c.update_seq.label("link_seq")).join(
        memories, memories.c.id == link.c.memory_id
    )

    def linked(ids: sa.Select[Any]) -> sa.Select[Any]:
        """Links to `ids`, joined rather than `IN`, so SQLite does not pair every one of the
        caller's memories with every id."""
        found = ids.subquery()
        return keys.join(found, found.c[0] == link.c.asset_id).where(mine)

    return sa.union(
        keys.where(window(link.c.update_seq), mine),
        linked(changed_assets),
        linked(deleted_assets),
        linked(related_assets),
    )


def link_changes(
    conn: Connection, me: uuid.UUID, *, visible: bool, start: int, upper: int, cursor: Cursor, limit: int
) -> Rows:
    """`(memory_id, asset_id, seq)` of the caller's memory links whose change is in
    `(start, upper]`, shown (`visible`) or not, keyset-paged by `(seq, memory_id, asset_id)`
    after `cursor`. Only candidates past the cursor are evaluated, so later pages cost less."""
    seq, after_memory, after_asset = cursor
    lower = max(start, seq - 1 if after_memory is not None else seq)
    found = _candidates(me, lower, upper).subquery()
    owner = sa.func.coalesce(assets.c.owner_id, asset_audit.c.owner_id)
    zero = sa.literal(0, sa.BigInteger())

    def latest(column: sa.ColumnElement[Any], *where: sa.ColumnElement[bool]) -> sa.ColumnElement[Any]:
        return sa.func.coalesce(sa.select(sa.func.max(column)).where(*where).scalar_subquery(), zero)

    relation = _greatest(
        conn.dialect.name,
        latest(
            partner_audit.c.seq, partner_audit.c.shared_by_id == owner, partner_audit.c.shared_with_id == me
        ),
        latest(partners.c.create_seq, partners.c.shared_by_id == owner, partners.c.shared_with_id == me),
        latest(users.c.update_seq, users.c.id == owner),
    )
    change = _greatest(
        conn.dialect.name,
        found.c.link_seq,
        sa.func.coalesce(assets.c.update_seq, asset_audit.c.seq, zero),
        sa.case((owner == me, zero), else_=relation),
    )
    is_shown = sa.and_(assets.c.id.is_not(None), shown(me, assets))
    inner = (
        sa.select(found.c.memory_id, found.c.asset_id, change.label("seq"))
        .select_from(found)
        .outerjoin(assets, assets.c.id == found.c.asset_id)
        .outerjoin(asset_audit, asset_audit.c.asset_id == found.c.asset_id)
        .where(is_shown if visible else ~is_shown)
        .subquery()
    )
    position: sa.ColumnElement[bool] = inner.c.seq > seq
    if after_memory is not None and after_asset is not None:
        same = inner.c.seq == seq
        position = sa.or_(
            position,
            sa.and_(same, inner.c.memory_id > after_memory),
            sa.and_(same, inner.c.memory_id == after_memory, inner.c.asset_id > after_asset),
        )
    query: sa.Select[Any] = (
        sa.select(inner.c.memory_id, inner.c.asset_id, inner.c.seq)
        .where(inner.c.seq > start, inner.c.seq <= upper, position)
        .order_by(inner.c.seq, inner.c.memory_id, inner.c.asset_id)
        .limit(limit)
    )
    return conn.execute(query).all()


def link_tombstones(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    """Links removed from the caller's memories (a memory's own delete removes its links
    without tombstones: apps drop them with the memory)."""
    query = sa.select(memory_asset_audit).where(memory_asset_audit.c.user_id == me)
    return _page(conn, query, memory_asset_audit.c.seq, after, upper, limit)


def sync_memory_asset(row: Any) -> dict[str, Any]:
    """`SyncMemoryAssetV1`, and `SyncMemoryAssetDeleteV1` (the same fields)."""
    return {"memoryId": str(row.memory_id), "assetId": str(row.asset_id)}


async def _changes(run: Run, entity: str, visible: bool) -> AsyncIterator[tuple[int, bytes]]:
    """Link lines by change; all but the last line of a change ack just below it."""
    start = run.after(entity)
    cursor: Cursor = (start, None, None)
    held: Row[Any] | None = None
    while True:
        page = await run.db.read(
            partial(
                link_changes,
                me=run.me,
                visible=visible,
                start=start,
                upper=run.upper,
                cursor=cursor,
                limit=run.batch,
            )
        )
        for row in page:
            if held is not None:
                last = int(row.seq) != int(held.seq)
                yield _tagged(entity, held, last)
            held = row
        if len(page) < run.batch:
            break
        cursor = (int(page[-1].seq), page[-1].memory_id, page[-1].asset_id)
    if held is not None:
        yield _tagged(entity, held, True)


def _tagged(entity: str, row: Row[Any], last_of_seq: bool) -> tuple[int, bytes]:
    seq = int(row.seq)
    return seq, line(entity, sync_memory_asset(row), ack(entity, seq if last_of_seq else seq - 1))


async def _tombstones(run: Run) -> AsyncIterator[tuple[int, bytes]]:
    def source(conn: Connection, after: int, upper: int, limit: int) -> Rows:
        return link_tombstones(conn, run.me, after, upper, limit)

    async for row in run.rows(source, run.after(LINK_DELETE)):
        yield int(row.seq), line(LINK_DELETE, sync_memory_asset(row), ack(LINK_DELETE, int(row.seq)))


async def link_deletes(run: Run) -> AsyncIterator[bytes]:
    """Removed links and links whose asset is no longer shown, merged by sequence."""
    async for payload in merge(_tombstones(run), _changes(run, LINK_DELETE, visible=False)):
        yield payload


async def link_upserts(run: Run) -> AsyncIterator[bytes]:
    """Links whose asset is shown and that changed (added, or the asset shown again)."""
    async for _seq, payload in _changes(run, LINK, visible=True):
        yield payload
