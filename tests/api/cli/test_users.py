"""``lotse users``: create (policy-checked, argon2id), disable, reset-password, demo (development only)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app as cli
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.tables import CaseAssignment, Event, Jobcenter, UserAccount
from recommender.records.free_text import text_digest
from tests.factories import make_job_seeker, make_jobcenter, make_team


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LOTSE_DATABASE_URL", url)
    monkeypatch.setenv("LOTSE_ENVIRONMENT", "test")
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        center = make_jobcenter(session, code="demo", name="Jobcenter Musterstadt (Demo)")
        make_team(session, jobcenter=center, name="Team Integration 1")
    engine.dispose()
    return url


def _users(url: str) -> dict[str, UserAccount]:
    engine = make_engine(url)
    with Session(engine) as session:
        users = {u.username: u for u in session.exec(select(UserAccount)).all()}
    engine.dispose()
    return users


def test_create_reads_password_from_stdin_and_stores_argon2id(db: str) -> None:
    result = CliRunner().invoke(cli, ["users", "create", "Maria.Beraterin", "--role", "counsellor", "--team",
                                      "Team Integration 1", "--password-stdin"], input="lange sichere passphrase\n")
    assert result.exit_code == 0, result.output
    user = _users(db)["maria.beraterin"]
    assert user.password_hash.startswith("$argon2id$") and user.role == "counsellor" and user.team_id


def test_create_refuses_weak_password_and_unknown_role(db: str) -> None:
    weak = CliRunner().invoke(cli, ["users", "create", "someone", "--role", "counsellor", "--password-stdin"],
                              input="password1234\n")
    assert weak.exit_code == 2 and "attackers try first" in weak.output
    role = CliRunner().invoke(cli, ["users", "create", "someone", "--role", "boss", "--generate"])
    assert role.exit_code == 2 and "Unknown role 'boss'" in role.output
    assert _users(db) == {}


def test_disable_and_reset_password_are_logged(db: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["users", "create", "anna", "--role", "admin", "--generate"])
    reset = runner.invoke(cli, ["users", "reset-password", "anna", "--generate"])
    assert reset.exit_code == 0 and "shown once" in reset.output
    assert runner.invoke(cli, ["users", "disable", "anna", "--reason", "left"]).exit_code == 0
    assert not _users(db)["anna"].is_active
    assert runner.invoke(cli, ["users", "disable", "nobody"]).exit_code == 2
    engine = make_engine(db)
    with Session(engine) as session:
        kinds = [e.event_type for e in session.exec(select(Event)).all()]
    engine.dispose()
    assert kinds == ["user_created", "password_reset", "user_disabled"]


def test_demo_accounts_only_in_development(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    refused = CliRunner().invoke(cli, ["users", "demo"])
    assert refused.exit_code == 2 and "only when LOTSE_ENVIRONMENT=development" in refused.output
    monkeypatch.setenv("LOTSE_ENVIRONMENT", "development")
    created = CliRunner().invoke(cli, ["users", "demo"])
    assert created.exit_code == 0, created.output
    users = _users(db)
    assert users["demo.teamleitung"].role == "team_lead"
    assert sum(u.role == "counsellor" for u in users.values()) == 4
    again = CliRunner().invoke(cli, ["users", "demo"])
    assert "already exist" in again.output


def test_assign_moves_a_case_and_logs_reason(db: str) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["users", "create", "berater.eins", "--role", "counsellor", "--team", "Team Integration 1",
                        "--generate"])
    engine = make_engine(db)
    with session_scope(engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == "demo")).one()
        pseudonym = make_job_seeker(session, jobcenter=center).pseudonym
    result = runner.invoke(cli, ["users", "assign", pseudonym, "berater.eins", "--reason", "Neuer Fall"])
    assert result.exit_code == 0, result.output
    with Session(engine) as session:
        assignment = session.exec(select(CaseAssignment)).one()
        event = session.exec(select(Event).where(Event.event_type == "case_reassigned")).one()
    engine.dispose()
    assert assignment.counsellor_id == _users(db)["berater.eins"].id
    assert event.reason == text_digest("Neuer Fall")  # the log holds a keyed digest, never the text
    missing_reason = runner.invoke(cli, ["users", "assign", pseudonym, "berater.eins"])
    assert missing_reason.exit_code != 0
