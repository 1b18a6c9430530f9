"""SQL shared by every kind of tombstone."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def prune(conn: Connection, tables: Iterable[sa.Table], before: datetime) -> int:
    """Delete tombstones older than `before` from `tables`; returns rows removed."""
    removed = 0
    for table in tables:
        result = conn.execute(sa.delete(table).where(table.c.deleted_at < before))
        removed += int(result.rowcount or 0)
    return removed
