"""`lotse train --if-missing --quick` (first start), `models list/promote/rollback` from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from models.db import make_engine
from models.migrate import upgrade
from recommender.decide.registry import ModelRegistry


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    url = f"sqlite:///{tmp_path / 'lotse.db'}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    monkeypatch.setenv("LOTSE_DATABASE_URL", url)
    monkeypatch.setenv("LOTSE_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("LOTSE_VAR_DIR", str(tmp_path))
    return tmp_path / "models"


def test_first_start_never_activates_a_model_whose_gates_have_no_evidence_and_trains_once(env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["train", "--if-missing", "--quick", "--rows", "2000"])
    assert first.exit_code == 0, first.output
    assert "NOT active" in first.output and "policy_value" in first.output
    registry = ModelRegistry(env)
    assert registry.active_version() is None and len(registry.versions()) == 1
    second = runner.invoke(app, ["train", "--if-missing", "--quick", "--rows", "2000"])
    assert second.exit_code == 0 and "Nothing to do" in second.output
    assert len(registry.versions()) == 1
    listing = runner.invoke(app, ["models", "list"])
    assert registry.versions()[0][:12] in listing.output and "SYNTHETIC" in listing.output


def test_rollback_without_earlier_model_fails_with_one_clear_line(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["train", "--if-missing", "--quick", "--rows", "2000"]).exit_code == 0
    result = runner.invoke(app, ["models", "rollback", "--actor", "ds:1", "--reason", "test"])
    assert result.exit_code == 2
    assert "no earlier active model" in result.output


def test_unknown_scenario_module_is_reported_with_file_and_line(env: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\npopulation: {source: xyz}\nbaseline: {source: xyz, intercept: -1}\n"
                   "effects:\n  - {module: ghost, source: xyz, terms: [{form: constant, value: 0.1}]}\n"
                   "logging: {kind: uniform}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["simulate", "--scenario", str(bad), "--rows", "100"])
    assert result.exit_code == 2
    assert "bad.yaml, line 5" in result.output and "ghost" in result.output
