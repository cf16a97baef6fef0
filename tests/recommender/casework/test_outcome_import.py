"""Outcomes from the case-management side: CSV/JSON Lines, line-numbered errors, idempotent, with a source."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from typer.testing import CliRunner

from api.cli import app
from models.migrate import upgrade
from models.tables import Event, Jobcenter, JobSeeker, Outcome
from recommender.casework.outcome_import import BAD_KIND, UNKNOWN_CASE


def _people(engine: Engine) -> None:
    with Session(engine) as session:
        centre = Jobcenter(code="jc-1", name="Test")
        session.add(centre)
        session.flush()
        session.add_all([JobSeeker(pseudonym=p, jobcenter_id=centre.id) for p in ("case-a", "case-b")])
        session.commit()


def _run(tmp_path: Path, url: str, name: str, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return CliRunner().invoke(app, ["outcomes", "import", str(path)],
                              env={"LOTSE_DATABASE_URL": url, "LOTSE_ENVIRONMENT": "test", "COLUMNS": "200"})


def test_csv_import_stores_the_source_logs_each_outcome_and_a_second_run_adds_nothing(
        sqlite_engine: Engine, tmp_path: Path) -> None:
    upgrade(sqlite_engine)
    _people(sqlite_engine)
    url = str(sqlite_engine.url)
    text = "pseudonym,kind,occurred_on\ncase-a,job_found,2026-03-01\ncase-b,training_started,2026-04-02\n"
    first = _run(tmp_path, url, "starts.csv", text)
    assert first.exit_code == 0 and "2 outcomes imported" in first.output, first.output
    again = _run(tmp_path, url, "starts.csv", text)
    said = " ".join(again.output.split())  # rich wraps at the terminal's width
    assert again.exit_code == 0 and "0 outcomes imported" in said and "2 were already known" in said
    with Session(sqlite_engine) as session:
        outcomes = session.exec(select(Outcome)).all()
        events = session.exec(select(Event).where(Event.event_type == "client_outcome")).all()
    assert {o.reported_by for o in outcomes} == {"case_management"} and len(outcomes) == 2 and len(events) == 2


def test_wrong_lines_are_listed_by_number_and_nothing_is_written(sqlite_engine: Engine, tmp_path: Path) -> None:
    upgrade(sqlite_engine)
    _people(sqlite_engine)
    url = str(sqlite_engine.url)
    text = ('{"pseudonym": "case-a", "kind": "job_found", "occurred_on": "2026-03-01"}\n'
            '{"pseudonym": "case-a", "kind": "hired", "occurred_on": "2026-03-01"}\n'
            '{"pseudonym": "case-b", "kind": "job_found", "occurred_on": "1.3.2026"}\n')
    result = _run(tmp_path, url, "starts.jsonl", text)
    assert result.exit_code == 2
    assert BAD_KIND.format(line=2, given="hired", allowed="")[:30] in result.output
    assert "line 3: occurred_on '1.3.2026'" in result.output
    unknown = _run(tmp_path, url, "who.jsonl",
                   '{"pseudonym": "nobody", "kind": "job_found", "occurred_on": "2026-03-01"}\n')
    assert unknown.exit_code == 2 and UNKNOWN_CASE.format(line=1, given="nobody") in unknown.output
    with Session(sqlite_engine) as session:
        assert session.exec(select(Outcome)).all() == []
