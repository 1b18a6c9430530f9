"""SQL for tags and their asset links, every write stamped by the change clock.

A tag's `value` is its full path (`a/b/c`) and is unique per user; `parent_id` points at the
tag one level up. Deleting a tag deletes its descendants and their links, each leaving a
tombstone (`tag_audit`, `tag_asset_audit`) so a later sync form can report it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db import clock
from filmroll.db.schema import tag_asset_audit, tag_assets, tag_audit, tags


def get(conn: Connection, tag_id: uuid.UUID) -> Row[Any] | None:
    return conn.execute(sa.select(tags).where(tags.c.id == tag_id)).first()


def get_by_value(conn: Connection, user_id: uuid.UUID, value: str) -> Row[Any] | None:
    return conn.execute(sa.select(tags).where(tags.c.user_id == user_id, tags.c.value == value)).first()


def list_for_user(conn: Connection, user_id: uuid.UUID) -> Sequence[Row[Any]]:
    return conn.execute(sa.select(tags).where(tags.c.user_id == user_id).order_by(tags.c.value)).all()


def owned_ids(conn: Connection, user_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `ids` are tags of `user_id`."""
    wanted = list(set(ids))
    if not wanted:
        return set()
    query = sa.select(tags.c.id).where(tags.c.id.in_(wanted), tags.c.user_id == user_id)
    return {uuid.UUID(str(i)) for i in conn.execute(query).scalars()}


def insert(
    conn: Connection, user_id: uuid.UUID, value: str, color: str | None, parent_id: uuid.UUID | None
) -> Row[Any]:
    stamp = clock.reserve(conn)
    tag_id = uuid.uuid4()
    conn.execute(
        sa.insert(tags).values(
            id=tag_id,
            user_id=user_id,
            value=value,
            color=color,
            parent_id=parent_id,
            created_at=stamp.at,
            updated_at=stamp.at,
            update_seq=stamp.seq,
        )
    )
    row = get(conn, tag_id)
    assert row is not None
    return row


def update(conn: Connection, tag_id: uuid.UUID, values: dict[str, Any]) -> Row[Any]:
    stamp = clock.reserve(conn)
    conn.execute(
        sa.update(tags).where(tags.c.id == tag_id).values(**values, updated_at=stamp.at, update_seq=stamp.seq)
    )
    row = get(conn, tag_id)
    assert row is not None
    return row


def descendants(tag_ids: Sequence[uuid.UUID]) -> sa.CTE:
    """A recursive CTE (column `id`) of `tag_ids` and every tag below them."""
    base = sa.select(tags.c.id).where(tags.c.id.in_(list(tag_ids))).cte("tag_tree", recursive=True)
    child = tags.alias("child")
    return base.union_all(sa.select(child.c.id).where(child.c.parent_id == base.c.id))


def delete_tree(conn: Connection, tag_id: uuid.UUID) -> int:
    """Delete a tag, its descendants and their asset links, with tombstones; returns tags removed."""
    tree = descendants([tag_id])
    rows = conn.execute(sa.select(tags.c.id, tags.c.user_id).where(tags.c.id.in_(sa.select(tree.c.id)))).all()
    if not rows:
        return 0
    ids = [r.id for r in rows]
    links = conn.execute(
        sa.select(tag_assets.c.tag_id, tag_assets.c.asset_id).where(tag_assets.c.tag_id.in_(ids))
    ).all()
    stamp = clock.reserve(conn, len(rows) + len(links))
    if links:
        conn.execute(
            sa.insert(tag_asset_audit),
            [
                {
                    "seq": stamp.seq_at(i),
                    "tag_id": link.tag_id,
                    "asset_id": link.asset_id,
                    "deleted_at": stamp.at_at(i),
                }
                for i, link in enumerate(links)
            ],
        )
    offset = len(links)
    conn.execute(
        sa.insert(tag_audit),
        [
            {
                "seq": stamp.seq_at(offset + i),
                "tag_id": r.id,
                "user_id": r.user_id,
                "deleted_at": stamp.at_at(offset + i),
            }
            for i, r in enumerate(rows)
        ],
    )
    conn.execute(sa.delete(tag_assets).where(tag_assets.c.tag_id.in_(ids)))
    conn.execute(sa.delete(tags).where(tags.c.id.in_(ids)))
    return len(rows)


def linked_asset_ids(conn: Connection, tag_id: uuid.UUID, asset_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Which of `asset_ids` already carry the tag."""
    wanted = list(set(asset_ids))
    if not wanted:
        return set()
    query = sa.select(tag_assets.c.asset_id).where(
        tag_assets.c.tag_id == tag_id, tag_assets.c.asset_id.in_(wanted)
    )
    return {uuid.UUID(str(i)) for i in conn.execute(query).scalars()}


def existing_links(
    conn: Connection, tag_ids: Sequence[uuid.UUID], asset_ids: Sequence[uuid.UUID]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    if not tag_ids or not asset_ids:
        return set()
    found: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for start in range(0, len(asset_ids), 5_000):
        chunk = list(asset_ids[start : start + 5_000])
        query = sa.select(tag_assets.c.tag_id, tag_assets.c.asset_id).where(
            tag_assets.c.tag_id.in_(list(tag_ids)), tag_assets.c.asset_id.in_(chunk)
        )
        found.update((uuid.UUID(str(r.tag_id)), uuid.UUID(str(r.asset_id))) for r in conn.execute(query))
    return found


def link(conn: Connection, pairs: Sequence[tuple[uuid.UUID, uuid.UUID]]) -> None:
    """Add `(tag id, asset id)` links that do not exist yet (the caller filtered them)."""
    if not pairs:
        return
    stamp = clock.reserve(conn, len(pairs))
    rows = [
        {"tag_id": t, "asset_id": a, "created_at": stamp.at_at(i), "update_seq": stamp.seq_at(i)}
        for i, (t, a) in enumerate(pairs)
    ]
    for start in range(0, len(rows), 5_000):
        conn.execute(sa.insert(tag_assets), rows[start : start + 5_000])


def unlink(conn: Connection, tag_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]) -> None:
    """Remove the tag from `asset_ids` (all linked), recording a tombstone per link."""
    if not asset_ids:
        return
    stamp = clock.reserve(conn, len(asset_ids))
    conn.execute(
        sa.insert(tag_asset_audit),
        [
            {"seq": stamp.seq_at(i), "tag_id": tag_id, "asset_id": a, "deleted_at": stamp.at_at(i)}
            for i, a in enumerate(asset_ids)
        ],
    )
    conn.execute(
        sa.delete(tag_assets).where(tag_assets.c.tag_id == tag_id, tag_assets.c.asset_id.in_(list(asset_ids)))
    )


def tags_of_assets(conn: Connection, asset_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Row[Any]]]:
    """Each asset's tags, ordered by value."""
    if not asset_ids:
        return {}
    query = (
        sa.select(tag_assets.c.asset_id, tags)
        .join(tags, tags.c.id == tag_assets.c.tag_id)
        .where(tag_assets.c.asset_id.in_(list(asset_ids)))
        .order_by(tags.c.value)
    )
    found: dict[uuid.UUID, list[Row[Any]]] = {}
    for row in conn.execute(query):
        found.setdefault(uuid.UUID(str(row.asset_id)), []).append(row)
    return found
