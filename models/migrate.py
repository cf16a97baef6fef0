"""Run alembic migrations from code, so the CLI, readiness probe and tests share one path.

The migration scripts live beside the tables (``models/migrations``); nothing depends on
the current working directory.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from models.errors import LotseError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
NO_MIGRATIONS = "no migrations found in {path}"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind *engine* up to *revision* (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


@cache
def head_revision() -> str:
    """The newest migration shipped with this code; read once, since ``/readyz`` asks on every probe."""
    script = ScriptDirectory.from_config(alembic_config_for_scripts())
    head = script.get_current_head()
    if head is None:
        raise LotseError(NO_MIGRATIONS.format(path=MIGRATIONS_DIR))
    return head


def alembic_config_for_scripts() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


