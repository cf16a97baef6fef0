"""``lotse ds drift`` as a data scientist reads it: shifted inputs named, an empty log explained (SYNTHETIC log)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from models.db import make_engine, session_scope
from models.migrate import upgrade
from recommender.evaluate.drift import NO_DECISIONS
from tests.recommender.evaluate.test_drift import plant_log


def _env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'lotse.db'}"
    upgrade(make_engine(url))
    return {"LOTSE_DATABASE_URL": url, "LOTSE_VAR_DIR": str(tmp_path)}


def test_ds_drift_names_the_shifted_feature(tmp_path: Path) -> None:
    env = _env(tmp_path)
    with session_scope(make_engine(env["LOTSE_DATABASE_URL"])) as session:
        plant_log(session, shift_months=24.0)
    table = CliRunner().invoke(app, ["ds", "drift"], env=env)
    assert table.exit_code == 0, table.output
    assert "Shifted: months_unemployed." in " ".join(table.output.split())
    payload = json.loads(CliRunner().invoke(app, ["ds", "drift", "--json"], env=env).output)
    status = {f["feature"]: f["status"] for f in payload["features"]}
    assert status["months_unemployed"] == "shift" and payload["thresholds"] == {"watch": 0.1, "shift": 0.25}


def test_ds_drift_says_no_decisions_yet_on_an_empty_log(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ds", "drift"], env=_env(tmp_path))
    assert result.exit_code == 0 and NO_DECISIONS in " ".join(result.output.split())
