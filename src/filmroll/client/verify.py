"""Compare a replica with the server: fetch a fresh copy the same way and diff them row by row.

A v2 replica is checked against a new stream read by a short-lived child session (removed
afterwards), so the mirror's own checkpoints are untouched; a v1 replica against a fresh
full sync. Mirrored files are checked to still exist on disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from filmroll.client.errors import ClientError
from filmroll.client.http import Api
from filmroll.client.replica import TABLES, Replica
from filmroll.client.v1 import sync_v1
from filmroll.client.v2 import sync_v2

Key = tuple[str, ...]


@dataclass
class TableDiff:
    missing: list[Key] = field(default_factory=list)
    extra: list[Key] = field(default_factory=list)
    stale: list[Key] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale)


@dataclass
class VerifyReport:
    protocol: str
    tables: dict[str, TableDiff] = field(default_factory=dict)
    missing_files: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return all(d.clean for d in self.tables.values()) and not self.missing_files


def compare(local: Replica, server: Replica) -> dict[str, TableDiff]:
    """Per table: rows the server has and the replica lacks, the reverse, and differing rows."""
    result: dict[str, TableDiff] = {}
    for table in TABLES:
        mine, theirs = local.rows(table), server.rows(table)
        result[table] = TableDiff(
            missing=sorted(k for k in theirs if k not in mine),
            extra=sorted(k for k in mine if k not in theirs),
            stale=sorted(k for k, v in theirs.items() if k in mine and mine[k] != v),
        )
    return result


async def fresh_copy(api: Api, protocol: str) -> Replica:
    """What the server shows this user now, read with the replica's protocol into memory."""
    fresh = Replica()
    if protocol == "v1":
        await sync_v1(api, fresh)
        return fresh
    if api.token is None:
        raise ClientError("this replica was filled by sync v2; verifying it needs --email/--password")
    session_id, token = await api.create_session()
    try:
        async with Api(api.base, token=token) as child:
            await sync_v2(child, fresh)
    finally:
        await api.delete_session(session_id)
    return fresh


def missing_files(replica: Replica, target: Path) -> list[str]:
    rows = replica.conn.execute("SELECT path FROM files ORDER BY path")
    return [str(r[0]) for r in rows if not (target / str(r[0])).exists()]


async def verify(api: Api, replica: Replica, target: Path | None = None) -> VerifyReport:
    protocol = replica.get("mode")
    if protocol not in ("v1", "v2"):
        raise ClientError("nothing to verify: this folder has not been mirrored yet")
    fresh = await fresh_copy(api, protocol)
    try:
        report = VerifyReport(protocol, compare(replica, fresh))
    finally:
        fresh.close()
    if target is not None:
        report.missing_files = missing_files(replica, target)
    return report
