"""``lotse backup FILE`` and ``lotse restore FILE``: app database, audit store and models folder.

A restore puts the backup in place, migrates it to the current schema, erases again everyone
the erasure journal says was erased (the journal is never inside a backup), and ends with
``audit verify`` so the operator sees at once whether the decision log's chain is intact.
"""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy.engine import Engine

from api.cli.app import console, fail, load_settings, open_engine
from api.cli.audit_log import audit_verify
from api.settings import Settings
from models.audit_store import create_audit_schema, make_audit_engine
from models.backup import BackupError, create_backup, restore_backup
from models.db import session_scope
from models.migrate import upgrade
from recommender.casework.erasure_journal import erasure_journal
from recommender.casework.reapply_erasures import reapply_erasures

FILE_EXISTS = "{file} exists; pass --overwrite to replace it"
FILE_MISSING = "{file} does not exist"
RESTORE_ABORTED = "Restore aborted; nothing was changed."


def _audit_engine(settings: Settings) -> Engine:
    return make_audit_engine(settings.audit_database_url, app_url=settings.database_url)


def backup(
    file: Path = typer.Argument(..., help="Archive to write (.tar.gz); holds personal data, store it encrypted."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace FILE if it exists."),
) -> None:
    """Write a consistent copy of the app database, the audit store and the models folder to FILE."""
    if file.exists() and not overwrite:
        raise fail(FILE_EXISTS.format(file=file))
    settings = load_settings()
    audit = _audit_engine(settings)
    try:
        create_audit_schema(audit)
        manifest = create_backup(file, app=open_engine(settings), audit=audit, models_dir=settings.models_dir)
    except BackupError as exc:
        raise fail(str(exc)) from None
    finally:
        audit.dispose()
    journal = erasure_journal(settings.var_dir).path
    console.print(f"Backup written to {file} ({file.stat().st_size:,} bytes), taken "
                  f"{manifest.created_at:%Y-%m-%d %H:%M:%S} UTC. The erasure journal is not in it: keep {journal} "
                  "(no personal data) on separate storage.", soft_wrap=True)


def restore(
    file: Path = typer.Argument(..., help="Archive written by `lotse backup`."),
    yes: bool = typer.Option(False, "--yes", help="Do not ask before replacing the current data."),
) -> None:
    """Replace the current data with FILE, erase again what was erased since, then verify the log."""
    if not file.is_file():
        raise fail(FILE_MISSING.format(file=file))
    if not yes and not typer.confirm(f"Replace the app database, audit store and models with {file}?"):
        raise fail(RESTORE_ABORTED, code=1)
    settings = load_settings()
    app, audit = open_engine(settings), _audit_engine(settings)
    try:
        manifest = restore_backup(file, app=app, audit=audit, models_dir=settings.models_dir)
        upgrade(app)
        create_audit_schema(audit)
        with session_scope(app) as session:
            erased = reapply_erasures(session, erasure_journal(settings.var_dir), audit_engine=audit)
    except BackupError as exc:
        raise fail(str(exc)) from None
    finally:
        audit.dispose()
    console.print(f"Restored the backup taken {manifest.created_at:%Y-%m-%d %H:%M:%S} UTC; "
                  f"{len(erased)} erasure(s) made after it applied again.", soft_wrap=True)
    # Full walk, no new seal: seals made after the backup are reported as removed (docs/operations.md).
    audit_verify(full=True, against=[], public_key=[], no_seal=True, as_json=False)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
    app.command("restore")(restore)
