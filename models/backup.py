"""Consistent copies of the app database, the audit store and the models folder in one archive.

SQLite is copied with its online backup API (a consistent snapshot while the app runs, WAL
included); PostgreSQL with ``pg_dump``/``pg_restore`` (custom format, the database's own
consistent snapshot) of the schema the engine works in. The archive is a gzip tar with a
manifest that records when the backup was taken; it holds personal data, so it is written
readable by its owner only. The erasure journal is deliberately *not* part of it
(``recommender/casework/erasure_journal.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from models.db import is_sqlite
from models.errors import InvalidError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
NOT_A_BACKUP = "{file} is not a Lotse backup (no readable {manifest}): {error}"
WRONG_KIND = "the backup holds a {found} {part} database, but {part} is configured as {expected}"
WRONG_SCHEMA = ("the backup holds the {part} database of PostgreSQL schema {found!r}, but the configured one "
                "works in {expected!r}; set its search_path to {found!r} to restore it")
TOOL_MISSING = "{tool} is not installed; install the PostgreSQL client (Debian: postgresql-client)"
TOOL_FAILED = "{tool} failed for the {part} database: {error}"
_PARTS = ("app", "audit")


class BackupError(InvalidError):
    """A backup or restore that cannot be done; the message says what to do."""


@dataclass(frozen=True)
class Manifest:
    created_at: datetime
    databases: dict[str, str]  # part -> "sqlite" or "postgresql"
    schemas: dict[str, str]  # part -> PostgreSQL schema ("" for SQLite)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT_VERSION, "created_at": self.created_at.isoformat(),
                           "databases": self.databases, "schemas": self.schemas}, indent=2)


def _kind(engine: Engine) -> str:
    return "sqlite" if is_sqlite(engine) else "postgresql"


def _schema(engine: Engine) -> str:
    if is_sqlite(engine):
        return ""
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT current_schema()")).scalar_one())


def _pg_env(engine: Engine) -> dict[str, str]:
    """libpq settings for the engine's server; the password goes by environment, never argv."""
    url = engine.url
    values = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username, "PGPASSWORD": url.password,
              "PGDATABASE": url.database}
    return {**os.environ, **{key: str(value) for key, value in values.items() if value is not None}}


def _run(tool: str, arguments: list[str], engine: Engine, part: str) -> None:
    if shutil.which(tool) is None:
        raise BackupError(TOOL_MISSING.format(tool=tool))
    done = subprocess.run([tool, *arguments], env=_pg_env(engine), capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(TOOL_FAILED.format(tool=tool, part=part, error=done.stderr.strip()[-500:]))


def _dump(engine: Engine, target: Path, part: str) -> None:
    if is_sqlite(engine):
        with engine.connect() as connection:
            source = connection.connection.dbapi_connection
            copy = sqlite3.connect(target)
            try:
                # Typed as the generic, optional DBAPI connection; on SQLite an open one is a sqlite3.Connection.
                source.backup(copy)  # type: ignore[union-attr]
            finally:
                copy.close()
        return
    _run("pg_dump", ["--format=custom", f"--schema={_schema(engine)}", f"--file={target}"], engine, part)


def _load(engine: Engine, source: Path, part: str, schema: str) -> None:
    if is_sqlite(engine):
        backup = sqlite3.connect(source)
        try:
            with engine.connect() as connection:
                # Typed as the generic DBAPI connection; on SQLite it is the sqlite3.Connection backup() needs.
                backup.backup(connection.connection.dbapi_connection)  # type: ignore[arg-type]
        finally:
            backup.close()
        engine.dispose()
        return
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    _run("pg_restore", ["--no-owner", "--exit-on-error", "--single-transaction", f"--dbname={engine.url.database}",
                        str(source)], engine, part)
    engine.dispose()


def create_backup(file: Path, *, app: Engine, audit: Engine, models_dir: Path) -> Manifest:
    """Write the archive to *file* (atomically, mode 0600) and return its manifest."""
    engines = dict(zip(_PARTS, (app, audit), strict=True))
    manifest = Manifest(datetime.now(UTC), {p: _kind(e) for p, e in engines.items()},
                        {p: _schema(e) for p, e in engines.items()})
    file.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        for part, engine in engines.items():
            _dump(engine, folder / part, part)
        handle, partial = tempfile.mkstemp(dir=file.parent, suffix=".partial")
        os.close(handle)
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(folder / MANIFEST, MANIFEST)
            for part in _PARTS:
                archive.add(folder / part, part)
            if models_dir.is_dir():
                archive.add(models_dir, "models")
        os.chmod(partial, 0o600)
        os.replace(partial, file)
    return manifest


def read_manifest(folder: Path, file: Path) -> Manifest:
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        return Manifest(datetime.fromisoformat(raw["created_at"]), dict(raw["databases"]), dict(raw["schemas"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BackupError(NOT_A_BACKUP.format(file=file, manifest=MANIFEST, error=exc)) from None


def restore_backup(file: Path, *, app: Engine, audit: Engine, models_dir: Path) -> Manifest:
    """Put the archive's databases and models folder back in place of the current ones."""
    engines = dict(zip(_PARTS, (app, audit), strict=True))
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        try:
            with tarfile.open(file, "r:gz") as archive:
                archive.extractall(folder, filter="data")
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(NOT_A_BACKUP.format(file=file, manifest=MANIFEST, error=exc)) from None
        manifest = read_manifest(folder, file)
        for part, engine in engines.items():
            if manifest.databases.get(part) != _kind(engine):
                raise BackupError(WRONG_KIND.format(found=manifest.databases.get(part), part=part,
                                                    expected=_kind(engine)))
            if manifest.schemas.get(part) != _schema(engine):
                raise BackupError(WRONG_SCHEMA.format(part=part, found=manifest.schemas.get(part),
                                                      expected=_schema(engine)))
        for part, engine in engines.items():
            _load(engine, folder / part, part, manifest.schemas[part])
        _replace_folder(folder / "models", models_dir)
    return manifest


def _replace_folder(source: Path, target: Path) -> None:
    """Swap *target* for *source* (an absent source leaves an empty folder)."""
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir(parents=True, exist_ok=True)
