"""Unsafe configuration stops the process at start with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from api.settings import DEFAULT_SECRET, Settings, describe_settings_error

LOTSE = Path(sys.executable).with_name("lotse")


@pytest.mark.parametrize("url", ["not a url", "mysql://root@localhost/x", "postgresql://"])
def test_bad_database_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationError) as info:
        Settings(database_url=url)
    assert "LOTSE_DATABASE_URL" in describe_settings_error(info.value)


def test_postgres_url_is_rewritten_to_psycopg3() -> None:
    assert Settings(database_url="postgres://u@h/db").database_url == "postgresql+psycopg://u@h/db"


def test_retention_below_180_days_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 180 days"):
        Settings(log_retention_days=90)


def test_default_secret_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="LOTSE_SECRET_KEY"):
        Settings(environment="production", secret_key=DEFAULT_SECRET)


def test_serve_with_malformed_database_url_prints_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "LOTSE_DATABASE_URL": "definitely-not-a-url"}
    result = subprocess.run(
        [str(LOTSE), "serve"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "LOTSE_DATABASE_URL is not a valid database URL" in lines[0]
