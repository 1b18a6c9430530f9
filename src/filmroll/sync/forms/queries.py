"""SQL of the stored wire forms: fresh forms for readers, stale rows and write-back for the
renderer, and its per-table cursor.

A form is fresh while `wire_seq = update_seq` and `wire_version` is the current version: every
write to a syncable row stamps a new `update_seq` from the change clock, so a write makes the
old form stale without having to know about forms at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import asset_exif, assets, wire_renders
from filmroll.sync.forms import render
from filmroll.sync.sql import wired

Rows = Sequence[Row[Any]]
Form = Literal["v1", "v2"]


@dataclass(frozen=True)
class FormTable:
    """A table whose rows keep wire forms, keyed by `key` (its primary key)."""

    name: str
    table: sa.Table
    key: sa.Column[Any]

    @property
    def source(self) -> list[sa.Column[Any]]:
        """The columns forms are rendered from (everything but the forms themselves)."""
        return [c for c in self.table.c if not c.name.startswith("wire_")]


ASSETS = FormTable("assets", assets, assets.c.id)
EXIF = FormTable("asset_exif", asset_exif, asset_exif.c.asset_id)
TABLES = (ASSETS, EXIF)


def form_version() -> int:
    """The current format version, read at call time (a test may raise it)."""
    return render.VERSION


def is_fresh(table: Any) -> sa.ColumnElement[bool]:
    """The row's stored forms match its current stamp and the current format (read at call
    time, so a new version takes effect without rebuilding anything). Never NULL, so its
    negation finds rows without forms too."""
    return sa.and_(
        sa.func.coalesce(table.c.wire_seq, -1) == table.c.update_seq,
        sa.func.coalesce(table.c.wire_version, 0) == render.VERSION,
    )


def stored(table: Any, form: Form, label: str = "wire") -> sa.ColumnElement[Any]:
    """The stored form when fresh, else NULL (the reader then renders the row itself)."""
    return sa.case((is_fresh(table), table.c[f"wire_{form}"]), else_=sa.null()).label(label)


def stale_key(ft: FormTable) -> sa.ColumnElement[Any]:
    """The row's key only when its form is stale (`key`): fresh rows carry nothing to convert."""
    return sa.case((is_fresh(ft.table), sa.null()), else_=ft.key).label("key")


def rows_by_key(conn: Connection, ft: FormTable, keys: Iterable[Any]) -> Rows:
    """Source rows of `keys` as the sync queries select them, to render on the fly."""
    wanted = list(keys)
    if not wanted:
        return []
    query = sa.select(*ft.source).where(ft.key.in_(wanted))
    return conn.execute(wired(conn.dialect.name, query)).all()


def stale_rows(conn: Connection, ft: FormTable, after: int, upper: int, limit: int) -> Rows:
    """Rows stamped in `(after, upper]` whose forms are missing or stale, by stamp."""
    seq = ft.table.c.update_seq
    query = (
        sa.select(*ft.source).where(seq > after, seq <= upper, ~is_fresh(ft.table)).order_by(seq).limit(limit)
    )
    return conn.execute(wired(conn.dialect.name, query)).all()


def store(
    conn: Connection, ft: FormTable, forms: Sequence[tuple[uuid.UUID, int, str, str]]
) -> set[uuid.UUID]:
    """Write `(key, seq, v2, v1)` forms back, each only if the row still has stamp `seq`, and
    return the keys of the rows that were skipped because another transaction held them.

    No clock stamp is taken: storing a form is not a change of the row. Rows another
    transaction holds are skipped rather than waited for (PostgreSQL; SQLite has one writer):
    a bulk edit locks rows in its own order, so waiting could deadlock. A skipped row is not
    always re-stamped by its holder, which may roll back, or be another renderer storing an
    older stamp of it, so the caller keeps its cursor before every skipped row. A row written
    since it was rendered keeps its stale form: its new stamp lies past the caller's range.
    The lock taken is PostgreSQL's `FOR NO KEY UPDATE`, the one its own update of these
    columns takes: a row that another transaction only references (a new album link, exif row
    or job holds a key-share lock on it, and does not re-stamp it) is still stored.
    """
    if not forms:
        return set()
    key = ft.key
    keys = [k for k, *_ in forms]
    free = set(
        conn.execute(
            sa.select(key).where(key.in_(keys)).with_for_update(skip_locked=True, key_share=True)
        ).scalars()
    )
    skipped: set[uuid.UUID] = set()
    if len(free) < len(keys):  # held by others, or deleted since they were read
        skipped = set(conn.execute(sa.select(key).where(key.in_(keys))).scalars()) - free
    statement = (
        sa.update(ft.table)
        .where(key == sa.bindparam("k"), ft.table.c.update_seq == sa.bindparam("s"))
        .values(
            wire_v2=sa.bindparam("v2"),
            wire_v1=sa.bindparam("v1"),
            wire_seq=sa.bindparam("s"),
            wire_version=render.VERSION,
            wire_hash=sa.bindparam("h"),
        )
    )
    rows = [
        {"k": k, "s": s, "v2": v2, "v1": v1, "h": render.row_hash(v2)} for k, s, v2, v1 in forms if k in free
    ]
    if rows:
        conn.execute(statement, rows)
    return skipped


def cursor(conn: Connection, ft: FormTable) -> int:
    """How far the renderer got in `ft` for the current version (0 after a version change)."""
    row = conn.execute(
        sa.select(wire_renders.c.version, wire_renders.c.cursor).where(wire_renders.c.name == ft.name)
    ).first()
    return int(row.cursor) if row is not None and row.version == render.VERSION else 0


def set_cursor(conn: Connection, ft: FormTable, value: int) -> None:
    done = conn.execute(
        sa.update(wire_renders)
        .where(wire_renders.c.name == ft.name)
        .values(version=render.VERSION, cursor=value)
    ).rowcount
    if not done:
        conn.execute(sa.insert(wire_renders).values(name=ft.name, version=render.VERSION, cursor=value))
