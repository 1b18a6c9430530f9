"""SQL for memories, their asset links, and the "on this day" generation state.

Every write stamps the change clock: a memory's row on any change (including a change of its
assets, as Immich bumps `updatedAt`), each new link on insert; deletes of memories and of links
write tombstones (`memory_audit`, `memory_asset_audit`). Deleting a memory removes its links
without tombstones: apps drop them with the memory.

A memory shows the assets its owner may share (`repositories.access.shareable`: own assets
that are not locked, partners' timeline assets that are not trashed); links to others stay
stored and come back when the asset does.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import (
    asset_audit,
    assets,
    memories,
    memory_asset_audit,
    memory_assets,
    memory_audit,
    memory_generation,
    users,
)
from filmroll.repositories import access

Rows = Sequence[Row[Any]]


@dataclass(frozen=True, slots=True)
class Search:
    """Filters of `GET /memories` and `/memories/statistics` (Immich's `MemorySearchDto`)."""

    at: datetime | None = None
    is_saved: bool | None = None
    is_trashed: bool | None = None
    type: str | None = None
    order: Literal["asc", "desc", "random"] = "desc"
    size: int | None = None


def shown(owner_id: uuid.UUID, a: Any = assets) -> sa.ColumnElement[bool]:
    """The asset may appear in `owner_id`'s memories: what the owner may share."""
    return access.shareable(owner_id, a)


def get(conn: Connection, memory_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(memories).where(memories.c.id == memory_id)).first()


def _filtered(owner_id: uuid.UUID, query: sa.Select[Any], search: Search) -> sa.Select[Any]:
    query = query.where(memories.c.owner_id == owner_id)
    if search.is_saved is not None:
        query = query.where(memories.c.is_saved.is_(search.is_saved))
    if search.type is not None:
        query = query.where(memories.c.type == search.type)
    if search.at is not None:
        query = query.where(
            sa.or_(memories.c.show_at.is_(None), memories.c.show_at <= search.at),
            sa.or_(memories.c.hide_at.is_(None), memories.c.hide_at >= search.at),
        )
    trashed = memories.c.deleted_at.is_not(None)
    return query.where(trashed if search.is_trashed else ~trashed)  # no filter: untrashed ones


def search(conn: Connection, owner_id: uuid.UUID, search: Search) -> Rows:
    query = _filtered(owner_id, sa.select(memories), search)
    if search.order == "random":
        query = query.order_by(sa.func.random())
    elif search.order == "asc":
        query = query.order_by(memories.c.memory_at.asc(), memories.c.id)
    else:
        query = query.order_by(memories.c.memory_at.desc(), memories.c.id)
    if search.size is not None:
        query = query.limit(search.size)
    return conn.execute(query).all()


def count(conn: Connection, owner_id: uuid.UUID, search: Search) -> int:
    query = _filtered(owner_id, sa.select(sa.func.count()).select_from(memories), search)
    return int(conn.execute(query).scalar_one())


def assets_of(
    conn: Connection, owner_id: uuid.UUID, memory_ids: Sequence[uuid.UUID]
) -> dict[Any, list[Row[Any]]]:
    """Per memory, the assets it shows in Immich's response: shown, not trashed, on the
    timeline, oldest first."""
    found: dict[Any, list[Row[Any]]] = {m: [] for m in memory_ids}
    if not memory_ids:
        return found
    query = (
        sa.select(memory_assets.c.memory_id.label("memory_link_id"), assets)
        .join(assets, assets.c.id == memory_assets.c.asset_id)
        .where(
            memory_assets.c.memory_id.in_(list(memory_ids)),
            shown(owner_id),
            assets.c.deleted_at.is_(None),
            assets.c.visibility == access.TIMELINE,
        )
        .order_by(assets.c.file_created_at, assets.c.id)
    )
    for row in conn.execute(query):
        found[row.memory_link_id].append(row)
    return found


def insert(conn: Connection, values: dict[str, Any], asset_ids: Sequence[uuid.UUID]) -> Row[Any]:
    """A new memory and its links, each with its own clock value (the memory's first)."""
    ids = list(dict.fromkeys(asset_ids))
    stamp = clock.reserve(conn, 1 + len(ids))
    memory_id = uuid.uuid4()
    conn.execute(
        sa.insert(memories).values(
            id=memory_id,
            created_at=stamp.at,
            updated_at=stamp.at,
            update_seq=stamp.seq,
            **values,
        )
    )
    _link(conn, memory_id, ids, stamp, 1)
    row = get(conn, memory_id)
    assert row is not None
    return row


def _link(
    conn: Connection, memory_id: uuid.UUID, ids: Sequence[uuid.UUID], stamp: clock.Stamp, first: int
) -> None:
    if ids:
        conn.execute(
            sa.insert(memory_assets),
            [
                {
                    "memory_id": memory_id,
                    "asset_id": asset_id,
                    "created_at": stamp.at_at(first + i),
                    "update_seq": stamp.seq_at(first + i),
                }
                for i, asset_id in enumerate(ids)
            ],
        )


def update(conn: Connection, memory_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Apply `values` and re-stamp the memory (an empty `values` only re-stamps it)."""
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(memories)
        .where(memories.c.id == memory_id)
        .values(updated_at=stamp.at, update_seq=stamp.seq, **values)
    )


def delete(conn: Connection, rows: Sequence[Row[Any]]) -> int:
    """Delete memories (their links go with them) and record a tombstone for each."""
    if not rows:
        return 0
    stamp = clock.reserve(conn, len(rows))
    conn.execute(sa.delete(memories).where(memories.c.id.in_([r.id for r in rows])))
    conn.execute(
        sa.insert(memory_audit),
        [
            {"seq": stamp.seq_at(i), "memory_id": r.id, "user_id": r.owner_id, "deleted_at": stamp.at_at(i)}
            for i, r in enumerate(rows)
        ],
    )
    return len(rows)


def linked_ids(conn: Connection, memory_id: uuid.UUID, asset_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `asset_ids` the memory links (shown or not)."""
    wanted = list(set(asset_ids))
    if not wanted:
        return set()
    query = sa.select(memory_assets.c.asset_id).where(
        memory_assets.c.memory_id == memory_id, memory_assets.c.asset_id.in_(wanted)
    )
    return {uuid.UUID(str(i)) for i in conn.execute(query).scalars()}


def add_links(conn: Connection, memory_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]) -> None:
    if asset_ids:
        _link(conn, memory_id, asset_ids, clock.reserve(conn, len(asset_ids)), 0)


def remove_links(conn: Connection, memory: Row[Any], asset_ids: Sequence[uuid.UUID]) -> None:
    """Unlink assets, with a tombstone per link so apps drop it."""
    if not asset_ids:
        return
    stamp = clock.reserve(conn, len(asset_ids))
    conn.execute(
        sa.delete(memory_assets).where(
            memory_assets.c.memory_id == memory.id, memory_assets.c.asset_id.in_(list(asset_ids))
        )
    )
    conn.execute(
        sa.insert(memory_asset_audit),
        [
            {
                "seq": stamp.seq_at(i),
                "memory_id": memory.id,
                "asset_id": asset_id,
                "user_id": memory.owner_id,
                "deleted_at": stamp.at_at(i),
            }
            for i, asset_id in enumerate(asset_ids)
        ],
    )


# --- "on this day" generation -------------------------------------------------------------


def active_user_ids(conn: Connection) -> list[uuid.UUID]:
    query = sa.select(users.c.id).where(users.c.deleted_at.is_(None)).order_by(users.c.id)
    return [uuid.UUID(str(i)) for i in conn.execute(query).scalars()]


def same_day_assets(conn: Connection, owner_id: uuid.UUID, day: date) -> list[Row[Any]]:
    """The owner's timeline assets (not trashed, previews made) taken on `day`'s month and day
    in an earlier year, by local date, oldest first; `(id, year)` rows."""
    local = assets.c.local_date_time
    year = sa.extract("year", local)
    query = (
        sa.select(assets.c.id, year.label("year"))
        .where(
            assets.c.owner_id == owner_id,
            assets.c.visibility == access.TIMELINE,
            assets.c.deleted_at.is_(None),
            assets.c.preview_path.is_not(None),
            sa.extract("month", local) == day.month,
            sa.extract("day", local) == day.day,
            year < day.year,
        )
        .order_by(local, assets.c.id)
    )
    return list(conn.execute(query).all())


def last_generated(conn: Connection) -> date | None:
    """The last day generated, read with a row lock (PostgreSQL; SQLite has one writer): it is
    what concurrent runs serialize on, so no day is generated twice."""
    query = sa.select(memory_generation.c.last_on_this_day).where(memory_generation.c.id == 1)
    value = conn.execute(query.with_for_update()).scalar_one_or_none()
    return value if isinstance(value, date) else None


def set_generated(conn: Connection, day: date) -> None:
    query = sa.update(memory_generation).where(memory_generation.c.id == 1).values(last_on_this_day=day)
    if conn.execute(query).rowcount == 0:
        conn.execute(sa.insert(memory_generation).values(id=1, last_on_this_day=day))


def unsaved_before(conn: Connection, before: datetime) -> Rows:
    """Memories not saved and created before `before`: what the daily cleanup removes."""
    query = sa.select(memories).where(memories.c.is_saved.is_(False), memories.c.created_at < before)
    return conn.execute(query).all()


def prune_orphan_links(conn: Connection) -> int:
    """Drop links to assets deleted for good whose tombstones are gone too: sync no longer
    needs them to tell apps the asset left the memory."""
    gone = sa.and_(
        ~sa.exists().where(assets.c.id == memory_assets.c.asset_id),
        ~sa.exists().where(asset_audit.c.asset_id == memory_assets.c.asset_id),
    )
    return int(conn.execute(sa.delete(memory_assets).where(gone)).rowcount or 0)
