"""The `filmroll` command: serve, migrate, manage users, export the OpenAPI document."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import uvicorn
from rich.console import Console
from rich.table import Table

from filmroll.client.cli import mirror_app
from filmroll.config import Settings, SettingsError, load_settings

app = typer.Typer(
    help="filmroll: a self-hosted photo library server that speaks the Immich API.", no_args_is_help=True
)
user_app = typer.Typer(help="Manage users (operator commands, no login needed).", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(mirror_app, name="mirror")
console = Console()
log = logging.getLogger("filmroll.worker")
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Data directory [FILMROLL_DATA_DIR].")]
DbUrl = Annotated[str | None, typer.Option("--database-url", help="Database URL [FILMROLL_DATABASE_URL].")]


def _settings(**flags: Any) -> Settings:
    try:
        return load_settings(**flags)
    except SettingsError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc


def _prepare(settings: Settings) -> None:
    from filmroll.db.migrate import upgrade

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address [FILMROLL_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port [FILMROLL_PORT].")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
    log_level: Annotated[str | None, typer.Option(help="Log level [FILMROLL_LOG_LEVEL].")] = None,
    workers: Annotated[
        int | None, typer.Option(help="API processes sharing the port [FILMROLL_WORKERS].")
    ] = None,
) -> None:
    """Migrate the database if needed and run the HTTP server (with `--workers N`, N processes
    on one port, each with its share of the background jobs unless FILMROLL_JOBS_ENABLED=false)."""
    from filmroll.app import create_app

    flags = {"host": host, "port": port, "data_dir": data_dir, "database_url": database_url}
    flags |= {"log_level": log_level, "workers": workers}
    settings = _settings(**flags)
    _prepare(settings)
    if settings.workers == 1:
        app_ = create_app(settings)
        uvicorn.run(app_, host=settings.host, port=settings.port, log_level=settings.log_level)
        return
    # uvicorn's supervisor (no extra dependency, restarts a process that dies) spawns each
    # process afresh: they read their settings from the environment.
    for name, value in flags.items():
        if value is not None:
            os.environ[f"FILMROLL_{name.upper()}"] = str(value)
    uvicorn.run(
        "filmroll.cli:app_from_environment",
        factory=True,
        workers=settings.workers,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
    )


def app_from_environment() -> Any:
    """The app of one `serve --workers` process, built from `FILMROLL_*` variables."""
    from filmroll.app import create_app

    return create_app(_settings())


@app.command()
def worker(
    data_dir: DataDir = None,
    database_url: DbUrl = None,
    log_level: Annotated[str | None, typer.Option(help="Log level [FILMROLL_LOG_LEVEL].")] = None,
    concurrency: Annotated[
        int | None, typer.Option(help="Jobs run at once [FILMROLL_JOB_CONCURRENCY].")
    ] = None,
) -> None:
    """Run background jobs only, no HTTP: metadata, thumbnails, stored sync forms, daily
    maintenance and memories. Any number of workers on any hosts share the queue; API
    processes can then run with `FILMROLL_JOBS_ENABLED=false`. Live events go out through
    `FILMROLL_REDIS_URL`. Stops cleanly on SIGTERM or SIGINT (running jobs go back to the
    queue)."""
    settings = _settings(
        data_dir=data_dir, database_url=database_url, log_level=log_level, job_concurrency=concurrency
    )
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _prepare(settings)
    asyncio.run(_work(settings))


async def _work(settings: Settings) -> None:
    from filmroll.api.socketio import PublishOnly
    from filmroll.app import build_services, shut_down, start_background

    svc = build_services(settings)
    if settings.redis_url is not None:
        svc.events.attach(PublishOnly(settings.redis_url))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await start_background(svc)
    log.info("worker %s running jobs", svc.jobs.worker_id)
    try:
        await stop.wait()
    finally:
        await shut_down(svc)


@app.command()
def migrate(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Create or upgrade the database schema."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    _prepare(settings)
    console.print("database is at the latest schema")


@app.command("openapi")
def openapi(
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
) -> None:
    """Print the OpenAPI document that the server serves at /api/openapi.json."""
    from filmroll.app import create_app

    text = json.dumps(create_app(Settings()).openapi(), indent=2, sort_keys=True) + "\n"
    if output:
        output.write_text(text)
    else:
        sys.stdout.write(text)


def _run(settings: Settings, coro_factory: Any) -> Any:
    from filmroll.app import build_services

    _prepare(settings)
    svc = build_services(settings)
    try:
        return asyncio.run(coro_factory(svc))
    finally:
        svc.db.dispose()


@user_app.command("create")
def user_create(
    email: str,
    name: Annotated[str, typer.Option(help="Display name.")],
    password: Annotated[
        str, typer.Option(prompt=True, hide_input=True, help="Password (prompted if absent).")
    ],
    admin: Annotated[bool, typer.Option("--admin", help="Make the user an administrator.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Create a user."""
    from filmroll.errors import AppError

    settings = _settings(data_dir=data_dir, database_url=database_url)
    fields = {"email": email, "name": name, "password": password, "isAdmin": admin}
    try:
        row = _run(settings, lambda svc: svc.users.create(fields))
    except AppError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    console.print(f"created {row.email} ({row.id}){' as admin' if row.is_admin else ''}")


@user_app.command("list")
def user_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List users, including soft-deleted ones."""
    settings = _settings(data_dir=data_dir, database_url=database_url)
    rows = _run(settings, lambda svc: svc.users.list(with_deleted=True))
    table = Table("id", "email", "name", "admin", "deleted")
    for row in rows:
        table.add_row(
            str(row.id), row.email, row.name, "yes" if row.is_admin else "", str(row.deleted_at or "")
        )
    console.print(table)


async def _find(svc: Any, email: str) -> Any:
    from filmroll.repositories import users

    row = await svc.db.read(lambda c: users.get_by_email(c, email.lower(), with_deleted=True))
    if row is None:
        err.print(f"[red]no user {email}[/red]")
        raise typer.Exit(1)
    return row


@user_app.command("set-password")
def user_set_password(
    email: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Set a user's password."""
    settings = _settings(data_dir=data_dir, database_url=database_url)

    async def change(svc: Any) -> None:
        row = await _find(svc, email)
        await svc.users.update(row.id, {"password": password}, by_admin=True)

    _run(settings, change)
    console.print(f"password changed for {email}")


@user_app.command("delete")
def user_delete(
    email: str,
    force: Annotated[bool, typer.Option("--force", help="Delete for good instead of soft delete.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Delete a user (soft delete unless --force)."""
    from filmroll.repositories import users as users_repo

    settings = _settings(data_dir=data_dir, database_url=database_url)

    async def delete(svc: Any) -> None:
        row = await _find(svc, email)
        if force:
            await svc.db.write(lambda c: users_repo.hard_delete(c, row.id))
        else:
            from filmroll.db.clock import utcnow

            await svc.db.write(lambda c: users_repo.soft_delete(c, row.id, utcnow()))

    _run(settings, delete)
    console.print(f"deleted {email}")


def main() -> None:
    app()
