"""G21: production mode refuses to start until every precondition is confirmed; check-deploy names each."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from api.cli import app
from recommender.records.checkpoints import generate_key

SECRET = "x" * 40
CONFIRMED = {
    "LOTSE_DPIA": "2026-10-01 DSFA-2026-17",
    "LOTSE_FRIA": "2026-10-02 GRFA-4",
    "LOTSE_EU_DATABASE_REGISTRATION": "2026-10-20 EU-DB-000123",
    "LOTSE_STAFF_AI_LITERACY": "2026-11-01 Schulung KI-Kompetenz Team 1-3",
    "LOTSE_WORKERS_REPRESENTATIVES_INFORMED": "2026-09-15 Personalrat Sitzung 9/2026",
}
READY = {
    "LOTSE_ENVIRONMENT": "production",
    "LOTSE_SECRET_KEY": SECRET,
    "LOTSE_DATABASE_URL": "postgresql+psycopg://lotse@db.example:5432/lotse",
    **CONFIRMED,
}


@pytest.fixture(autouse=True, scope="module")
def _checkpoint_key(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A ready installation has its checkpoint key (issue 16)."""
    path = tmp_path_factory.mktemp("keys") / "checkpoint.key"
    generate_key(path)
    READY["LOTSE_CHECKPOINT_KEY"] = str(path)


def _run(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=env)


def test_check_deploy_passes_when_everything_is_confirmed() -> None:
    result = _run(READY, "check-deploy")
    assert result.exit_code == 0, result.output
    assert "MISSING" not in result.output


@pytest.mark.parametrize("variable", [*CONFIRMED, "LOTSE_DATABASE_URL", "LOTSE_SECRET_KEY", "LOTSE_CHECKPOINT_KEY"])
def test_each_missing_item_fails_and_is_named(variable: str) -> None:
    env = {**READY, variable: ""} if variable in CONFIRMED else dict(READY)
    if variable == "LOTSE_DATABASE_URL":
        env[variable] = "sqlite:///var/x.db"
    if variable == "LOTSE_CHECKPOINT_KEY":
        env[variable] = "/nonexistent/checkpoint.key"
    if variable == "LOTSE_SECRET_KEY":
        env = {**env, "LOTSE_ENVIRONMENT": "development", variable: "short"}
    result = _run(env, "check-deploy")
    assert result.exit_code == 1
    missing = [line for line in result.output.splitlines() if "MISSING" in line]
    assert len(missing) == 1 and variable in missing[0]


def test_a_confirmation_needs_a_date_and_a_reference() -> None:
    result = _run({**READY, "LOTSE_DPIA": "yes"}, "check-deploy")
    assert result.exit_code == 1 and "is not 'YYYY-MM-DD reference'" in result.output


def test_production_serve_refuses_to_start_and_names_what_is_missing() -> None:
    result = _run({**READY, "LOTSE_FRIA": ""}, "serve")
    assert result.exit_code == 2
    assert "LOTSE_FRIA" in result.output and "refuses to start" in result.output
