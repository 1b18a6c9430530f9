"""Planner statistics, refreshed by the daily maintenance (and so at every start-up where it
is due).

SQLite keeps no statistics unless asked, and without them it guesses wrong on the sync
queries that matter most: for an album stream's page it walked every link of the user's
albums and sorted them instead of reading the next thousand in `update_seq` order (0.8 s a
page at 20,000 links, quadratic over a stream). `analysis_limit` bounds each index's
sampling, so this takes milliseconds even on a large library. PostgreSQL's autovacuum keeps
its own statistics; an explicit ANALYZE there only helps right after a bulk load.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

ANALYSIS_LIMIT = 1000
"""Rows SQLite samples per index (its documented range for quick, good-enough statistics)."""


def refresh(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
    conn.exec_driver_sql("ANALYZE")
