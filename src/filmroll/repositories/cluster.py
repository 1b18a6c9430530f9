"""SQL for tasks run once per cluster however many processes share the database."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from filmroll.db.schema import cluster_tasks


def claim_due(conn: Connection, name: str, runner: str, interval: timedelta, now: datetime) -> bool:
    """Record a run of `name` by `runner` if none started within `interval`; True if this
    call won the run.

    The conditional update is atomic on both databases (PostgreSQL re-checks the condition
    on the row after waiting for a concurrent update; SQLite has one writer), so of several
    processes asking at once exactly one gets True.
    """
    exists = conn.execute(sa.select(cluster_tasks.c.name).where(cluster_tasks.c.name == name)).first()
    if exists is None:  # a first run: the insert conflicts for every process but one
        stmt = _insert_ignore(conn, {"name": name, "last_run_at": now, "run_by": runner})
        if conn.execute(stmt).first() is not None:
            return True
    result = conn.execute(
        sa.update(cluster_tasks)
        .where(cluster_tasks.c.name == name, cluster_tasks.c.last_run_at <= now - interval)
        .values(last_run_at=now, run_by=runner)
    )
    return bool(result.rowcount)


def _insert_ignore(conn: Connection, values: dict[str, object]) -> sa.Executable:
    """An insert that does nothing on conflict and returns the name only if it inserted
    (the row count of such an insert is not reliable across drivers)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        pg = pg_insert(cluster_tasks).values(values).on_conflict_do_nothing()
        return pg.returning(cluster_tasks.c.name)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    lite = sqlite_insert(cluster_tasks).values(values).on_conflict_do_nothing()
    return lite.returning(cluster_tasks.c.name)


def last_run(conn: Connection, name: str) -> tuple[datetime, str | None] | None:
    row = conn.execute(
        sa.select(cluster_tasks.c.last_run_at, cluster_tasks.c.run_by).where(cluster_tasks.c.name == name)
    ).first()
    return None if row is None else (row.last_run_at, row.run_by)
