"""SQL shared by the sync queries: selecting UUIDs and timestamps already in their JSON form."""

from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa

_PG_ISO = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'
_DASH, _T, _Z = (sa.literal_column(f"'{c}'", sa.String) for c in "-TZ")


def _sub(column: sa.ColumnElement[Any], start: int, length: int) -> sa.ColumnElement[str]:
    return sa.func.substr(
        column, sa.literal_column(str(start)), sa.literal_column(str(length)), type_=sa.String
    )


def wire_value(dialect: str, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """A UUID or timestamp column already in its JSON form (`str(uuid)`, `timefmt.iso`).

    Formatting in SQL skips the driver's and SQLAlchemy's per-value conversion to Python
    objects and back, the main per-row cost of a full sync. SQLite stores UUIDs as 32 hex
    digits and timestamps as `YYYY-MM-DD HH:MM:SS.ffffff` text; other columns are unchanged.
    """
    if isinstance(column.type, sa.Uuid):
        if dialect != "sqlite":
            return sa.cast(column, sa.Text)
        text = _sub(column, 1, 8)
        for start, length in ((9, 4), (13, 4), (17, 4), (21, 12)):
            text = text + _DASH + _sub(column, start, length)
        return sa.type_coerce(text, sa.String)
    if isinstance(column.type, sa.DateTime):
        if dialect != "sqlite":
            return sa.func.to_char(column, _PG_ISO, type_=sa.String)
        return sa.type_coerce(_sub(column, 1, 10) + _T + _sub(column, 12, 12) + _Z, sa.String)
    return column


def _wired_column(dialect: str, column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    value = wire_value(dialect, column)
    return column if value is column else value.label(column.key)


@functools.cache
def _wired_table_column(dialect: str, column: sa.Column[Any]) -> sa.ColumnElement[Any]:
    """Table columns are long-lived objects: build each one's wire expression once per dialect."""
    return _wired_column(dialect, column)


def wired(dialect: str, query: sa.Select[Any]) -> sa.Select[Any]:
    """`query` with every UUID and timestamp column selected in its JSON form, names kept.

    Building the SQL expressions costs milliseconds per statement, as much as the rows of a
    page, so those of table columns are cached.
    """
    columns = [
        _wired_table_column(dialect, column)
        if isinstance(column, sa.Column)
        else _wired_column(dialect, column)
        for column in query.selected_columns
    ]
    return query.with_only_columns(*columns, maintain_column_froms=True)
