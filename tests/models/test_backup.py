"""Backup archives: a restore refuses a backup of another database kind and changes nothing then."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from models.backup import WRONG_KIND, BackupError, create_backup, restore_backup
from models.db import make_engine


@pytest.mark.postgres
def test_restore_refuses_a_sqlite_backup_into_postgresql(
    sqlite_engine: Engine, postgres_schema_engine: Engine, tmp_path: Path
) -> None:
    audit = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    archive = tmp_path / "backup.tar.gz"
    create_backup(archive, app=sqlite_engine, audit=audit, models_dir=tmp_path / "models")
    with pytest.raises(BackupError) as caught:
        restore_backup(archive, app=postgres_schema_engine, audit=audit, models_dir=tmp_path / "models")
    assert str(caught.value) == WRONG_KIND.format(found="sqlite", part="app", expected="postgresql")
    assert inspect(postgres_schema_engine).get_table_names() == []
    audit.dispose()
