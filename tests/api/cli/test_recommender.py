"""`lotse train --if-missing --quick` (first start), `models list/promote/rollback` from the command line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from api.cli.ds_support import EXIT_GATES
from api.cli.recommender import FIRST_START_REASON, SYSTEM_ACTOR
from models.db import make_engine
from models.migrate import upgrade
from models.tables import Event
from recommender.decide.registry import ModelRegistry
from recommender.evaluate import first_start
from recommender.evaluate.gates import FIRST_START_SOURCE


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


def _planted_proxy(*_: object, **__: object) -> dict[str, object]:
    """A probe result in which the features give away citizenship (a proxy-laden candidate)."""
    return {"threshold": 0.65, "folds": 5, "declared": [], "passes": False,
            "attributes": {"citizenship_group": {"auc": 0.93, "passes": False, "top_features": ["german_level"]}}}


def test_first_start_activates_a_model_whose_gates_all_cite_simulated_evidence_and_runs_once(env: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["train", "--if-missing", "--quick"])
    assert first.exit_code == 0, first.output
    registry = ModelRegistry(env)
    [version] = registry.versions()
    assert registry.active_version() == version and "NOT active" not in first.output
    gates = runner.invoke(app, ["ds", "gates", version, "--json"])
    assert gates.exit_code == 0, gates.output
    details = {g["gate"]: g["detail"] for g in json.loads(gates.output)["gates"]}
    assert FIRST_START_SOURCE in details["policy_value"]
    assert all("simulated data" in d for gate, d in details.items() if gate != "feature_allow_list")
    with Session(make_engine(os.environ["LOTSE_DATABASE_URL"])) as session:
        [event] = session.exec(select(Event).where(Event.event_type == "model_promoted")).all()
    assert event.reason == FIRST_START_REASON and event.actor_id == SYSTEM_ACTOR
    second = runner.invoke(app, ["train", "--if-missing", "--quick"])
    assert second.exit_code == 0 and "nothing to do" in second.output
    assert registry.versions() == [version]


def test_first_start_does_not_activate_a_candidate_with_a_proxy_and_promote_needs_real_evidence(
        env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(first_start, "probe_proxies", _planted_proxy)
    runner = CliRunner()
    first = runner.invoke(app, ["train", "--if-missing", "--quick", "--rows", "2000"])
    assert first.exit_code == 0, first.output
    assert "NOT active" in first.output and "proxy_auc" in first.output and "0.930" in first.output
    registry = ModelRegistry(env)
    [version] = registry.versions()
    assert registry.active_version() is None
    second = runner.invoke(app, ["train", "--if-missing", "--quick", "--rows", "2000"])
    assert second.exit_code == 0 and "Nothing to do" in second.output
    assert registry.versions() == [version]
    promoted = runner.invoke(app, ["models", "promote", version])
    assert promoted.exit_code == EXIT_GATES
    assert "first-start evidence on simulated people counts only" in promoted.output
    assert "lotse audit proxies" in promoted.output and registry.active_version() is None
    listing = runner.invoke(app, ["models", "list"])
    assert version[:12] in listing.output and "SYNTHETIC" in listing.output


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


def test_identical_retrain_is_reported_as_a_duplicate_and_not_stored(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["train", "--quick", "--rows", "2000", "--no-promote"]).exit_code == 0
    [first] = ModelRegistry(env).versions()
    again = runner.invoke(app, ["train", "--quick", "--rows", "2000", "--no-promote"])
    assert again.exit_code == 0, again.output
    assert f"this model is identical to stored version {first!r}" in again.output
    assert ModelRegistry(env).versions() == [first]


def test_models_list_shows_each_stage_including_the_shadow_model(env: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["train", "--quick", "--rows", "2000", "--seed", "1", "--no-promote"]).exit_code == 0
    registry = ModelRegistry(env)
    [first] = registry.versions()
    forced = runner.invoke(app, ["models", "promote", first, "--force", "--reason", "test: no gate evidence here"])
    assert forced.exit_code == 0, forced.output
    assert runner.invoke(app, ["train", "--quick", "--rows", "2000", "--seed", "2", "--no-promote"]).exit_code == 0
    [candidate] = [v for v in registry.versions() if v != registry.active_version()]
    assert runner.invoke(app, ["models", "shadow", candidate]).exit_code == 0
    listing = runner.invoke(app, ["models", "list"])
    assert listing.exit_code == 0
    stage = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in listing.output.splitlines()
             if line.count("│") > 2}
    assert stage[registry.active_version()] == "production" and stage[candidate] == "shadow"
    assert "(active)" in listing.output


def test_training_setting_out_of_range_is_refused_with_its_range(env: Path) -> None:
    result = CliRunner().invoke(app, ["train", "--quick", "--rows", "2000", "--seed", "-1"])
    assert result.exit_code == 2
    assert "seed must be an int in [0, 2147483647]; got -1" in result.output
    assert ModelRegistry(env).versions() == []
