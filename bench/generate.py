"""Bulk data generator: users, assets with EXIF, partners, albums and stacks.

Rows are written through `filmroll.db.schema` and stamped by the change clock
(`clock.reserve` once per batch), so everything it writes is valid for both sync protocols.
SQLite gets `executemany` batches; PostgreSQL gets `COPY ... FROM STDIN` on the raw psycopg
connection, which is what makes a million assets load in a few minutes.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from filmroll.db import clock, schema
from filmroll.ids import new_id
from filmroll.security import hash_password
from filmroll.sync.forms.queries import TABLES
from filmroll.sync.forms.renderer import render_batch

BATCH = 10_000
PASSWORD = "bench-password"
CAMERAS = (
    ("Apple", "iPhone 13 Pro", "iPhone 13 Pro back triple camera 5.7mm f/1.5"),
    ("Google", "Pixel 7", None),
    ("SONY", "ILCE-7M3", "FE 24-70mm F2.8 GM"),
    ("Canon", "Canon EOS R6", "RF24-105mm F4 L IS USM"),
    ("samsung", "SM-S911B", None),
)
PLACES = (
    (48.8566, 2.3522, "Paris", "Ile-de-France", "France"),
    (52.52, 13.405, "Berlin", "Berlin", "Germany"),
    (40.7128, -74.006, "New York City", "New York", "United States of America"),
    (35.6762, 139.6503, "Tokyo", "Tokyo", "Japan"),
    (None, None, None, None, None),
)


@dataclass
class BenchUser:
    id: uuid.UUID
    email: str
    password: str = PASSWORD


@dataclass
class Library:
    """What the generator made: the bench user owns `size` assets; the others a few each."""

    users: list[BenchUser]
    size: int
    asset_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def owner(self) -> BenchUser:
        return self.users[0]

    @property
    def timeline_ids(self) -> list[str]:
        """The owner and every user sharing with it: the `userIds` a v1 delta sync must send."""
        return [str(u.id) for u in self.users]


def _batches(total: int, size: int = BATCH) -> Iterator[tuple[int, int]]:
    for start in range(0, total, size):
        yield start, min(size, total - start)


def _write(conn: Connection, table: sa.Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert one batch: COPY on PostgreSQL, one executemany on SQLite."""
    if not rows:
        return
    columns = list(rows[0])
    if conn.dialect.name != "postgresql":
        _sqlite_executemany(conn, table, columns, rows)
        return
    names = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _sqlite_converter(column: sa.Column[Any]) -> Callable[[Any], Any] | None:
    """The storage form SQLAlchemy uses on SQLite for this column's type (None: as is)."""
    if isinstance(column.type, sa.Uuid):
        return lambda v: None if v is None else v.hex
    if isinstance(column.type, sa.DateTime):
        return lambda v: None if v is None else v.isoformat(sep=" ", timespec="microseconds")
    return None


def _sqlite_executemany(
    conn: Connection, table: sa.Table, columns: list[str], rows: Sequence[dict[str, Any]]
) -> None:
    """One DBAPI executemany of the schema's compiled INSERT, skipping SQLAlchemy's per-value
    bind processing, which costs more than SQLite's own insert work at these volumes."""
    compiled = table.insert().values({c: sa.bindparam(c) for c in columns}).compile(dialect=conn.dialect)
    order = list(compiled.positiontup or columns)
    plain = [i for i, c in enumerate(order) if _sqlite_converter(table.c[c]) is None]
    converted = [(i, c, _sqlite_converter(table.c[c])) for i, c in enumerate(order) if i not in plain]
    params = []
    for row in rows:
        values = [row[c] for c in order]
        for i, c, fn in converted:
            assert fn is not None
            values[i] = fn(row[c])
        params.append(tuple(values))
    conn.exec_driver_sql(str(compiled), params)


def _stamped(
    engine: Engine, table: sa.Table, total: int, make: Callable[[int, clock.Stamp, int], dict[str, Any]]
) -> None:
    """Write `total` rows of `table` in clock-stamped batches; `make(index, stamp, i)` builds a row."""
    for start, count in _batches(total):
        with engine.begin() as conn:
            stamp = clock.reserve(conn, count)
            _write(conn, table, [make(start + i, stamp, i) for i in range(count)])


def _users(engine: Engine, count: int) -> list[BenchUser]:
    hashed = hash_password(PASSWORD)
    users = [BenchUser(uuid.uuid4(), f"bench{n}@example.com") for n in range(count)]
    with engine.begin() as conn:
        stamp = clock.reserve(conn, count)
        rows = [
            {
                "id": u.id,
                "email": u.email,
                "name": f"Bench {n}",
                "password_hash": hashed,
                "is_admin": n == 0,
                "avatar_color": "primary",
                "profile_image_path": "",
                "profile_changed_at": stamp.at_at(n),
                "should_change_password": False,
                "is_onboarded": True,
                "oauth_id": "",
                "quota_usage_in_bytes": 0,
                "created_at": stamp.at_at(n),
                "updated_at": stamp.at_at(n),
                "update_seq": stamp.seq_at(n),
            }
            for n, u in enumerate(users)
        ]
        conn.execute(schema.users.insert(), rows)
    return users


def _asset_row(
    rng: random.Random, asset_id: uuid.UUID, owner: uuid.UUID, n: int, stamp: clock.Stamp, i: int
) -> dict[str, Any]:
    taken = datetime(2015, 1, 1) + timedelta(seconds=n * 317 + rng.randrange(300))
    video = n % 25 == 0
    ext = "mp4" if video else "jpg"
    name = f"{'VID' if video else 'IMG'}_{n:07d}.{ext}"
    return {
        "id": asset_id,
        "owner_id": owner,
        "device_asset_id": f"{name}-{n}",
        "device_id": "bench-device",
        "type": "VIDEO" if video else "IMAGE",
        "original_path": f"upload/{owner}/{asset_id.hex[:2]}/{asset_id}.{ext}",
        "original_file_name": name,
        "checksum": hashlib.sha1(asset_id.bytes).digest(),
        "file_size": 1_500_000 + rng.randrange(6_000_000),
        "file_created_at": taken,
        "file_modified_at": taken,
        "local_date_time": taken + timedelta(hours=2),
        "created_at": stamp.at_at(i),
        "updated_at": stamp.at_at(i),
        "deleted_at": None,
        "is_favorite": n % 17 == 0,
        "visibility": "archive" if n % 41 == 0 else "timeline",
        "ever_timeline": n % 41 != 0,
        "is_offline": False,
        "is_edited": False,
        "duration": "0:00:12.000000" if video else "0:00:00.00000",
        "thumbhash": rng.randbytes(25),
        "width": 4032,
        "height": 3024,
        "preview_path": f"thumbs/{owner}/{asset_id}-preview.jpeg",
        "thumbnail_path": f"thumbs/{owner}/{asset_id}-thumbnail.webp",
        "update_seq": stamp.seq_at(i),
    }


def _exif_row(
    rng: random.Random, asset: dict[str, Any], n: int, stamp: clock.Stamp, i: int
) -> dict[str, Any]:
    make, model, lens = CAMERAS[n % len(CAMERAS)]
    lat, lon, city, state, country = PLACES[n % len(PLACES)]
    return {
        "owner_id": asset["owner_id"],
        "asset_id": asset["id"],
        "file_created_at": asset["file_created_at"],
        "make": make,
        "model": model,
        "lens_model": lens,
        "exif_image_width": 4032,
        "exif_image_height": 3024,
        "file_size_in_byte": asset["file_size"],
        "orientation": "1",
        "date_time_original": asset["file_created_at"],
        "modify_date": asset["file_modified_at"],
        "time_zone": "UTC+2",
        "f_number": 1.8,
        "focal_length": 5.7,
        "iso": 50 + rng.randrange(3200),
        "exposure_time": "1/120",
        "latitude": lat,
        "longitude": lon,
        "city": city,
        "state": state,
        "country": country,
        "description": "",
        "projection_type": None,
        "profile_description": "Display P3",
        "rating": None,
        "fps": 30.0 if asset["type"] == "VIDEO" else None,
        "updated_at": stamp.at_at(i),
        "update_seq": stamp.seq_at(i),
    }


ID_EPOCH_MS = 1_735_689_600_000
"""2025-01-01: generated ids count milliseconds from here, as if uploaded one per millisecond."""


def _new_ids(rng: random.Random, count: int) -> list[uuid.UUID]:
    """Time-ordered ids, as the server makes them (`filmroll.ids`), in insertion order."""
    base = ID_EPOCH_MS + rng.getrandbits(32)
    return [new_id(base + i, rng.getrandbits(80)) for i in range(count)]


def _assets(
    engine: Engine,
    rng: random.Random,
    owner: uuid.UUID,
    ids: list[uuid.UUID],
    offset: int,
    stack_of: dict[int, uuid.UUID],
) -> None:
    """Assets with their EXIF rows, each batch in one transaction with one clock reservation."""
    for start, count in _batches(len(ids)):
        with engine.begin() as conn:
            stamp = clock.reserve(conn, 2 * count)
            rows = []
            for i in range(count):
                row = _asset_row(rng, ids[start + i], owner, offset + start + i, stamp, i)
                row["stack_id"] = stack_of.get(start + i)
                rows.append(row)
            _write(conn, schema.assets, rows)
            exif = [_exif_row(rng, rows[i], offset + start + i, stamp, count + i) for i in range(count)]
            _write(conn, schema.asset_exif, exif)


def _partners(engine: Engine, users: list[BenchUser]) -> None:
    """The owner shares with every other user; the others share back, outside the timeline."""
    pairs = [(users[0].id, u.id, True) for u in users[1:]] + [(u.id, users[0].id, False) for u in users[1:]]
    with engine.begin() as conn:
        stamp = clock.reserve(conn, len(pairs))
        rows = [
            {
                "shared_by_id": by,
                "shared_with_id": to,
                "in_timeline": in_timeline,
                "created_at": stamp.at_at(i),
                "updated_at": stamp.at_at(i),
                "create_seq": stamp.seq_at(i),
                "update_seq": stamp.seq_at(i),
            }
            for i, (by, to, in_timeline) in enumerate(pairs)
        ]
        conn.execute(schema.partners.insert(), rows)


def _stacks(engine: Engine, owner: uuid.UUID, asset_ids: list[uuid.UUID]) -> dict[int, uuid.UUID]:
    """Every 50th asset heads a stack of three consecutive assets; returns asset index -> stack."""
    heads = list(range(0, len(asset_ids) - 2, 50))
    stack_ids = [uuid.uuid4() for _ in heads]
    _stamped(
        engine,
        schema.stacks,
        len(heads),
        lambda n, stamp, i: {
            "id": stack_ids[n],
            "owner_id": owner,
            "primary_asset_id": asset_ids[heads[n]],
            "created_at": stamp.at_at(i),
            "updated_at": stamp.at_at(i),
            "update_seq": stamp.seq_at(i),
        },
    )
    return {head + k: stack_ids[n] for n, head in enumerate(heads) for k in range(3)}


def _albums(engine: Engine, users: list[BenchUser], asset_ids: list[uuid.UUID]) -> None:
    """One album per 1,000 assets (at least one), each holding up to 200 of them, shared with user 1."""
    owner = users[0].id
    count = max(1, len(asset_ids) // 1000)
    album_ids = [uuid.uuid4() for _ in range(count)]
    shared_with = users[1].id if len(users) > 1 else None
    with engine.begin() as conn:
        stamp = clock.reserve(conn, 2 * count)
        rows = [
            {
                "id": album_ids[i],
                "owner_id": owner,
                "name": f"Album {i}",
                "description": "",
                "thumbnail_asset_id": asset_ids[i * 1000] if asset_ids else None,
                "is_activity_enabled": True,
                "order": "desc",
                "created_at": stamp.at_at(i),
                "updated_at": stamp.at_at(i),
                "update_seq": stamp.seq_at(i),
            }
            for i in range(count)
        ]
        _write(conn, schema.albums, rows)
        if shared_with is not None:
            members = [
                {
                    "album_id": album_ids[i],
                    "user_id": shared_with,
                    "role": "editor" if i % 2 else "viewer",
                    "created_at": stamp.at_at(count + i),
                    "updated_at": stamp.at_at(count + i),
                    "create_seq": stamp.seq_at(count + i),
                    "update_seq": stamp.seq_at(count + i),
                }
                for i in range(count)
            ]
            _write(conn, schema.album_users, members)
    links = [
        (album_ids[i], asset_ids[i * 1000 + k]) for i in range(count) for k in range(min(200, len(asset_ids)))
    ]
    _stamped(
        engine,
        schema.album_assets,
        len(links),
        lambda n, stamp, i: {
            "album_id": links[n][0],
            "asset_id": links[n][1],
            "created_at": stamp.at_at(i),
            "update_seq": stamp.seq_at(i),
        },
    )


def generate(engine: Engine, size: int, users: int = 3, seed: int = 1) -> Library:
    """Fill an empty, migrated database: the bench user (an admin) owns `size` assets.

    PostgreSQL gets the VACUUM ANALYZE that autovacuum runs on a long-lived library after a
    bulk load (without the VACUUM, index-only scans still visit the rows of every page the
    load touched, which no library at rest does); SQLite is left as filmroll itself leaves
    it. Stored wire forms are rendered as the server's background renderer would have done
    before anyone syncs.
    """
    rng = random.Random(seed)
    people = _users(engine, users)
    library = Library(users=people, size=size, asset_ids=_new_ids(rng, size))
    stack_of = _stacks(engine, people[0].id, library.asset_ids)
    _assets(engine, rng, people[0].id, library.asset_ids, 0, stack_of)
    for n, user in enumerate(people[1:], start=1):
        _assets(engine, rng, user.id, _new_ids(rng, max(100, size // 50)), size * n, {})
    _partners(engine, people)
    _albums(engine, people, library.asset_ids)
    render_forms(engine)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return library


def render_forms(engine: Engine, batch: int = 5000) -> None:
    """Bring every stored wire form up to date, in batches of `batch` rows per transaction."""
    for table in TABLES:
        with engine.connect() as conn:
            upper = clock.current(conn)
        after = 0
        while after < upper:
            with engine.begin() as conn:
                _count, after = render_batch(conn, table, after, upper, batch)


def change_assets(
    engine: Engine, asset_ids: Sequence[uuid.UUID], count: int, seed: int = 7
) -> tuple[datetime, int]:
    """Edit `count` of the owner's assets and their EXIF through the clock, in one transaction.

    Returns a time just before the first change (a delta sync `updatedAfter` that sees them
    all) and the clock value just before it (a v2 checkpoint that sees them all).
    """
    rng = random.Random(seed)
    chosen = rng.sample(list(asset_ids), count)
    with engine.begin() as conn:
        stamp = clock.reserve(conn, 2 * count)
        for i, asset_id in enumerate(chosen):
            conn.execute(
                schema.assets.update()
                .where(schema.assets.c.id == asset_id)
                .values(
                    is_favorite=sa.not_(schema.assets.c.is_favorite),
                    update_seq=stamp.seq_at(i),
                    updated_at=stamp.at_at(i),
                )
            )
            conn.execute(
                schema.asset_exif.update()
                .where(schema.asset_exif.c.asset_id == asset_id)
                .values(
                    description=f"edited {rng.randrange(10**9)}",
                    update_seq=stamp.seq_at(count + i),
                    updated_at=stamp.at_at(count + i),
                )
            )
    return stamp.at - timedelta(microseconds=1), stamp.seq - 1
