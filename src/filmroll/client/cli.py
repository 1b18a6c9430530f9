"""`filmroll mirror`: keep a local replica (and optionally the files) of a library up to date.

`filmroll mirror URL TARGET` is short for `filmroll mirror run URL TARGET`. Exit codes: 0 all
done, 1 failed or incomplete (every missing file is named), 2 bad usage, 3 wrong folder.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from filmroll.client.connect import Credentials, connect
from filmroll.client.errors import AuthFailed, ClientError, ReplicaMismatch
from filmroll.client.http import FileKind
from filmroll.client.mirror import (
    Mirror,
    MirrorOptions,
    MirrorReport,
    open_replica,
    progress_bar,
    replica_path,
)
from filmroll.client.replica import Replica
from filmroll.client.verify import VerifyReport, verify

T = TypeVar("T")
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


class RunByDefault(TyperGroup):
    """Treat `mirror URL TARGET ...` as `mirror run URL TARGET ...`."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


mirror_app = typer.Typer(
    cls=RunByDefault,
    help="Mirror a filmroll or Immich library into a local folder (replica, originals, thumbnails).",
    no_args_is_help=True,
)

Url = Annotated[str, typer.Argument(help="Server URL, e.g. http://localhost:2283")]
Target = Annotated[Path, typer.Argument(help="Folder that holds the mirror.")]
Email = Annotated[str | None, typer.Option("--email", envvar="FILMROLL_EMAIL", help="Login email.")]
Password = Annotated[
    str | None, typer.Option("--password", envvar="FILMROLL_PASSWORD", help="Login password.")
]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="FILMROLL_API_KEY", help="API key (uses sync v1: v2 needs a login)."),
]


def _credentials(email: str | None, password: str | None, api_key: str | None) -> Credentials:
    if email and not password:
        password = typer.prompt("password", hide_input=True)
    return Credentials(email=email, password=password, api_key=api_key)


def _fail(exc: ClientError) -> typer.Exit:
    prefix = "login failed" if isinstance(exc, AuthFailed) and exc.status == 401 else "error"
    message = str(exc).removeprefix(f"{prefix}: ")
    err.print(f"[red]{prefix}:[/red] {message}")
    code = 3 if isinstance(exc, ReplicaMismatch) else 1
    return typer.Exit(code)


async def _with_api(
    url: str, target: Path, creds: Credentials, work: Callable[[Any, Replica], Awaitable[T]]
) -> T:
    replica = open_replica(target)
    try:
        api = await connect(url, replica, creds)
        try:
            return await work(api, replica)
        finally:
            await api.aclose()
    finally:
        replica.close()


def _summary(report: MirrorReport) -> str:
    stats = report.stats
    parts = []
    if stats is not None:
        kind = "full" if stats.full else "incremental"
        parts.append(f"synced with {stats.protocol} ({kind}, {stats.lines} lines)")
        for done in stats.repairs:
            parts.append(f"repaired by difference ({done.fetched} rows fetched, {done.deleted} deleted)")
    parts.append(f"{report.downloaded} files downloaded ({report.bytes:,} bytes)")
    if report.removed:
        parts.append(f"{report.removed} removed")
    if report.trashed:
        parts.append(f"{report.trashed} moved to .trash")
    if report.pruned:
        parts.append(f"{report.pruned} pruned")
    if report.failed:
        parts.append(f"{len(report.failed)} failed")
    if report.missing:
        parts.append(f"{len(report.missing)} missing")
    return ", ".join(parts)


def _print_report(report: MirrorReport) -> None:
    out.print(_summary(report))
    for kind, count in sorted(report.kept.items()):
        flag = "originals" if kind == "original" else "thumbnails"
        out.print(
            f"kept {count} {kind} files from earlier runs (not updated without --{flag}; "
            f"--prune-{flag} removes them)"
        )
    for line in report.failed:
        err.print(f"[red]failed:[/red] {escape(line)}")
    if report.missing:
        err.print(f"[red]{len(report.missing)} missing after this run[/red] (run again to retry):")
        for line in report.missing:
            err.print(f"  missing {escape(line)}")


def _prune_kinds(
    originals: bool, thumbnails: bool, prune_originals: bool, prune_thumbnails: bool
) -> tuple[FileKind, ...]:
    """Pruning is its own flag and cannot be combined with downloading the same kind."""
    for wanted, prune, name in (
        (originals, prune_originals, "originals"),
        (thumbnails, prune_thumbnails, "thumbnails"),
    ):
        if wanted and prune:
            raise typer.BadParameter(
                f"--{name} downloads {name}, --prune-{name} removes them: give one of them",
                param_hint=f"--prune-{name}",
            )
    kinds: list[FileKind] = []
    if prune_originals:
        kinds.append("original")
    if prune_thumbnails:
        kinds.append("thumbnail")
    return tuple(kinds)


@mirror_app.command("run")
def run(
    url: Url,
    target: Target,
    email: Email = None,
    password: Password = None,
    api_key: ApiKey = None,
    originals: Annotated[
        bool,
        typer.Option(
            "--originals",
            help="Download original files. Leaving it out keeps the originals already there "
            "(they are just not updated).",
        ),
    ] = False,
    thumbnails: Annotated[
        bool,
        typer.Option(
            "--thumbnails",
            help="Download thumbnails. Leaving it out keeps the thumbnails already there.",
        ),
    ] = False,
    prune_originals: Annotated[
        bool,
        typer.Option(
            "--prune-originals",
            help="Remove every original file this mirror downloaded (with --keep-deleted: move "
            "them to .trash/). Cannot be combined with --originals.",
        ),
    ] = False,
    prune_thumbnails: Annotated[
        bool,
        typer.Option(
            "--prune-thumbnails",
            help="Remove every thumbnail this mirror downloaded (with --keep-deleted: move them "
            "to .trash/). Cannot be combined with --thumbnails.",
        ),
    ] = False,
    keep_deleted: Annotated[
        bool,
        typer.Option(
            "--keep-deleted",
            help="Move removed files to .trash/ instead of deleting them. Files are removed only "
            "when their asset is deleted, trashed, locked or no longer shared on the server, "
            "or when a --prune option asks for it.",
        ),
    ] = False,
    watch: Annotated[
        float | None, typer.Option("--watch", min=1, help="Repeat every SECONDS until interrupted.")
    ] = None,
    batch_lines: Annotated[int, typer.Option("--batch-lines", min=1, hidden=True)] = 1000,
) -> None:
    """Sync the replica in TARGET with the server and mirror the chosen files.

    Files are removed only when the server says their asset is gone for you, or when you
    ask with --prune-originals / --prune-thumbnails. The run exits 1 and names every file it
    could not fetch; a wrong --password or --api-key stops it before anything changes.
    """
    prune = _prune_kinds(originals, thumbnails, prune_originals, prune_thumbnails)
    creds = _credentials(email, password, api_key)
    options = MirrorOptions(
        originals=originals,
        thumbnails=thumbnails,
        keep_deleted=keep_deleted,
        batch_lines=batch_lines,
        prune=prune,
    )
    try:
        _loop(url, target, creds, options, watch)
    except KeyboardInterrupt:
        err.print("interrupted; the next run resumes where this one stopped")
        raise typer.Exit(130) from None


def _loop(url: str, target: Path, creds: Credentials, options: MirrorOptions, watch: float | None) -> None:
    while True:
        try:
            report = asyncio.run(_mirror_once(url, target, creds, options))
        except ClientError as exc:
            if watch is None or isinstance(exc, AuthFailed | ReplicaMismatch):
                raise _fail(exc) from None
            err.print(f"[yellow]sync failed, retrying in {watch:g}s:[/yellow] {exc}")
        else:
            _print_report(report)
            if watch is None:
                raise typer.Exit(0 if report.complete else 1)
            creds = dataclasses.replace(creds, checked=True)
        time.sleep(watch)


async def _mirror_once(url: str, target: Path, creds: Credentials, options: MirrorOptions) -> MirrorReport:
    async def work(api: Any, replica: Replica) -> MirrorReport:
        with progress_bar(err.is_terminal, err) as progress:
            return await Mirror(api, replica, target, options, progress).run()

    return await _with_api(url, target, creds, work)


def _print_verify(report: VerifyReport) -> None:
    if report.method == "digests":
        types = ", ".join(report.streamed_types)
        out.print(f"compared by digests; {types} compared in full (they have no digests)")
    else:
        out.print(f"compared with a fresh sync v{report.protocol[1:]} copy")
    for table, diff in report.tables.items():
        if diff.clean:
            continue
        out.print(f"{table}: {len(diff.missing)} missing, {len(diff.extra)} extra, {len(diff.stale)} stale")
        for label, keys in (("missing", diff.missing), ("extra", diff.extra), ("stale", diff.stale)):
            for key in keys[:10]:
                out.print(f"  {label} {'/'.join(key)}")
    if report.missing_files:
        out.print(f"files: {len(report.missing_files)} missing on disk")
        for path in report.missing_files[:10]:
            out.print(f"  missing {path}")
    out.print("replica is in sync" if report.clean else "replica differs from the server")
    done = report.repaired
    if done is not None:
        out.print(
            f"repaired by difference ({done.fetched} rows fetched, {done.deleted} deleted, "
            f"{report.copied} copied from the check)"
        )
        out.print("replica now matches the server" if report.repaired_clean else "differences remain")


@mirror_app.command("verify")
def verify_command(
    url: Url,
    target: Target,
    email: Email = None,
    password: Password = None,
    api_key: ApiKey = None,
    repair: Annotated[
        bool,
        typer.Option(
            "--repair",
            help="Then fix the replica, fetching only the rows that differ (filmroll servers, v2).",
        ),
    ] = False,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Compare with a complete fresh copy instead of digests (also finds rows edited "
            "locally whose stored hash was kept; reads the whole library).",
        ),
    ] = False,
) -> None:
    """Compare the replica in TARGET with the server: missing, extra and stale rows (exit 1 if any;
    with --repair, exit 1 only if differences remain after repairing).

    A v2 replica on a filmroll server is compared by digests: a replica that matches reads only
    one digest per kind, plus a small stream of what has no digests (own user, partners, user
    metadata, album-only assets). v1 replicas (no digests in v1) and servers without digests
    (Immich) are compared with a complete fresh copy, as with --full."""
    creds = _credentials(email, password, api_key)
    if not replica_path(target).exists():
        err.print(f"[red]error:[/red] {target} holds no mirror yet; run `filmroll mirror run` first")
        raise typer.Exit(1)
    try:
        report = asyncio.run(
            _with_api(
                url, target, creds, lambda api, rep: verify(api, rep, target, repair_rows=repair, full=full)
            )
        )
    except ClientError as exc:
        raise _fail(exc) from None
    _print_verify(report)
    if report.remaining is not None:
        raise typer.Exit(0 if report.repaired_clean and not report.missing_files else 1)
    raise typer.Exit(0 if report.clean else 1)
