"""Database access for async services: one writer and many readers on SQLite, a pool on PostgreSQL.

Repositories are plain synchronous functions over a SQLAlchemy `Connection`; services hand
them to `Database.read` or `Database.write`, which run them in a worker thread inside one
transaction. SQLite writes all go through a single thread and connection with
`BEGIN IMMEDIATE`; readers use read-only connections. PostgreSQL uses one pool for both.

Several processes may share one SQLite file (`serve --workers N`, `filmroll worker`): each
write transaction first takes an exclusive `flock` on a lock file beside the database. The
kernel wakes a waiter as soon as the lock is released, so writers from every process run one
at a time (commit order is clock order), waiting as long as it takes, and SQLite's own lock is
free when `BEGIN IMMEDIATE` runs: "database is locked" (which SQLite returns when its busy
timeout, a poll with sleeps, runs out) does not reach a request. Tools that write without
the lock (migrations) still wait up to the busy timeout.

A sync run that reads many pages uses a `Snapshot` instead: one read transaction held for the
whole run, so every page sees the database as it was when the run began. Snapshots have their
own connections (`snapshot_slots` of them), so long-running streams never starve requests.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial
from types import TracebackType
from typing import Any, Literal, TypeVar

import anyio.to_thread
import sqlalchemy as sa
from anyio import CapacityLimiter
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool, QueuePool

from filmroll.db.clock import barrier_time
from filmroll.db.schema import sync_clock
from filmroll.db.unaccent import f_unaccent
from filmroll.errors import ServiceUnavailable

T = TypeVar("T")
Dialect = Literal["sqlite", "postgresql"]


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain `postgresql://` URLs."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any, *, readonly: bool) -> None:
    dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
    dbapi_conn.create_function("f_unaccent", 1, f_unaccent, deterministic=True)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.execute("PRAGMA synchronous=NORMAL")
    if not readonly:
        cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


def _sqlite_begin(conn: Connection, *, immediate: bool) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _sqlite_engine(path: str, size: int, *, readonly: bool) -> Engine:
    target = f"sqlite:///file:{path}?mode=ro&uri=true" if readonly else f"sqlite:///{path}"
    engine = sa.create_engine(
        target, poolclass=QueuePool, pool_size=size, max_overflow=0, connect_args={"check_same_thread": False}
    )
    event.listen(engine, "connect", partial(_sqlite_pragmas, readonly=readonly))
    event.listen(engine, "begin", partial(_sqlite_begin, immediate=not readonly))
    return engine


class WriterLock:
    """The cross-process SQLite writer lock: a thread lock in this process, then `flock`.

    `flock` locks belong to an open file, so threads of one process sharing the file would
    not exclude each other; the thread lock does that, and the file lock excludes other
    processes (and other `Database` objects on the same file). The lock is released when its
    holder exits, even on SIGKILL, so a killed process never leaves it held.
    """

    def __init__(self, db_path: str) -> None:
        self._path = db_path + ".writer-lock"
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    def __enter__(self) -> None:
        self._thread_lock.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def __exit__(self, *_exc: object) -> None:
        try:
            if self._fd is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()

    def close(self) -> None:
        with self._thread_lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


PG_OPTIONS = "-c jit=off"
"""PostgreSQL's JIT compiles any query its planner thinks costly, which a full-sync page
(tens of thousands of rows composed into one string) always is: compiling took about 20 ms
of every 250 ms page and bought nothing, since these queries spend their time copying
text. The server's queries are all of that kind or small, so it is off for its sessions."""


def _pg_engine(url: str, pool_size: int, max_overflow: int) -> Engine:
    return sa.create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        connect_args={"options": PG_OPTIONS},
    )


def create_engines(url: str, pool_size: int) -> tuple[Engine, Engine]:
    """Return (writer, reader) engines for `url`; on PostgreSQL they are the same engine."""
    url = normalise_url(url)
    if not url.startswith("sqlite"):
        engine = _pg_engine(url, pool_size, pool_size)
        return engine, engine
    path = url.removeprefix("sqlite:///")
    return _sqlite_engine(path, 1, readonly=False), _sqlite_engine(path, pool_size, readonly=True)


def create_snapshot_engine(url: str, size: int) -> Engine:
    """Connections for snapshots only: at most `size`, none shared with request reads."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        return _sqlite_engine(url.removeprefix("sqlite:///"), size, readonly=True)
    return _pg_engine(url, size, 0)


SNAPSHOT_WAIT = 60.0
"""Seconds a sync run waits for a free snapshot connection before giving up with 503."""


class Snapshot:
    """One read transaction held open for a whole sync run, on a connection of its own.

    Reading every page of a run in one transaction means a row committed before the run began
    is in it even when a writer re-stamps the row mid-run (its old version is still what this
    transaction sees; the next run sends the new one). PostgreSQL runs it as `REPEATABLE READ,
    READ ONLY`; SQLite as a read transaction on a read-only connection, which in WAL mode keeps
    its view while writers commit. `read` has the `Database.read` signature, so code written for
    a `Database` runs unchanged on a snapshot; a lock keeps concurrent page prefetches off the
    connection at the same time. `write` goes to the database as usual (it cannot be seen by
    this snapshot). Close it (or use `async with`) to release the connection.
    """

    def __init__(self, db: Database, conn: Connection, token: object) -> None:
        self._db = db
        self._conn: Connection | None = conn
        self._token = token
        self._lock = threading.Lock()
        self._turn = CapacityLimiter(1)
        self._closers: list[Callable[[], None]] = []

    def on_close(self, fn: Callable[[], None]) -> None:
        """Run `fn` (in the closing thread) before the transaction ends: a reader that holds
        the connection between reads, such as a query still streaming rows, lets go first."""
        self._closers.append(fn)

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        with self._lock:
            if self._conn is None:
                raise RuntimeError("snapshot is closed")
            return fn(self._conn)

    async def read(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` inside the snapshot's transaction; concurrent calls queue without a thread."""
        return await anyio.to_thread.run_sync(self.read_sync, fn, limiter=self._turn)

    async def write(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn` in an ordinary write transaction."""
        return await self._db.write(fn)

    def _close_sync(self) -> None:
        with self._lock:
            conn, self._conn = self._conn, None
            closers, self._closers = self._closers, []
        if conn is not None:
            try:
                for fn in closers:
                    fn()
            finally:
                try:
                    conn.rollback()
                finally:
                    conn.close()

    async def close(self) -> None:
        """End the transaction and free the connection; safe to call twice and when cancelled."""
        if self._token is None:
            return
        token, self._token = self._token, None
        with anyio.CancelScope(shield=True):
            try:
                await anyio.to_thread.run_sync(self._close_sync)
            finally:
                self._db._snapshot_slots.release_on_behalf_of(token)

    async def __aenter__(self) -> Snapshot:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()


class Database:
    """Runs repository functions in transactions, off the event loop."""

    def __init__(self, url: str, *, pool_size: int = 8, snapshot_slots: int | None = None) -> None:
        self.url = normalise_url(url)
        self.dialect: Dialect = "sqlite" if self.url.startswith("sqlite") else "postgresql"
        self.writer, self.reader = create_engines(self.url, pool_size)
        self._write_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._read_limiter = CapacityLimiter(pool_size)
        self._snapshot_size = snapshot_slots or pool_size
        self._snapshot_slots = CapacityLimiter(self._snapshot_size)
        self._snapshot_engine: Engine | None = None
        self._snapshot_engine_lock = threading.Lock()
        self._closed = threading.Event()
        self._writer_lock = WriterLock(self.url.removeprefix("sqlite:///")) if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    def read_sync(self, fn: Callable[[Connection], T]) -> T:
        with self.reader.connect() as conn, conn.begin():
            return fn(conn)

    def write_sync(self, fn: Callable[[Connection], T]) -> T:
        if self._writer_lock is None:
            with self.writer.connect() as conn, conn.begin():
                return fn(conn)
        with self._writer_lock, self.writer.connect() as conn, conn.begin():
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

    async def barrier(self) -> datetime:
        """Wait until every write transaction that holds the change clock has committed, in
        any process, and return the time a read made now is complete as of.

        Every change stamped at or before the returned time is committed (and so visible to a
        transaction begun after this returns); every change stamped later is stamped by a
        writer that takes the clock after this call. The time is read while no writer can hold
        the clock (SQLite: inside the writer lock; PostgreSQL: holding a share lock on the
        clock row, which waits for and then excludes writers), on the clock the stamps use:
        the host's wall clock on SQLite (one host), the database server's on PostgreSQL, so
        servers on several hosts agree however their own clocks drift.
        """
        return await self.write(barrier_time)

    async def await_snapshot_slot(self) -> None:
        """Wait until a snapshot connection is free, at most `SNAPSHOT_WAIT` seconds, else 503.

        Sync endpoints call this before their response starts, so an overloaded server answers
        503 with a body instead of cutting a 200 short; the body then opens its snapshot (a
        request that loses a race for the slot waits in `snapshot` as before).
        """
        probe = await self._take_slot()
        self._snapshot_slots.release_on_behalf_of(probe)

    async def _take_slot(self) -> object:
        """A snapshot slot, held on behalf of the returned token; 503 after `SNAPSHOT_WAIT`."""
        token = object()
        try:
            with anyio.fail_after(SNAPSHOT_WAIT):
                await self._snapshot_slots.acquire_on_behalf_of(token)
        except TimeoutError:
            raise ServiceUnavailable("Too many sync requests at once; try again later") from None
        return token

    async def snapshot(self) -> Snapshot:
        """Open a `Snapshot`; waits for a free snapshot connection, at most `SNAPSHOT_WAIT` seconds.

        The transaction's view is fixed before this returns, so it holds every row committed
        before the call.
        """
        token = await self._take_slot()
        try:
            conn = await anyio.to_thread.run_sync(self._begin_snapshot)
        except BaseException:
            self._snapshot_slots.release_on_behalf_of(token)
            raise
        return Snapshot(self, conn, token)

    def _begin_snapshot(self) -> Connection:
        with self._snapshot_engine_lock:
            if self._snapshot_engine is None:
                self._snapshot_engine = create_snapshot_engine(self.url, self._snapshot_size)
            engine = self._snapshot_engine
        conn = engine.connect()
        try:
            conn.begin()
            if not self.is_sqlite:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                # Snapshot reads are keyset pages of a thousand rows: parallel workers only add
                # their start-up (several milliseconds a page) to a plan that walks an index.
                conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
            # The first read fixes the view (PostgreSQL takes the snapshot, SQLite the WAL mark).
            conn.execute(sa.select(sync_clock.c.seq).where(sync_clock.c.id == 1)).all()
        except BaseException:
            conn.close()
            raise
        return conn

    def dispose(self) -> None:
        self._write_executor.shutdown(wait=True)
        if self._writer_lock is not None:
            self._writer_lock.close()
        self.writer.dispose()
        self.reader.dispose()
        if self._snapshot_engine is not None:
            self._snapshot_engine.dispose()


def admin_engine(url: str) -> Engine:
    """A plain engine for migrations and maintenance commands."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, poolclass=NullPool)
        event.listen(engine, "connect", partial(_sqlite_pragmas, readonly=False))
        event.listen(engine, "begin", partial(_sqlite_begin, immediate=True))
        return engine
    return sa.create_engine(url, poolclass=NullPool)
