"""Serve the app, migrate the database, seed reference data."""

from __future__ import annotations

from typing import Any

import typer
import uvicorn
from sqlalchemy.exc import OperationalError

from api import workers
from api.cli.app import console, fail, load_settings, open_engine
from api.deploy_gate import deploy_gate, missing_items
from data.seed import seed_reference_data
from models.db import session_scope
from models.migrate import current_revision, head_revision, upgrade

db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all pending migrations (safe to run again)."""
    settings = load_settings()
    engine = open_engine(settings)
    try:
        before = current_revision(engine)
        upgrade(engine)
    except OperationalError as exc:
        raise fail(f"cannot reach the database at {engine.url!r}: {exc.orig}") from None
    after = current_revision(engine)
    if before == after:
        console.print(f"Database is up to date (revision {after}).")
    else:
        console.print(f"Database migrated from {before or 'empty'} to {after}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's migration revision and the newest one."""
    engine = open_engine(load_settings())
    console.print(f"current: {current_revision(engine) or 'empty'}  head: {head_revision()}")


def seed() -> None:
    """Load the reference data the app needs (idempotent: existing rows are kept)."""
    settings = load_settings()
    engine = open_engine(settings)
    with session_scope(engine) as session:
        report = seed_reference_data(session)
    for line in report:
        console.print(line)


def check_deploy() -> None:
    """List the production preconditions (G21); exit 1 naming each one that is missing."""
    settings = load_settings()
    missing = 0
    for item in deploy_gate(settings):
        mark = "[green]OK[/]     " if item.ok else "[red]MISSING[/]"
        console.print(f"{mark} {item.variable}: {item.what}" + ("" if item.ok else f" - {item.problem}"),
                      soft_wrap=True, highlight=False)
        missing += not item.ok
    if missing:
        raise typer.Exit(1)
    console.print("All production preconditions are confirmed.")


def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default LOTSE_HOST)."),
    port: int | None = typer.Option(None, help="Port (default LOTSE_PORT)."),
    reload: bool = typer.Option(False, help="Restart on code changes (development only)."),
) -> None:
    """Serve the web app and the API (http://127.0.0.1:8000 by default)."""
    settings = load_settings()
    if settings.environment == "production":
        missing = missing_items(settings)
        if missing:
            names = "; ".join(f"{item.variable} ({item.what}): {item.problem}" for item in missing)
            raise fail(f"production mode refuses to start until these are confirmed: {names}. "
                       "See `lotse check-deploy`.")
    options: dict[str, Any] = {
        "app": "frontend.main:app",
        "host": host or settings.host,
        "port": port or settings.port,
        "log_config": None,
        # X-Forwarded-For decides the client address the sign-in lock-out counts; only the
        # proxies named in LOTSE_FORWARDED_ALLOW_IPS may set it (none by default).
        "proxy_headers": bool(settings.forwarded_allow_ips.strip()),
        "forwarded_allow_ips": settings.forwarded_allow_ips.strip() or None,
    }
    console.print(f"Lotse serves on http://{options['host']}:{options['port']}")
    if reload:
        uvicorn.run(**options, reload=True)
        return
    try:
        status = workers.serve(options, settings.workers)
    except OSError as exc:
        raise fail(f"cannot listen on {options['host']}:{options['port']}: {exc.strerror}") from None
    raise typer.Exit(status)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.command("seed")(seed)
    app.command("serve")(serve)
    app.command("check-deploy")(check_deploy)
