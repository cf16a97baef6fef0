"""``lotse tokens create|list|revoke`` and ``lotse feed export``: as an operator uses them."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.auth.api_tokens import token_digest
from api.cli import app as cli
from api.cli.app import console
from models.db import make_engine, session_scope
from models.integration import ApiToken
from models.migrate import upgrade
from models.tables import Event, JobSeeker, jobcenter_today
from recommender.records.feed_export import COLUMNS
from recommender.records.outbox import record_feed_entry
from tests.factories import make_job_seeker, make_jobcenter

_TOKEN = re.compile(r"lotse_[A-Za-z0-9_-]{43}")


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("LOTSE_DATABASE_URL", url)
    monkeypatch.setenv("LOTSE_ENVIRONMENT", "test")
    monkeypatch.setattr(console, "width", 200)  # the token table unwrapped
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        make_jobcenter(session, code="demo", name="Jobcenter Demo")
        make_jobcenter(session, code="other", name="Jobcenter Elsewhere")
    engine.dispose()
    return url


def _rows(url: str, kind: type) -> list:
    engine = make_engine(url)
    with Session(engine) as session:
        rows = list(session.exec(select(kind)).all())
    engine.dispose()
    return rows


def test_create_shows_the_token_once_and_stores_only_its_hash(db: str) -> None:
    result = CliRunner().invoke(cli, ["tokens", "create", "Fachverfahren Nord", "--scope", "feed:read",
                                      "--scope", "cases:read", "--jobcenter", "demo"])
    assert result.exit_code == 0, result.output
    secret = _TOKEN.search(result.output.replace("\n", ""))
    assert secret is not None
    (token,) = _rows(db, ApiToken)
    assert token.token_sha256 == token_digest(secret.group()) and token.scopes == "cases:read feed:read"
    listed = CliRunner().invoke(cli, ["tokens", "list"])
    assert listed.exit_code == 0 and "Fachverfahren Nord" in listed.output and "active" in listed.output
    assert secret.group() not in listed.output
    assert [e.event_type for e in _rows(db, Event)] == ["api_token_created"]


@pytest.mark.parametrize(("args", "message"), [
    (["--scope", "cases:delete"], "Unknown scope 'cases:delete'"),
    (["--scope", "feed:read", "--jobcenter", "nowhere"], "No Jobcenter with code 'nowhere'"),
    (["--scope", "feed:read", "--expires", "2020-01-01"], "is not in the future"),
    (["--scope", "feed:read", "--expires", "next week"], "must be a date YYYY-MM-DD"),
])
def test_create_refuses_bad_input_and_writes_nothing(db: str, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["tokens", "create", "Portal", *args])
    assert result.exit_code == 2 and message in result.output.replace("\n", "")
    assert _rows(db, ApiToken) == [] and _rows(db, Event) == []


def test_revoke_is_logged_and_bound_to_the_jobcenter(db: str) -> None:
    assert CliRunner().invoke(cli, ["tokens", "create", "Portal", "--scope", "feed:read"]).exit_code == 0
    foreign = CliRunner().invoke(cli, ["tokens", "revoke", "1", "--jobcenter", "other"])
    assert foreign.exit_code == 2 and "No API token with id 1 in Jobcenter 'other'" in foreign.output
    done = CliRunner().invoke(cli, ["tokens", "revoke", "1", "--reason", "Vertrag beendet"])
    assert done.exit_code == 0 and "Revoked API token 1" in done.output
    assert "already revoked" in CliRunner().invoke(cli, ["tokens", "revoke", "1"]).output
    assert "revoked" in CliRunner().invoke(cli, ["tokens", "list"]).output
    assert [e.event_type for e in _rows(db, Event)] == ["api_token_created", "api_token_revoked"]


def test_feed_export_writes_the_entries_after_the_cursor(db: str, tmp_path: Path) -> None:
    engine = make_engine(db)
    with session_scope(engine) as session:
        seeker = make_job_seeker(session, jobcenter=make_jobcenter(session, code="jc-x"))
        demo_seeker = JobSeeker(pseudonym="p" * 32, jobcenter_id=1)
        session.add(demo_seeker)
        session.flush()
        for index, person in enumerate((demo_seeker, seeker, demo_seeker, demo_seeker)):
            record_feed_entry(session, job_seeker=person, kind="outcome",
                              payload={"outcome_id": index, "case": person.pseudonym, "kind": "job_found",
                                       "occurred_on": "2026-10-01", "reported_by": "counsellor",
                                       "recorded_at": "2026-10-01T00:00:00Z"})
    engine.dispose()
    out = tmp_path / "feed.csv"
    result = CliRunner().invoke(cli, ["feed", "export", str(out), "--after", "1"])
    assert result.exit_code == 0, result.output
    assert "2 feed entries" in result.output and "--after 4" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert tuple(rows[0]) == COLUMNS
    assert [(r["cursor"], r["data.outcome_id"], r["data.kind"]) for r in rows] == [("3", "2", "job_found"),
                                                                                 ("4", "3", "job_found")]


def test_feed_export_refuses_a_malformed_cursor_and_writes_no_file(db: str, tmp_path: Path) -> None:
    out = tmp_path / "feed.csv"
    result = CliRunner().invoke(cli, ["feed", "export", str(out), "--after", "last"])
    assert result.exit_code == 2 and "not one this feed handed out" in result.output
    assert not out.exists()


def test_a_token_is_valid_through_its_last_day(db: str) -> None:
    from datetime import timedelta

    last_day = jobcenter_today() + timedelta(days=3)
    result = CliRunner().invoke(cli, ["tokens", "create", "Portal", "--scope", "feed:read",
                                      "--expires", last_day.isoformat()])
    assert result.exit_code == 0, result.output
    (token,) = _rows(db, ApiToken)
    assert token.expires_at.date() == last_day + timedelta(days=1) and token.expires_at.hour == 0
