"""`lotse simulate log`: a documented SYNTHETIC training log with independent self-reports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.cli import app
from api.cli.recommender import PRODUCTION_REFUSED
from data.catalogue import load_catalogue
from models.audit_store import read_audit_attributes
from models.db import make_engine
from models.migrate import upgrade
from recommender.learn.training_data import extract_training_data
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from recommender.simulate.simulated_log import (
    ALREADY_WRITTEN,
    write_simulated_audit,
    write_simulated_log,
    write_training_log,
)


def test_self_reports_do_not_depend_on_gender_when_log_and_audit_share_the_seed(tmp_path: Path) -> None:
    catalogue = load_catalogue()
    data = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 4000, seed=5)
    app_engine = make_engine(f"sqlite:///{tmp_path / 'a.db'}")
    audit_engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    upgrade(app_engine)
    pseudonyms = write_simulated_log(app_engine, data, catalogue, seed=5)
    write_simulated_audit(audit_engine, data, pseudonyms, report_share=0.6, seed=5)
    reported = read_audit_attributes(audit_engine)
    did = np.array([p in reported for p in pseudonyms])
    women = data.protected["gender"].astype(str) == "female"
    assert abs(did[women].mean() - 0.6) < 0.04 and abs(did[~women].mean() - 0.6) < 0.04


def test_training_log_can_be_extracted_and_says_it_is_synthetic(engine: Engine, tmp_path: Path) -> None:
    catalogue = load_catalogue()
    audit = make_engine(f"sqlite:///{tmp_path / 'audit.db'}")
    summary = write_training_log(engine, audit, DEFAULT_SCENARIO, catalogue, rows=600, seed=3)
    logged = extract_training_data(engine, catalogue.ids)
    assert summary.synthetic and summary.people == 600 and logged.n_decisions == 600
    assert 0.6 < summary.self_reports / 600 < 0.95
    with pytest.raises(Exception, match="already holds"):
        write_training_log(engine, audit, DEFAULT_SCENARIO, catalogue, rows=600, seed=3)


def test_simulate_log_command_writes_into_the_named_databases(tmp_path: Path) -> None:
    url, audit_url = f"sqlite:///{tmp_path / 'log.db'}", f"sqlite:///{tmp_path / 'audit.db'}"
    env = {"LOTSE_ENVIRONMENT": "test", "LOTSE_VAR_DIR": str(tmp_path)}
    args = ["simulate", "log", "--size", "500", "--seed", "9", "--database", url, "--audit-database", audit_url]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC training log" in result.output and "500" in result.output
    assert extract_training_data(make_engine(url), load_catalogue().ids).n_decisions == 500
    again = CliRunner().invoke(app, args, env=env)
    assert again.exit_code == 2 and ALREADY_WRITTEN.format(seed=9)[:40] in again.output


def test_simulate_log_command_is_refused_in_production(tmp_path: Path) -> None:
    env = {"LOTSE_ENVIRONMENT": "production", "LOTSE_SECRET_KEY": "x" * 40, "LOTSE_VAR_DIR": str(tmp_path),
           "LOTSE_DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}"}
    result = CliRunner().invoke(app, ["simulate", "log", "--size", "100"], env=env)
    assert result.exit_code == 2 and PRODUCTION_REFUSED[:30] in result.output
