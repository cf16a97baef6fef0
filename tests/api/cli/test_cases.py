"""``lotse cases import``: counts created/updated/unchanged, lists every problem by line and field, exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from api.cli import app
from models.db import session_scope
from models.inbound import ExternalCase
from models.migrate import upgrade
from tests.factories import make_jobcenter, make_staff_user

CSV = ("external_id,counsellor,target_occupation,months_unemployed\n"
       "FV-1,berater.nord,62102,14\n"
       "FV-2,,,3\n")


def _run(engine: Engine, path: Path, *extra: str) -> Any:
    return CliRunner().invoke(app, ["cases", "import", str(path), *extra],
                              env={"LOTSE_DATABASE_URL": str(engine.url), "LOTSE_ENVIRONMENT": "test",
                                   "COLUMNS": "200"})


def _ready(engine: Engine) -> None:
    upgrade(engine)
    with session_scope(engine) as session:
        centre = make_jobcenter(session, code="jc-nord")
        make_staff_user(session, role="counsellor", jobcenter=centre, username="berater.nord")


def _mapped(engine: Engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(ExternalCase)).one()


def test_import_reports_counts_and_a_second_run_changes_nothing(sqlite_engine: Engine, tmp_path: Path) -> None:
    _ready(sqlite_engine)
    path = tmp_path / "cases.csv"
    path.write_text(CSV, encoding="utf-8")
    first = _run(sqlite_engine, path, "--jobcenter", "jc-nord")
    assert first.exit_code == 0, first.output
    assert "2 cases in cases.csv: 2 created, 0 updated, 0 unchanged." in first.output
    mapping = tmp_path / "mapping.csv"
    second = _run(sqlite_engine, path, "--jobcenter", "jc-nord", "--mapping", str(mapping))
    assert "0 created, 0 updated, 2 unchanged." in second.output
    rows = mapping.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "external_id,case_pseudonym,action"
    assert [(r.split(",")[0], r.split(",")[2]) for r in rows[1:]] == [("FV-1", "unchanged"), ("FV-2", "unchanged")]
    assert _mapped(sqlite_engine) == 2


def test_wrong_lines_are_listed_with_line_and_field_and_nothing_is_written(sqlite_engine: Engine,
                                                                           tmp_path: Path) -> None:
    _ready(sqlite_engine)
    path = tmp_path / "cases.jsonl"
    path.write_text('{"external_id": "FV-1", "jobcenter": "jc-nord", "counsellor": "niemand"}\n'
                    '{"external_id": "FV-2", "jobcenter": "jc-nord", "profile": {"has_cv": "vielleicht"}}\n'
                    '{"external_id": "FV-3", "jobcenter": "jc-west"}\n', encoding="utf-8")
    result = _run(sqlite_engine, path)
    assert result.exit_code == 2
    for expected in ("line 1, counsellor: No active counsellor with the user name niemand in Jobcenter jc-nord.",
                     "line 2, profile.has_cv: Please answer yes or no.",
                     "line 3, jobcenter: No Jobcenter with the code jc-west."):
        assert expected in result.output, result.output
    assert _mapped(sqlite_engine) == 0


def test_a_file_without_a_known_suffix_needs_the_format(sqlite_engine: Engine, tmp_path: Path) -> None:
    _ready(sqlite_engine)
    path = tmp_path / "cases.txt"
    path.write_text(CSV, encoding="utf-8")
    assert _run(sqlite_engine, path).exit_code == 2
    assert _run(sqlite_engine, path, "--format", "csv", "--jobcenter", "jc-nord").exit_code == 0
