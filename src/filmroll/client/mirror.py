"""The mirror: sync the replica, then make the folder's files match it.

Files follow the replica, not the stream: after each complete sync the set of wanted files
(assets that are neither trashed nor locked) is compared with the `files` table, so deletes,
unshares, resets and replaced originals all end the same way. A file is only ever removed
because its asset is gone for this user, or because the user asked to prune its kind: a kind
a run does not download is left as it is. Downloads go to `<path>.part` (continued with a
conditional Range request next time), originals are checked against their SHA-1, and only
then renamed into place. Removed files are deleted, or moved under `.trash/`. Every run ends
by checking that each wanted asset has its file of each kind the run downloads.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from rich import filesize
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from filmroll.client.errors import ClientError
from filmroll.client.http import Api, FileKind
from filmroll.client.layout import (
    REPLICA_FILE,
    STATE_DIR,
    THUMB_SUFFIXES,
    TRASH_DIR,
    relative_path,
    thumb_suffix,
)
from filmroll.client.replica import Replica
from filmroll.client.sync import synchronize
from filmroll.client.v2 import BATCH_LINES, SyncStats

CONCURRENCY = 4
PART_META = "part:"
"""Meta key prefix: which asset, kind and server version of the file a `.part` holds."""


@dataclass(frozen=True)
class MirrorOptions:
    """What to fetch and what to remove; removing a kind needs `prune`, never just omitting it."""

    originals: bool = False
    thumbnails: bool = False
    keep_deleted: bool = False
    batch_lines: int = BATCH_LINES
    prune: tuple[FileKind, ...] = ()

    def __post_init__(self) -> None:
        both = sorted(set(self.prune) & set(self.kinds))
        if both:
            raise ValueError(f"cannot both download and prune {', '.join(both)} files")

    @property
    def kinds(self) -> tuple[FileKind, ...]:
        kinds: list[FileKind] = []
        if self.originals:
            kinds.append("original")
        if self.thumbnails:
            kinds.append("thumbnail")
        return tuple(kinds)


@dataclass
class MirrorReport:
    stats: SyncStats | None = None
    downloaded: int = 0
    bytes: int = 0
    removed: int = 0
    trashed: int = 0
    pruned: int = 0
    kept: dict[str, int] = field(default_factory=dict)
    """Files of kinds this run neither downloads nor prunes, left in place."""
    failed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Wanted files still absent after the run: `<kind> <asset id> (<file name>)`."""

    @property
    def complete(self) -> bool:
        return not (self.failed or self.missing)


def replica_path(target: Path) -> Path:
    return target / STATE_DIR / REPLICA_FILE


def open_replica(target: Path) -> Replica:
    return Replica(replica_path(target))


def wanted(asset: Mapping[str, Any]) -> bool:
    """Trashed assets count as deleted; locked ones stay off disk (they are hidden on purpose)."""
    trashed = bool(asset.get("isTrashed")) or asset.get("deletedAt") is not None
    return not trashed and asset.get("visibility") != "locked"


def sha1_b64(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def describe(asset: Mapping[str, Any], kind: str) -> str:
    return f"{kind} {asset['id']} ({asset.get('originalFileName')})"


def _prune_empty(folder: Path, stop: Path) -> None:
    while folder != stop and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


class Mirror:
    """One target folder and one server login."""

    def __init__(
        self,
        api: Api,
        replica: Replica,
        target: Path,
        options: MirrorOptions,
        progress: Progress | None = None,
    ) -> None:
        self.api = api
        self.replica = replica
        self.target = target
        self.options = options
        self.progress = progress
        self._sem = asyncio.Semaphore(CONCURRENCY)

    async def run(self) -> MirrorReport:
        report = MirrorReport()
        report.stats = await self.sync()
        if report.stats.protocol == "v2":
            # Built once, after the first sync (a few seconds per million assets), so that even
            # the first `verify` reads the digests it needs from them; SQLite keeps them since.
            self.replica.digest_indexes()
        self.remove_unwanted(report)
        await self.download_missing(report)
        self.check_complete(report)
        return report

    # -- sync -----------------------------------------------------------------------------------

    async def sync(self) -> SyncStats:
        task = self._task("syncing", total=None, unit="lines")

        def advance(_entity_type: str, count: int) -> None:
            if self.progress is not None and task is not None:
                self.progress.advance(task, count)

        def total(lines: int) -> None:
            """The server's count of the coming stream: a real bar with an ETA (a stream that
            starts over after a reset adds its own count)."""
            if self.progress is not None and task is not None:
                done = self.progress.tasks[task].completed
                self.progress.update(task, total=done + lines)

        try:
            return await synchronize(
                self.api,
                self.replica,
                batch_lines=self.options.batch_lines,
                on_batch=advance,
                on_total=total,
            )
        finally:
            if self.progress is not None and task is not None:
                self.progress.update(task, total=self.progress.tasks[task].completed)

    def _task(self, description: str, total: float | None, unit: str = "files") -> TaskID | None:
        if self.progress is None:
            return None
        return self.progress.add_task(description, total=total, unit=unit)

    # -- local files ----------------------------------------------------------------------------

    def _files(self) -> dict[tuple[str, str], tuple[str, str | None]]:
        rows = self.replica.conn.execute("SELECT asset_id, kind, path, checksum FROM files")
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def _targets(self) -> dict[tuple[str, str], dict[str, Any]]:
        kinds = self.options.kinds
        return {(str(a["id"]), kind): a for a in self.replica.assets() if wanted(a) for kind in kinds}

    def remove_unwanted(self, report: MirrorReport) -> None:
        """Drop local copies of assets that are gone, trashed, unshared or locked, and of
        pruned kinds.

        Files of a kind this run does not download are otherwise kept: omitting `--originals`
        must never cost the user the originals an earlier run fetched. A replaced original
        stays until its new version is complete (see `plan`).
        """
        assets = {str(a["id"]): a for a in self.replica.assets()}
        for key, (path, _checksum) in self._files().items():
            asset_id, kind = key
            asset = assets.get(asset_id)
            pruned = False
            if asset is not None and wanted(asset):
                pruned = kind in self.options.prune
                if not pruned:
                    if kind not in self.options.kinds:
                        report.kept[kind] = report.kept.get(kind, 0) + 1
                    continue
            self._discard(path, report, pruned=pruned)
            with self.replica.transaction() as conn:
                conn.execute("DELETE FROM files WHERE asset_id = ? AND kind = ?", list(key))

    def _discard(self, relative: str, report: MirrorReport, *, pruned: bool = False) -> None:
        source = self.target / relative
        if not source.exists():
            return
        if self.options.keep_deleted:
            self._to_trash(relative)
        else:
            source.unlink()
        if pruned:
            report.pruned += 1
        elif self.options.keep_deleted:
            report.trashed += 1
        else:
            report.removed += 1
        _prune_empty(source.parent, self.target)

    def _to_trash(self, relative: str) -> None:
        source = self.target / relative
        dest = self.target / TRASH_DIR / relative
        dest.parent.mkdir(parents=True, exist_ok=True)
        counter = 1
        while dest.exists():
            dest = dest.with_name(f"{source.stem}~{counter}{source.suffix}")
            counter += 1
        os.replace(source, dest)

    def check_complete(self, report: MirrorReport) -> None:
        """Name every wanted file of the kinds this run downloads that is not on disk.

        Only a row in `files` whose file exists counts (a `.part` is never a finished file),
        and for originals only the version the server has now.
        """
        for (_asset_id, kind), asset, current in self._gaps():
            older = ", an older version is kept" if current is not None else ""
            report.missing.append(describe(asset, kind) + older)

    def _gaps(self) -> list[tuple[tuple[str, str], dict[str, Any], str | None]]:
        """Wanted files that are not on disk as the server has them, in a fixed order: with the
        path of the outdated original kept meanwhile, or None when there is no finished file."""
        present = self._files()
        gaps: list[tuple[tuple[str, str], dict[str, Any], str | None]] = []
        for key, asset in sorted(self._targets().items()):
            row = present.get(key)
            if row is None or not (self.target / row[0]).is_file():
                gaps.append((key, asset, None))
            elif key[1] == "original" and row[1] != asset.get("checksum"):
                gaps.append((key, asset, row[0]))
        return gaps

    def _taken(self, kind: str, reserved: set[str], paths: set[str]) -> Callable[[str], bool]:
        def taken(path: str) -> bool:
            if path in reserved:
                return True
            if kind == "thumbnail":
                names = {path + ext for ext in THUMB_SUFFIXES}
                return bool(names & paths) or any((self.target / n).exists() for n in names)
            return path in paths or (self.target / path).exists()

        return taken

    def plan(self) -> list[tuple[dict[str, Any], FileKind, str, bool]]:
        """Missing files and their paths, chosen in a fixed order so an interrupted run's
        `.part` files are picked up again by the same assets.

        An original whose checksum changed on the server is fetched again to its current path
        (the last item is True): the old version is replaced only once the new one is complete.
        """
        missing = self._gaps()
        with self.replica.transaction() as conn:
            for key, _asset, current in missing:
                if current is None:
                    conn.execute("DELETE FROM files WHERE asset_id = ? AND kind = ?", list(key))
        reserved: set[str] = set()
        paths = {r[0] for r in self.replica.conn.execute("SELECT path FROM files")}
        plans: list[tuple[dict[str, Any], FileKind, str, bool]] = []
        for (_asset_id, kind), asset, current in missing:
            file_kind: FileKind = "original" if kind == "original" else "thumbnail"
            base = current or relative_path(asset, kind, self._taken(kind, reserved, paths))
            reserved.add(base)
            plans.append((asset, file_kind, base, current is not None))
        return plans

    async def download_missing(self, report: MirrorReport) -> None:
        plans = self.plan()
        if not plans:
            return
        files_task = self._task("files", total=len(plans))
        bytes_task = self._task("downloading", total=None, unit="bytes")

        def moved(count: int) -> None:
            report.bytes += count
            if self.progress is not None and bytes_task is not None:
                self.progress.advance(bytes_task, count)

        async def one(asset: dict[str, Any], kind: FileKind, base: str, replacing: bool) -> None:
            async with self._sem:
                try:
                    if await self.fetch(asset, kind, base, moved, replacing=replacing):
                        report.trashed += 1
                    report.downloaded += 1
                except (ClientError, OSError) as exc:
                    report.failed.append(f"{describe(asset, kind)}: {exc}")
            if self.progress is not None and files_task is not None:
                self.progress.advance(files_task, 1)

        await asyncio.gather(*(one(*plan) for plan in plans))

    async def fetch(
        self,
        asset: dict[str, Any],
        kind: FileKind,
        base: str,
        moved: Callable[[int], None],
        *,
        replacing: bool = False,
    ) -> bool:
        """Download one file into `<base>.part`, check it, and only then rename it into place
        (over the old version when `replacing`, which `--keep-deleted` moves to `.trash/`
        first); True when an old version went to `.trash/`."""
        asset_id = str(asset["id"])
        part = self.target / f"{base}.part"
        part.parent.mkdir(parents=True, exist_ok=True)
        meta_key = PART_META + base
        owner = [asset_id, kind]

        def started(validator: str | None) -> None:
            self.replica.put(meta_key, orjson.dumps([*owner, validator]).decode() if validator else None)

        for attempt in range(2):
            content_type = await self.api.download(
                asset_id,
                kind,
                part,
                moved,
                validator=self._validator(meta_key, owner, part),
                on_start=started,
            )
            if kind != "original" or sha1_b64(part) == asset.get("checksum"):
                break
            part.unlink(missing_ok=True)
            self.replica.put(meta_key, None)
            if attempt == 1:
                raise ClientError("checksum mismatch after download")
        final = base if kind == "original" else base + thumb_suffix(content_type)
        trashed = replacing and self.options.keep_deleted and (self.target / final).is_file()
        if trashed:
            self._to_trash(final)
        os.replace(part, self.target / final)
        checksum = str(asset.get("checksum")) if kind == "original" else None
        with self.replica.transaction() as conn:
            conn.execute(
                "INSERT INTO files (asset_id, kind, path, checksum) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (asset_id, kind) DO UPDATE SET path = excluded.path, "
                "checksum = excluded.checksum",
                [asset_id, kind, final, checksum],
            )
            self.replica.put(meta_key, None, conn)
        return trashed

    def _validator(self, meta_key: str, owner: list[str], part: Path) -> str | None:
        """The server version a `.part` was started from, if this asset and kind started it."""
        stored = self.replica.get(meta_key)
        if stored is None or not part.exists():
            return None
        try:
            asset_id, kind, validator = orjson.loads(stored)
        except (orjson.JSONDecodeError, ValueError, TypeError):
            return None
        return str(validator) if [asset_id, kind] == owner and validator else None


class CountColumn(ProgressColumn):
    """`done/total unit` with the unit each task declares (lines, files, bytes)."""

    def render(self, task: Task) -> Text:
        unit = str(task.fields.get("unit", ""))
        if unit == "bytes":
            return Text(filesize.decimal(int(task.completed)))
        total = f"/{int(task.total)}" if task.total is not None else ""
        return Text(f"{int(task.completed)}{total} {unit}")


class RateColumn(ProgressColumn):
    """Throughput per second in the task's unit."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        if speed is None:
            return Text("")
        if task.fields.get("unit") == "bytes":
            return Text(f"{filesize.decimal(int(speed))}/s")
        return Text(f"{speed:,.0f} {task.fields.get('unit', '')}/s")


def progress_bar(enabled: bool, console: Console | None = None) -> Progress:
    """Counts and rates for syncing (lines), files and bytes."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        CountColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=console,
        disable=not enabled,
    )
