"""``lotse kpi export|import``: one command each way; a wrong file is refused whole with its lines named."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app as cli
from models.benchlearning import KpiFigure
from models.db import make_engine, session_scope
from models.migrate import upgrade
from tests.factories import make_decision, make_job_seeker, make_jobcenter


def _database(tmp_path: Path, name: str, code: str, cases: int) -> str:
    url = f"sqlite:///{tmp_path / name}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        center = make_jobcenter(session, code=code)
        for _ in range(cases):
            make_decision(session, job_seeker=make_job_seeker(session, jobcenter=center),
                          created_at=datetime(2026, 8, 1, tzinfo=UTC),
                          items=[{"module_id": "cv_documents", "review_state": "not_required"}])
    engine.dispose()
    return url


def test_export_then_import_in_another_jobcenter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_ENVIRONMENT", "test")
    monkeypatch.setenv("LOTSE_DATABASE_URL", _database(tmp_path, "nord.db", "jc-nord", 11))
    target = tmp_path / "nord.csv"
    exported = CliRunner().invoke(cli, ["kpi", "export", "--period", "2026-Q3", "--out", str(target)])
    assert exported.exit_code == 0, exported.output
    assert "written to" in exported.output and "cells under 10 people suppressed" in exported.output
    assert "jc-nord,2026-Q3,all,cases_served,,11.0,11,ok" in target.read_text(encoding="utf-8")

    other = _database(tmp_path, "sued.db", "jc-sued", 0)
    monkeypatch.setenv("LOTSE_DATABASE_URL", other)
    imported = CliRunner().invoke(cli, ["kpi", "import", str(target)])
    assert imported.exit_code == 0, imported.output
    engine = make_engine(other)
    with Session(engine) as session:
        assert {f.jobcenter for f in session.exec(select(KpiFigure)).all()} == {"jc-nord"}
    engine.dispose()


def test_import_of_a_wrong_file_exits_2_and_names_the_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOTSE_ENVIRONMENT", "test")
    monkeypatch.setenv("LOTSE_DATABASE_URL", _database(tmp_path, "sued.db", "jc-sued", 0))
    bad = tmp_path / "bad.csv"
    bad.write_text("schema_version,jobcenter,period,team,indicator,module,value,people,status,pseudonym\n",
                   encoding="utf-8")
    result = CliRunner().invoke(cli, ["kpi", "import", str(bad)])
    assert result.exit_code == 2 and "columns not in the schema: pseudonym" in result.output


def test_export_asks_which_jobcenter_when_there_are_several(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _database(tmp_path, "two.db", "jc-a", 0)
    engine = make_engine(url)
    with session_scope(engine) as session:
        make_jobcenter(session, code="jc-b")
    engine.dispose()
    monkeypatch.setenv("LOTSE_ENVIRONMENT", "test")
    monkeypatch.setenv("LOTSE_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["kpi", "export", "--period", "2026-Q3"])
    assert result.exit_code == 2 and "serves 2 Jobcenters (jc-a, jc-b); name one with --jobcenter" in result.output
