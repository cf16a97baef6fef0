"""A migrated installation under tmp_path that ``lotse data import`` runs against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from data import imported
from models.db import make_engine
from models.migrate import upgrade
from tests.data.importers.import_cli import fake_classify


@pytest.fixture
def cli_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Environment for the CLI: SQLite app database and var directory; occupations from a fixed table."""
    var_dir = tmp_path_factory.mktemp("var")
    url = f"sqlite:///{var_dir / 'app.db'}"
    for name, value in {"DATABASE_URL": url, "AUDIT_DATABASE_URL": f"sqlite:///{var_dir / 'audit.db'}",
                        "VAR_DIR": str(var_dir), "MODELS_DIR": str(var_dir / "models"), "ENVIRONMENT": "test"}.items():
        monkeypatch.setenv(f"LOTSE_{name}", value)
    monkeypatch.setattr("api.cli.data._classify", fake_classify)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield var_dir
    imported.use_var_dir(Path("var"))
