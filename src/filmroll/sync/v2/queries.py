"""SQL for the sync v2 stream: keyset pages over clock sequences, one query per row source.

Every function returns rows carrying a `seq` column, ordered by it, limited to
`after < seq <= upper`; `upper` is the committed clock at stream start, so a page never
includes a row that could still be joined by an earlier, uncommitted one.
Who sees what is `repositories.access`'s rule (partners: `timeline` assets; albums: owner
and members); every source yields each row once.
"""

from __future__ import annotations

import functools
import itertools
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import psycopg
import sqlalchemy as sa
from psycopg.types.string import ByteaBinaryLoader
from sqlalchemy.engine import Connection, Row

from filmroll.db.schema import (
    AUDIT_TABLES,
    album_asset_audit,
    album_assets,
    album_audit,
    album_user_audit,
    album_users,
    albums,
    asset_audit,
    asset_exif,
    assets,
    partner_audit,
    partners,
    stack_audit,
    stacks,
    user_audit,
    user_metadata,
    user_metadata_audit,
    users,
)
from filmroll.repositories import access, audit
from filmroll.repositories.users import DirectoryMode, directory
from filmroll.sync.forms.queries import ASSETS, EXIF, form_version, is_fresh, stale_key, stored
from filmroll.sync.sql import wired

Rows = Sequence[Row[Any]]


def asset_columns() -> tuple[sa.ColumnElement[Any], ...]:
    """What an asset line is made of: the stored `SyncAssetV1` form (`wire`), or where it is
    stale NULL and the asset's id (`key`), for the sync layer to render the row on the spot."""
    return stale_key(ASSETS), stored(assets, "v2")


def exif_columns() -> tuple[sa.ColumnElement[Any], ...]:
    """The same for `SyncAssetExifV1`."""
    return stale_key(EXIF), stored(asset_exif, "v2")


def _page(
    conn: Connection,
    query: sa.Select[Any],
    seq: sa.ColumnElement[Any],
    after: int,
    upper: int,
    limit: int,
    *,
    wire: bool = True,
) -> Rows:
    """One keyset page; with `wire`, UUIDs and timestamps come back as their JSON strings."""
    if wire:
        query = wired(conn.dialect.name, query)
    return conn.execute(query.where(seq > after, seq <= upper).order_by(seq).limit(limit)).all()


def _partners_page(
    conn: Connection,
    me: uuid.UUID,
    rows_of: Callable[[uuid.UUID], sa.Select[Any]],
    seq: sa.ColumnElement[Any],
    after: int,
    upper: int,
    limit: int,
) -> Rows:
    """One keyset page of the rows `rows_of(owner)` selects, over every partner sharing with `me`.

    Each partner's page is read along its own `(owner_id, update_seq)` index and the few
    pages are merged by sequence. Asked for all partners at once, PostgreSQL filtered the
    whole assets table and sorted the matches for every page (a second a page at 1,000,000
    assets)."""
    owners = list(conn.execute(access.partner_rows_of(me)).scalars())
    dialect = conn.dialect.name
    pages = [
        wired(dialect, rows_of(owner)).where(seq > after, seq <= upper).order_by(seq).limit(limit).subquery()
        for owner in owners
    ]
    if len(pages) <= 1:
        return conn.execute(sa.select(*pages)).all() if pages else []
    merged = sa.union_all(*[sa.select(page) for page in pages]).subquery()
    return conn.execute(sa.select(merged).order_by(merged.c.seq).limit(limit)).all()


_ME = sa.bindparam("me", type_=sa.Uuid())
_AFTER, _UPPER = sa.bindparam("after", type_=sa.BigInteger()), sa.bindparam("upper", type_=sa.BigInteger())
_LIMIT = sa.bindparam("limit", type_=sa.Integer())


@functools.cache
def _own_forms(table: str, dialect: str, version: int) -> sa.Select[Any]:
    """The page statement of an owner's asset or exif lines, built once per dialect and form
    version with every value bound: a full stream runs it hundreds of times, and building and
    keying the expression would otherwise cost as much as reading the page."""
    del version  # part of the cache key: the statement compares stored forms with it
    if table == ASSETS.name:
        columns, seq, owner = asset_columns(), assets.c.update_seq, assets.c.owner_id
    else:
        columns, seq, owner = exif_columns(), asset_exif.c.update_seq, asset_exif.c.owner_id
    query = sa.select(*columns, seq.label("seq")).where(owner == _ME, seq > _AFTER, seq <= _UPPER)
    return wired(dialect, query.order_by(seq).limit(_LIMIT))


def _own_page(conn: Connection, table: str, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    statement = _own_forms(table, conn.dialect.name, form_version())
    return conn.execute(statement, {"me": me, "after": after, "upper": upper, "limit": limit}).all()


@dataclass(frozen=True)
class Blob:
    """A batch of lines composed by the database: the lines, the last row's sequence, how many
    rows, and how many had a stale stored form (the batch is then only valid when 0)."""

    body: bytes
    last: int
    count: int
    stale: int


ACK_HEAD = "00000000-0000-7000-8000-"
"""`clock.seq_to_uuid` of a sequence below 2**48: this head, then 12 hex digits."""


@functools.cache
def _own_rows(table: str, version: int) -> sa.Select[Any]:
    """One batch of an owner's asset or exif rows in clock order: the stored v2 form, the
    sequence, and whether the stored form is stale."""
    del version  # part of the cache key: freshness compares stored forms with it
    t = assets if table == ASSETS.name else asset_exif
    seq = t.c.update_seq
    return (
        sa.select(
            t.c.wire_v2.label("form"), seq.label("seq"), sa.case((is_fresh(t), 0), else_=1).label("stale")
        )
        .where(t.c.owner_id == _ME, seq > _AFTER, seq <= _UPPER)
        .order_by(seq)
        .limit(_LIMIT)
    )


@functools.cache
def _own_blob(table: str, entity: str, version: int) -> sa.Select[Any]:
    """SQLite: one batch of lines as a single string built by the database from the stored
    forms, `{"type":…,"data":<stored form>,"ack":"…"}` per row (group_concat keeps the order
    of the ordered subquery), so reading a batch makes no Python object per row."""
    page = _own_rows(table, version).subquery()
    ack_text = sa.literal(f',"ack":"{entity}|{ACK_HEAD}', sa.String) + sa.func.printf("%012x", page.c.seq)
    line = sa.literal(f'{{"type":"{entity}","data":', sa.String) + page.c.form + ack_text + sa.literal('"}\n')
    return sa.select(
        sa.func.group_concat(line, "").label("body"),
        sa.func.max(page.c.seq).label("last"),
        sa.func.count().label("n"),
        sa.func.coalesce(sa.func.sum(page.c.stale), 0).label("stale"),
    )


STALE_LINE = b"!"
"""First byte of what PostgreSQL sends for a row whose stored form is stale (or missing): `!`,
the sequence in hex and a newline. A line proper starts with `{`."""
STALE_BYTE = STALE_LINE[0]

_BOUND = frozenset(("me", "after", "upper", "limit"))


@functools.cache
def _own_lines(
    dialect: sa.Dialect, table: str, entity: str, version: int, limited: bool = True
) -> tuple[str, dict[str, Any]]:
    """PostgreSQL: one batch of composed lines (every line when not `limited`), each with its
    newline, in clock order; compiled once per form version into the driver's statement text
    and the values of its constants (the caller adds the bound ones)."""
    del version  # part of the cache key: freshness compares stored forms with it
    t = assets if table == ASSETS.name else asset_exif
    seq = t.c.update_seq
    hex_seq = sa.func.to_hex(seq, type_=sa.Text)
    line = (
        sa.literal(f'{{"type":"{entity}","data":', sa.Text)
        + t.c.wire_v2
        + sa.literal(f',"ack":"{entity}|{ACK_HEAD}', sa.Text)
        + sa.func.lpad(hex_seq, 12, "0", type_=sa.Text)
        + sa.literal('"}\n', sa.Text)
    )
    stale = sa.literal(STALE_LINE.decode(), sa.Text) + hex_seq + sa.literal("\n", sa.Text)
    composed = sa.case((sa.and_(is_fresh(t), t.c.wire_v2.is_not(None)), line), else_=stale)
    query = sa.select(composed.label("line")).where(t.c.owner_id == _ME, seq > _AFTER, seq <= _UPPER)
    query = query.order_by(seq)
    compiled = (query.limit(_LIMIT) if limited else query).compile(dialect=dialect)
    return compiled.string, {k: v for k, v in compiled.params.items() if k not in _BOUND}


def _line_bytes(conn: Connection, table: str, entity: str, params: dict[str, Any]) -> list[bytes] | None:
    """PostgreSQL: the composed lines of one batch as the bytes the server sent, on `conn`'s own
    driver connection (so inside the caller's transaction, a stream's snapshot); None unless
    that is a UTF-8 psycopg connection.

    The rows come in binary format and text is loaded as bytes (the loader of `bytea`, whose
    binary form is the raw bytes too): no text is decoded into `str` and encoded back, and a
    row costs one `bytes` object. A `COPY … TO STDOUT` of the same lines, framed one per row
    already, measured slower: the driver's per-row read loop and the server's escaping cost
    more than it saved."""
    cursor = _bytes_cursor(conn)
    if cursor is None:
        return None
    statement, constants = _own_lines(conn.dialect, table, entity, form_version())
    values = {**constants, **params}
    try:
        with cursor:
            cursor.execute(statement, values)
            return [line for (line,) in cursor.fetchall()]
    except psycopg.Error as exc:
        raise sa.exc.DBAPIError.instance(statement, values, exc, psycopg.Error) from exc


def _joined(lines: list[bytes], after: int) -> Blob:
    """The batch of `_line_bytes`' lines; its last sequence is read back from the last line."""
    if not lines:
        return Blob(b"", after, 0, 0)
    body, end = b"".join(lines), lines[-1]
    last = int(end[1:-1] if end.startswith(STALE_LINE) else end[-15:-3], 16)
    if last <= after:  # a malformed line: fail rather than page from the same place forever
        raise ValueError(f"a batch after sequence {after} ends at {last}")
    # A one-byte search is a memchr; only a hit (a stale row, or `!` in some text) costs a look
    # at each line's first byte.
    stale = sum(line[0] == STALE_BYTE for line in lines) if STALE_LINE in body else 0
    return Blob(b"" if stale else body, last, len(lines), stale)


def own_blob(
    conn: Connection, table: str, entity: str, me: uuid.UUID, after: int, upper: int, limit: int
) -> Blob:
    """A batch of `own_assets`/`own_exif` lines composed from the stored forms in one piece.

    SQLite composes it in SQL (`_own_blob`). PostgreSQL composes each line and sends it as
    bytes (`_line_bytes`), joined here: no Python object per value, and the server does not
    sort the batch again as `string_agg` would. On another driver the rows' text is joined
    here. Sequences past 2**48 (never reached in practice) and stale forms are left to the
    row-by-row path."""
    params = {"me": me, "after": after, "upper": upper, "limit": limit}
    if conn.dialect.name == "sqlite":
        row = conn.execute(_own_blob(table, entity, form_version()), params).one()
        return Blob((row.body or "").encode(), int(row.last or after), int(row.n), int(row.stale))
    lines = _line_bytes(conn, table, entity, params)
    if lines is not None:
        return _joined(lines, after)
    rows = cast(
        "Sequence[tuple[str, int, int]]", conn.execute(_own_rows(table, form_version()), params).all()
    )
    last = rows[-1][1] if rows else after
    stale = sum(r[2] for r in rows)
    if stale:
        return Blob(b"", last, len(rows), stale)
    head, tail = f'{{"type":"{entity}","data":', f',"ack":"{entity}|{ACK_HEAD}'
    body = "".join([f'{head}{form}{tail}{seq:012x}"}}\n' for form, seq, _ in rows])
    return Blob(body.encode(), last, len(rows), 0)


class LineStream:
    """PostgreSQL: an owner's composed asset or exif lines from a sequence to the run's bound,
    read from one query that the database runs to its end while earlier batches are sent.

    Paging with a query per batch left the database idle between batches, waiting for the
    server to ask for the next one (about a quarter of a full stream's time). Here it keeps
    composing rows into the connection, paced by the socket's buffers, and `batch` takes them
    `limit` at a time. The query holds the driver connection until it ends, so it is abandoned
    at the first stale form (cancelled, its savepoint rolled back, the snapshot's transaction
    kept) and the caller pages from there as before. A stream left before its end must be
    ended before anything else uses the connection: `finish` when the transaction goes on,
    `close` when it ends."""

    SAVEPOINT = "line_stream"

    def __init__(self, table: str, entity: str, me: uuid.UUID, upper: int) -> None:
        self._table, self._entity, self._me, self._upper = table, entity, me, upper
        self._rows: Iterator[tuple[bytes]] | None = None
        self._at = -1
        self.usable = True
        """False once a batch cannot come from the stream (another driver, a stale form)."""

    def batch(self, conn: Connection, after: int, limit: int) -> Blob | None:
        """The `limit` lines after sequence `after`, or None when the caller must page."""
        if not self.usable:
            return None
        if self._rows is None or after != self._at:
            self.finish(conn)
            self._rows = self._start(conn, after, limit)
            if self._rows is None:
                self.usable = False
                return None
        try:
            lines = [line for (line,) in itertools.islice(self._rows, limit)]
        except psycopg.Error as exc:
            self.close()
            raise sa.exc.DBAPIError.instance("line stream", None, exc, psycopg.Error) from exc
        blob = _joined(lines, after)
        if blob.stale:
            self.finish(conn)
            self.usable = False
            return None
        self._at = blob.last
        if blob.count < limit:  # the query has ended
            self.finish(conn)
        return blob

    def _start(self, conn: Connection, after: int, limit: int) -> Iterator[tuple[bytes]] | None:
        cursor = _bytes_cursor(conn)
        if cursor is None:
            return None
        statement, constants = _own_lines(conn.dialect, self._table, self._entity, form_version(), False)
        values = {**constants, "me": self._me, "after": after, "upper": self._upper}
        driver = _driver(conn)
        driver.execute(f"SAVEPOINT {self.SAVEPOINT}")
        # Without a LIMIT the planner may sort all the owner's rows before sending the first
        # (hundreds of milliseconds at 100,000 rows, a spill to disk at millions): the owner's
        # (owner, sequence) index yields them in order from the first row. Undone with the
        # savepoint.
        driver.execute("SET LOCAL enable_sort = off")
        self._at = after
        return cast("Iterator[tuple[bytes]]", cursor.stream(statement, values, size=limit))

    def finish(self, conn: Connection) -> None:
        """End the query (cancelled if it still runs) and roll back to its savepoint, which
        undoes its planner setting and keeps the transaction, and with it the snapshot (a
        cancelled query fails the transaction)."""
        if self._rows is not None:
            self.close()
            driver = _driver(conn)
            driver.execute(f"ROLLBACK TO SAVEPOINT {self.SAVEPOINT}")
            driver.execute(f"RELEASE SAVEPOINT {self.SAVEPOINT}")

    def close(self) -> None:
        """Cancel the query if it still runs and free the connection; safe to call twice."""
        rows, self._rows = self._rows, None
        if isinstance(rows, Generator):
            rows.close()


def _driver(conn: Connection) -> Any:
    return conn.connection.driver_connection


def _bytes_cursor(conn: Connection) -> psycopg.Cursor[Any] | None:
    """A binary cursor on `conn`'s own psycopg connection (so inside its transaction) that
    loads text as the bytes the server sent; None on another driver or encoding."""
    driver = _driver(conn)
    if not isinstance(driver, psycopg.Connection) or driver.info.encoding != "utf-8":
        return None
    cursor = driver.cursor(binary=True)
    cursor.adapters.register_loader("text", ByteaBinaryLoader)
    return cursor


def lost_albums(me: uuid.UUID) -> sa.Select[Any]:
    """Albums `me` was removed from or that were deleted while `me` could see them."""
    return sa.select(album_audit.c.album_id).where(album_audit.c.user_id == me)


def _has_or_had(me: uuid.UUID, album_id: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
    """The album is one `me` has now or had before losing it."""
    return sa.or_(album_id.in_(access.albums_of(me)), album_id.in_(lost_albums(me)))


def _accessible_link(me: uuid.UUID, link: Any) -> sa.ColumnElement[bool]:
    return access.album_of(me, link.c.album_id)


# --- users and partners -------------------------------------------------------------------


def auth_user(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(users, users.c.update_seq.label("seq")).where(users.c.id == me)
    return _page(conn, query, users.c.update_seq, after, upper, limit, wire=False)


def related_users(conn: Connection, me: uuid.UUID) -> dict[uuid.UUID, int]:
    """Users related to `me` with the clock value at which the newest relation began."""
    seqs: dict[uuid.UUID, int] = {me: 0}

    def note(user_id: uuid.UUID, seq: int) -> None:
        seqs[user_id] = max(seqs.get(user_id, 0), int(seq))

    rows = conn.execute(
        sa.select(partners.c.shared_by_id, partners.c.shared_with_id, partners.c.create_seq).where(
            sa.or_(partners.c.shared_by_id == me, partners.c.shared_with_id == me)
        )
    )
    for row in rows:
        note(row.shared_with_id if row.shared_by_id == me else row.shared_by_id, row.create_seq)
    mine = access.albums_of(me).subquery()
    my_join = (
        sa.select(album_users.c.album_id, album_users.c.create_seq)
        .where(album_users.c.user_id == me)
        .subquery()
    )
    members = conn.execute(
        sa.select(album_users.c.user_id, album_users.c.create_seq, my_join.c.create_seq.label("my_seq"))
        .where(album_users.c.album_id.in_(sa.select(mine.c.id)))
        .outerjoin(my_join, my_join.c.album_id == album_users.c.album_id)
    )
    for member in members:
        note(member.user_id, max(member.create_seq, member.my_seq or 0))
    owners = conn.execute(
        sa.select(albums.c.owner_id, album_users.c.create_seq)
        .join(album_users, album_users.c.album_id == albums.c.id)
        .where(album_users.c.user_id == me)
    )
    for owner in owners:
        note(owner.owner_id, owner.create_seq)
    return seqs


def album_relation_losses(conn: Connection, me: uuid.UUID, after: int, upper: int) -> Rows:
    """`(user_id, seq)` of users an album tied to `me` until `seq` in `(after, upper]`.

    Someone removed from an album `me` has or had, and, when `me` left an album or it was
    deleted, its owner, its members and everyone whose tombstone of it is in the same window
    (on a delete, all who were in it). Callers drop those still related.
    """
    removed = sa.select(album_user_audit.c.user_id, album_user_audit.c.seq).where(
        _has_or_had(me, album_user_audit.c.album_id),
        album_user_audit.c.seq > after,
        album_user_audit.c.seq <= upper,
    )
    left = (
        sa.select(album_audit.c.album_id, album_audit.c.seq)
        .where(album_audit.c.user_id == me, album_audit.c.seq > after, album_audit.c.seq <= upper)
        .subquery()
    )
    others = album_audit.alias("others")
    with_tombstones = sa.select(others.c.user_id, left.c.seq).join(
        others, sa.and_(others.c.album_id == left.c.album_id, others.c.seq > after, others.c.seq <= upper)
    )
    owners = sa.select(albums.c.owner_id, left.c.seq).join(albums, albums.c.id == left.c.album_id)
    members = sa.select(album_users.c.user_id, left.c.seq).join(
        album_users, album_users.c.album_id == left.c.album_id
    )
    query = sa.union_all(removed, with_tombstones, owners, members)
    return conn.execute(query).all()


def users_by_id(conn: Connection, ids: Sequence[uuid.UUID]) -> Rows:
    return conn.execute(sa.select(users).where(users.c.id.in_(list(ids)))).all()


def directory_users(conn: Connection, after: int, upper: int) -> Rows:
    """Every user changed in `(after, upper]`, soft-deleted ones included (Immich sends those
    as `UserV1` with `deletedAt`), by sequence."""
    query = sa.select(users, users.c.update_seq.label("seq"))
    return _page(conn, query, users.c.update_seq, after, upper, 1 << 30, wire=False)


def all_user_ids(conn: Connection) -> set[uuid.UUID]:
    return {r.id for r in conn.execute(sa.select(users.c.id))}


def user_directory(conn: Connection) -> tuple[DirectoryMode, int]:
    """The user directory mode in force and the sequence since which it is."""
    return directory(conn)


def user_deletes(conn: Connection, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(user_audit.c.user_id, user_audit.c.seq)
    return _page(conn, query, user_audit.c.seq, after, upper, limit, wire=False)


def partner_deletes_involving(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(partner_audit).where(
        sa.or_(partner_audit.c.shared_by_id == me, partner_audit.c.shared_with_id == me)
    )
    return _page(conn, query, partner_audit.c.seq, after, upper, limit, wire=False)


def partner_upserts(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(partners, partners.c.update_seq.label("seq")).where(
        sa.or_(partners.c.shared_by_id == me, partners.c.shared_with_id == me)
    )
    return _page(conn, query, partners.c.update_seq, after, upper, limit)


def _relations(
    conn: Connection,
    related: sa.ColumnElement[Any],
    create_seq: sa.ColumnElement[Any],
    mine: sa.ColumnElement[bool],
    from_create: int,
    upper: int,
) -> Rows:
    """Relations of the caller (`mine`) that began in `[from_create, upper]`, oldest first, as
    `(id, create_seq)` rows: what a backfill walks."""
    query: sa.Select[Any] = (
        sa.select(related.label("id"), create_seq)
        .where(mine, create_seq >= from_create, create_seq <= upper)
        .order_by(create_seq)
    )
    return conn.execute(query).all()


def partners_of(conn: Connection, me: uuid.UUID, from_create: int, upper: int) -> Rows:
    """Partners sharing with `me` created in `[from_create, upper]`, as backfill relations."""
    mine = partners.c.shared_with_id == me
    return _relations(conn, partners.c.shared_by_id, partners.c.create_seq, mine, from_create, upper)


def unshares(conn: Connection, me: uuid.UUID, after: int, upper: int) -> Rows:
    """Partners that stopped sharing with `me` in `(after, upper]`."""
    query: sa.Select[Any] = sa.select(partner_audit.c.shared_by_id, partner_audit.c.seq).where(
        partner_audit.c.shared_with_id == me, partner_audit.c.seq > after, partner_audit.c.seq <= upper
    )
    return conn.execute(query.order_by(partner_audit.c.seq)).all()


def _former_sharers(me: uuid.UUID) -> sa.Select[Any]:
    """Everyone who ever stopped sharing with `me`.

    Their tombstones stay relevant after the unshare itself is acked: an asset deleted
    while the unshare was being streamed is neither in the unshare's expansion nor in
    the tombstones of a current partner.
    """
    return sa.select(partner_audit.c.shared_by_id).where(partner_audit.c.shared_with_id == me)


# --- assets and exif ----------------------------------------------------------------------


def own_assets(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    return _own_page(conn, ASSETS.name, me, after, upper, limit)


def own_asset_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(asset_audit.c.asset_id, asset_audit.c.seq).where(asset_audit.c.owner_id == me)
    return _page(conn, query, asset_audit.c.seq, after, upper, limit)


def own_exif(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    """The owner's exif rows by their own `(owner_id, update_seq)` index: a page costs what it
    returns, with no lookup of each row's asset."""
    return _own_page(conn, EXIF.name, me, after, upper, limit)


def partner_assets(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    def rows_of(owner: uuid.UUID) -> sa.Select[Any]:
        return sa.select(*asset_columns(), assets.c.update_seq.label("seq")).where(
            assets.c.owner_id == owner, access.sharer_synced()
        )

    return _partners_page(conn, me, rows_of, assets.c.update_seq, after, upper, limit)


def partner_assets_hidden(
    conn: Connection, me: uuid.UUID, keep_album_assets: bool, after: int, upper: int, limit: int
) -> Rows:
    """Partner assets whose latest change took them off the timeline: deletes for the viewer,
    unless `keep_album_assets` and the viewer still sees them through an album. Assets never on
    the timeline are not named: the viewer never had them."""

    def rows_of(owner: uuid.UUID) -> sa.Select[Any]:
        query = sa.select(assets.c.id.label("asset_id"), assets.c.update_seq.label("seq")).where(
            assets.c.owner_id == owner, access.sharer_lost()
        )
        return query.where(~access.in_albums_of(me, assets.c.id)) if keep_album_assets else query

    return _partners_page(conn, me, rows_of, assets.c.update_seq, after, upper, limit)


def partner_asset_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    """Tombstones of assets of current and former partners that were ever on the timeline."""
    owners = sa.union(access.partner_rows_of(me), _former_sharers(me))
    query = sa.select(asset_audit.c.asset_id, asset_audit.c.seq).where(
        asset_audit.c.owner_id.in_(owners), access.tombstone_named_to(me)
    )
    return _page(conn, query, asset_audit.c.seq, after, upper, limit)


def owner_ids(
    table: sa.Table,
    conn: Connection,
    owner: uuid.UUID,
    after_id: uuid.UUID | None,
    limit: int,
    *,
    except_in_albums_of: uuid.UUID | None = None,
) -> Rows:
    """Ids of `owner`'s rows in `table` (assets or stacks), paged by id; optionally without the
    assets a viewer still sees through an album. Assets never on the timeline are left out:
    a partner never had them, so an unshare must not name them."""
    query = sa.select(table.c.id).where(table.c.owner_id == owner)
    if table is assets:
        query = query.where(assets.c.ever_timeline.is_(True))
    if except_in_albums_of is not None:
        query = query.where(~access.in_albums_of(except_in_albums_of, table.c.id))
    if after_id is not None:
        query = query.where(table.c.id > after_id)
    return conn.execute(query.order_by(table.c.id).limit(limit)).all()


def owner_timeline_assets(conn: Connection, owner: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(*asset_columns(), assets.c.update_seq.label("seq")).where(
        assets.c.owner_id == owner, access.sharer_synced()
    )
    return _page(conn, query, assets.c.update_seq, after, upper, limit)


def _partner_exif_query() -> sa.Select[Any]:
    return sa.select(*exif_columns(), assets.c.update_seq.label("seq")).join(
        assets, assets.c.id == asset_exif.c.asset_id
    )


def partner_exif(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    """Exif of partner assets, keyed by the asset's change so it follows the asset back in view."""

    def rows_of(owner: uuid.UUID) -> sa.Select[Any]:
        return _partner_exif_query().where(assets.c.owner_id == owner, access.sharer_synced())

    return _partners_page(conn, me, rows_of, assets.c.update_seq, after, upper, limit)


def owner_timeline_exif(conn: Connection, owner: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = _partner_exif_query().where(assets.c.owner_id == owner, access.sharer_synced())
    return _page(conn, query, assets.c.update_seq, after, upper, limit)


# --- stacks -------------------------------------------------------------------------------


def own_stacks(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(stacks, stacks.c.update_seq.label("seq")).where(stacks.c.owner_id == me)
    return _page(conn, query, stacks.c.update_seq, after, upper, limit)


def own_stack_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(stack_audit.c.stack_id, stack_audit.c.seq).where(stack_audit.c.user_id == me)
    return _page(conn, query, stack_audit.c.seq, after, upper, limit)


def partner_stacks(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(stacks, stacks.c.update_seq.label("seq")).where(
        stacks.c.owner_id.in_(access.partner_rows_of(me))
    )
    return _page(conn, query, stacks.c.update_seq, after, upper, limit)


def partner_stack_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    owners = sa.union(access.partner_rows_of(me), _former_sharers(me))
    query = sa.select(stack_audit.c.stack_id, stack_audit.c.seq).where(stack_audit.c.user_id.in_(owners))
    return _page(conn, query, stack_audit.c.seq, after, upper, limit)


def owner_stacks(conn: Connection, owner: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(stacks, stacks.c.update_seq.label("seq")).where(stacks.c.owner_id == owner)
    return _page(conn, query, stacks.c.update_seq, after, upper, limit)


# --- albums -------------------------------------------------------------------------------


def albums_of(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(albums, albums.c.update_seq.label("seq")).where(albums.c.id.in_(access.albums_of(me)))
    return _page(conn, query, albums.c.update_seq, after, upper, limit)


def album_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(album_audit.c.album_id, album_audit.c.seq).where(album_audit.c.user_id == me)
    return _page(conn, query, album_audit.c.seq, after, upper, limit)


def memberships(conn: Connection, me: uuid.UUID, from_create: int, upper: int) -> Rows:
    """Albums shared with `me` whose membership began in `[from_create, upper]` (backfill relations)."""
    mine = album_users.c.user_id == me
    return _relations(conn, album_users.c.album_id, album_users.c.create_seq, mine, from_create, upper)


def _link_rows(
    conn: Connection, table: sa.Table, where: sa.ColumnElement[bool], after: int, upper: int, limit: int
) -> Rows:
    """Rows of a link table (album members or album assets) with their change as `seq`."""
    query = sa.select(table, table.c.update_seq.label("seq")).where(where)
    return _page(conn, query, table.c.update_seq, after, upper, limit)


def album_user_rows(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    return _link_rows(conn, album_users, _accessible_link(me, album_users), after, upper, limit)


def album_user_rows_of(conn: Connection, album_id: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    return _link_rows(conn, album_users, album_users.c.album_id == album_id, after, upper, limit)


def album_user_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(album_user_audit).where(_accessible_link(me, album_user_audit))
    return _page(conn, query, album_user_audit.c.seq, after, upper, limit)


def album_links(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    return _link_rows(conn, album_assets, _accessible_link(me, album_assets), after, upper, limit)


def album_links_of(conn: Connection, album_id: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    return _link_rows(conn, album_assets, album_assets.c.album_id == album_id, after, upper, limit)


def album_link_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(album_asset_audit).where(_accessible_link(me, album_asset_audit))
    return _page(conn, query, album_asset_audit.c.seq, after, upper, limit)


@dataclass(frozen=True)
class AlbumPass:
    """What one run sends of album assets (or their exif), so none goes out twice in a run.

    Memberships of `me` created at or after `fresh_from` are backfilled in this run with their
    links at or below `bound`; links at or below `bound` were known before the run, and assets
    changed after `update_after` go out as updates. `bound` is None on a first sync (nothing
    is backfilled or updated).
    """

    me: uuid.UUID
    fresh_from: int
    bound: int | None
    update_after: int


def _backfilled(p: AlbumPass, asset_id: Any, before_create: int) -> sa.ColumnElement[bool]:
    """The asset went out in the backfill of an album shared with `me` before `before_create`."""
    if p.bound is None:
        return sa.false()
    link, member = album_assets.alias("fresh_link"), album_users.alias("fresh_member")
    return sa.exists().where(
        link.c.asset_id == asset_id,
        link.c.update_seq <= p.bound,
        member.c.album_id == link.c.album_id,
        member.c.user_id == p.me,
        member.c.create_seq >= p.fresh_from,
        member.c.create_seq < before_create,
    )


def _known_in_album(me: uuid.UUID, asset_id: Any, created: int) -> sa.ColumnElement[bool]:
    known = album_assets.alias("known")
    return sa.exists().where(
        known.c.asset_id == asset_id,
        known.c.update_seq <= created,
        access.album_of(me, known.c.album_id),
    )


def _updated(p: AlbumPass, asset_id: Any, seq: Any, upper: int) -> sa.ColumnElement[bool]:
    """The row qualifies as an update in this run (`album_updates` also skips backfilled ones)."""
    if p.bound is None:
        return sa.false()
    return sa.and_(
        seq > p.update_after,
        seq <= upper,
        _known_in_album(p.me, asset_id, p.bound),
    )


def _newest_link(me: uuid.UUID, upper: int) -> sa.ColumnElement[bool]:
    """The link is the newest accessible one of its asset up to `upper`: one row per asset."""
    later = album_assets.alias("later")
    return ~sa.exists().where(
        later.c.asset_id == album_assets.c.asset_id,
        later.c.update_seq > album_assets.c.update_seq,
        later.c.update_seq <= upper,
        access.album_of(me, later.c.album_id),
    )


@dataclass(frozen=True)
class AlbumRows:
    """What an album stream sends per asset: the asset row or its exif row."""

    columns: Callable[[], tuple[sa.ColumnElement[Any], ...]]
    asset_id: sa.ColumnElement[Any]
    update_seq: sa.ColumnElement[Any]


ALBUM_ASSETS = AlbumRows(asset_columns, assets.c.id, assets.c.update_seq)
ALBUM_EXIF = AlbumRows(exif_columns, asset_exif.c.asset_id, asset_exif.c.update_seq)


def _linked(rows: AlbumRows) -> sa.Select[Any]:
    return sa.select(*rows.columns(), album_assets.c.update_seq.label("seq")).join(
        album_assets, album_assets.c.asset_id == rows.asset_id
    )


def _creates(rows: AlbumRows, p: AlbumPass, upper: int) -> sa.Select[Any]:
    return _linked(rows).where(
        _accessible_link(p.me, album_assets),
        _newest_link(p.me, upper),
        ~_backfilled(p, rows.asset_id, upper + 1),
        ~_updated(p, rows.asset_id, rows.update_seq, upper),
    )


def album_creates(
    conn: Connection, rows: AlbumRows, p: AlbumPass, after: int, upper: int, limit: int
) -> Rows:
    """Rows newly linked into albums `me` sees, unless backfilled or updated earlier in the run."""
    return _page(conn, _creates(rows, p, upper), album_assets.c.update_seq, after, upper, limit)


def _count(
    conn: Connection, query: sa.Select[Any], seq: sa.ColumnElement[Any], after: int, upper: int
) -> int:
    """How many rows all pages of `query` over `(after, upper]` hold."""
    counted = query.where(seq > after, seq <= upper).with_only_columns(
        sa.func.count(), maintain_column_froms=True
    )
    return int(conn.execute(counted).scalar_one())


def album_creates_count(conn: Connection, rows: AlbumRows, p: AlbumPass, after: int, upper: int) -> int:
    """How many rows `album_creates` pages through from `after`."""
    return _count(conn, _creates(rows, p, upper), album_assets.c.update_seq, after, upper)


def album_links_count(conn: Connection, me: uuid.UUID, after: int, upper: int) -> int:
    """How many rows `album_links` pages through from `after`."""
    query = sa.select(album_assets.c.album_id).where(_accessible_link(me, album_assets))
    return _count(conn, query, album_assets.c.update_seq, after, upper)


def own_count(conn: Connection, table: str, me: uuid.UUID, after: int, upper: int) -> int:
    """How many of the owner's asset or exif rows `own_assets`/`own_exif` page through."""
    t = assets if table == ASSETS.name else asset_exif
    query = sa.select(t.c.owner_id).where(t.c.owner_id == me)
    return _count(conn, query, t.c.update_seq, after, upper)


def album_updates(
    conn: Connection, rows: AlbumRows, p: AlbumPass, after: int, upper: int, limit: int
) -> Rows:
    """Rows whose album membership the client has (link at or below `bound`) that changed since."""
    if p.bound is None:
        return []
    query = sa.select(*rows.columns(), rows.update_seq.label("seq")).where(
        _known_in_album(p.me, rows.asset_id, p.bound), ~_backfilled(p, rows.asset_id, upper + 1)
    )
    return _page(conn, query, rows.update_seq, after, upper, limit)


def album_rows_of(
    conn: Connection,
    rows: AlbumRows,
    p: AlbumPass,
    album_id: uuid.UUID,
    create_seq: int,
    after: int,
    upper: int,
    limit: int,
) -> Rows:
    """Backfill of one album, less assets already backfilled from an album shared earlier in the run."""
    query = _linked(rows).where(
        album_assets.c.album_id == album_id, ~_backfilled(p, rows.asset_id, create_seq)
    )
    return _page(conn, query, album_assets.c.update_seq, after, upper, limit)


def album_asset_losses(
    conn: Connection,
    me: uuid.UUID,
    start: int,
    upper: int,
    cursor: tuple[int, uuid.UUID | None],
    limit: int,
) -> Rows:
    """Assets `me` saw through an album and can no longer see at all, once each, at their last loss.

    A loss is a link removed while `me` had its album (asset removed, asset deleted, album
    deleted; `access.saw_link_removal`) or `me` leaving an album (every asset it linked then),
    so nobody is told of an asset the album held only before they joined or after they left.
    Rows are `(asset_id, seq)` in `(start, upper]`, keyset-paged by `(seq, asset_id)` from
    `cursor` because one loss (leaving an album) can stand for many assets at one sequence number.
    """
    removed = sa.select(album_asset_audit.c.asset_id, album_asset_audit.c.seq).where(
        access.saw_link_removal(me),
        album_asset_audit.c.seq > start,
        album_asset_audit.c.seq <= upper,
    )
    left = (
        sa.select(album_assets.c.asset_id, album_audit.c.seq)
        .join(
            album_assets,
            sa.and_(
                album_assets.c.album_id == album_audit.c.album_id,
                album_assets.c.update_seq < album_audit.c.seq,  # linked while `me` had the album
            ),
        )
        .where(album_audit.c.user_id == me, album_audit.c.seq > start, album_audit.c.seq <= upper)
    )
    found = sa.union_all(removed, left).subquery()
    last = (
        sa.select(found.c.asset_id, sa.func.max(found.c.seq).label("seq"))
        .group_by(found.c.asset_id)
        .subquery()
    )
    after_seq, after_id = cursor
    position = last.c.seq > after_seq
    if after_id is not None:
        position = sa.or_(position, sa.and_(last.c.seq == after_seq, last.c.asset_id > after_id))
    query: sa.Select[Any] = (
        sa.select(last.c.asset_id, last.c.seq)
        .where(position, ~access.sync_sees(me, last.c.asset_id))
        .order_by(last.c.seq, last.c.asset_id)
        .limit(limit)
    )
    return conn.execute(query).all()


# --- user metadata ------------------------------------------------------------------------


def own_metadata(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(user_metadata, user_metadata.c.update_seq.label("seq")).where(
        user_metadata.c.user_id == me
    )
    return _page(conn, query, user_metadata.c.update_seq, after, upper, limit)


def own_metadata_deletes(conn: Connection, me: uuid.UUID, after: int, upper: int, limit: int) -> Rows:
    query = sa.select(user_metadata_audit).where(user_metadata_audit.c.user_id == me)
    return _page(conn, query, user_metadata_audit.c.seq, after, upper, limit)


# --- maintenance --------------------------------------------------------------------------


V2_ONLY_AUDIT = tuple(t for t in AUDIT_TABLES if t not in (asset_audit, partner_audit))
"""Tombstones only v2 reads; asset and partner tombstones also serve v1's longer window."""


def prune_audit(conn: Connection, before: datetime) -> int:
    """Delete v2-only tombstones older than `before`; returns rows removed."""
    return audit.prune(conn, V2_ONLY_AUDIT, before)
