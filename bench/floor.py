"""Reading rows straight from the database, without filmroll: the floor a sync is compared with.

PostgreSQL runs `COPY (query) TO STDOUT`, SQLite a plain `sqlite3` cursor fetched in batches;
both return the number of rows read, so a scenario can check it against what the sync sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import psycopg

BATCH = 10_000


def rows(backend: str, database_url: str, query: str, params: Sequence[object]) -> int:
    """Count the rows of `query`; `?` placeholders are bound as literals on PostgreSQL."""
    if backend == "sqlite":
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            cur = conn.execute(query, tuple(params))
            count = 0
            while batch := cur.fetchmany(BATCH):
                count += len(batch)
            return count
        finally:
            conn.close()
    for value in params:
        query = query.replace("?", f"'{value}'", 1)
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as pg, pg.cursor() as pg_cur:
        count = 0
        with pg_cur.copy(f"COPY ({query}) TO STDOUT") as copy:
            for block in copy:
                count += bytes(block).count(b"\n")
        return count
