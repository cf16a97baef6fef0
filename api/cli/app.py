"""The typer application and helpers shared by every sub-command module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.settings import Settings, describe_settings_error
from models.db import make_engine, session_scope
from recommender.records.free_text import configure_text_key

app = typer.Typer(
    name="lotse",
    help="Lotse: explained job-search advice for Jobcenters (serve, seed, train, audit, ...).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print one clear line to stderr and return the Exit to raise; *message* is shown verbatim, never as markup."""
    err_console.print(f"[bold red]Error:[/] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def load_settings() -> Settings:
    """Settings from the environment, or exit with one line naming the bad variable."""
    try:
        settings = Settings()
    except ValidationError as exc:
        raise fail(describe_settings_error(exc)) from None
    configure_text_key(settings.secret_key)
    return settings


def open_engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


@contextmanager
def transaction(*errors: type[Exception], settings: Settings | None = None) -> Iterator[Session]:
    """One unit of work for a command; the listed domain errors become one clear line and exit 2."""
    engine = open_engine(settings or load_settings())
    try:
        with session_scope(engine) as session:
            yield session
    except errors as exc:
        raise fail(str(exc)) from None
