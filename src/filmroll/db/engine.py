"""Database access for async services: one writer and many readers on SQLite, a pool on PostgreSQL.

Repositories are plain synchronous functions over a SQLAlchemy `Connection`; services hand
them to `Database.read` or `Database.write`, which run them in a worker thread inside one
transaction. SQLite writes all go through a single thread and connection with
`BEGIN IMMEDIATE`, so requests never see "database is locked"; readers use read-only
connections. PostgreSQL uses one pool for both.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, Literal, TypeVar

import anyio.to_thread
import sqlalchemy as sa
from anyio import CapacityLimiter
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool

from filmroll.db.schema import sync_clock

T = TypeVar("T")
Dialect = Literal["sqlite", "postgresql"]


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, *, readonly: bool) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    if not readonly:
        cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def _sqlite_begin(conn: Connection, *, immediate: bool) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_engines(url: str, pool_size: int) -> tuple[Engine, Engine]:
    """Return (writer, reader) engines for `url`; on PostgreSQL they are the same engine."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        engine = sa.create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        return engine, engine
    path = url.removeprefix("sqlite:///")
    writer = sa.create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        connect_args={"check_same_thread": False},
    )
    reader = sa.create_engine(
        f"sqlite:///file:{path}?mode=ro&uri=true",
        poolclass=QueuePool,
        pool_size=pool_size,
        max_overflow=0,
        connect_args={"check_same_thread": False},
    )
    for eng, readonly in ((writer, False), (reader, True)):
        event.listen(eng, "connect", partial(_sqlite_pragmas, readonly=readonly))
        event.listen(eng, "begin", partial(_sqlite_begin, immediate=not readonly))
    return writer, reader


class Database:
    """Runs repository functions in transactions, off the event loop."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = normalise_url(url)
        self.dialect: Dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        self.writer, self.reader = create_engines(self.url, pool_size)
        self._write_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._read_limiter = CapacityLimiter(pool_size)
        self._closed = threading.Event()

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        with self.reader.connect() as conn, conn.begin():
            return fn(conn)

    def write_sync(self, fn: Callable[[Connection], T]) -> T:
        with self.writer.connect() as conn, conn.begin():
            return fn(conn)

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in a read transaction."""
        return await anyio.to_thread.run_sync(self.read_sync, fn, limiter=self._read_limiter)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in a write transaction (serialised on SQLite)."""
        if self.is_sqlite:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._write_executor, self.write_sync, fn)
        return await anyio.to_thread.run_sync(self.write_sync, fn, limiter=self._read_limiter)

    async def barrier(self) -> None:
        """Wait until every write transaction that holds the change clock has committed."""
        if self.is_sqlite:
            await self.write(lambda _conn: None)
            return

        def wait(conn: Connection) -> None:
            conn.execute(sa.select(sync_clock.c.seq).where(sync_clock.c.id == 1).with_for_update(read=True))

        await self.write(wait)

    def dispose(self) -> None:
        self._write_executor.shutdown(wait=True)
        self.writer.dispose()
        self.reader.dispose()


def admin_engine(url: str) -> Engine:
    """A plain engine for migrations and maintenance commands."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, poolclass=NullPool)
        event.listen(engine, "connect", partial(_sqlite_pragmas, readonly=False))
        event.listen(engine, "begin", partial(_sqlite_begin, immediate=True))
        return engine
    return sa.create_engine(url, poolclass=NullPool)
