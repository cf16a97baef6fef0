"""The benchlearning file between Jobcenters: exact columns, same major version, no small cells, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.benchlearning import KpiFigure
from models.db import session_scope
from models.tables import Event
from recommender.evaluate.kpi import KpiError
from recommender.evaluate.kpi_file import COLUMNS, import_kpi_file, parse_kpi_file
from tests.factories import make_jobcenter

HEADER = ",".join(COLUMNS)
GOOD = (f"{HEADER}\n"
        "1.0,jc-nord,2026-Q3,all,cases_served,,412.0,412,ok\n"
        "1.0,jc-nord,2026-Q3,all,advice_shown,cv_documents,0.31,412,ok\n"
        "1.0,jc-nord,2026-Q3,team-1,advice_taken_up,cv_documents,,,suppressed\n"
        "1.0,jc-nord,2026-Q3,all,lotse_job_start_6m_share,,,,not_yet_observable\n")


def _file(tmp_path: Path, text: str, name: str = "kpi.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_valid_file_is_read_whole() -> None:
    parsed = parse_kpi_file(GOOD.encode())
    assert (parsed.jobcenter, parsed.period, len(parsed.rows)) == ("jc-nord", "2026-Q3", 4)
    assert parsed.rows[2].value is None and parsed.rows[2].status == "suppressed"


@pytest.mark.parametrize(("text", "message"), [
    (GOOD.replace(HEADER, HEADER + ",name"), "columns not in the schema: name"),
    (GOOD.replace(HEADER, HEADER.replace(",people", "")), "the columns must be exactly"),
    (GOOD.replace("1.0,jc-nord,2026-Q3,all,cases_served", "2.0,jc-nord,2026-Q3,all,cases_served"),
     "line 2: schema_version '2.0' is not compatible"),
    (GOOD.replace("0.31,412", "0.31,7"), "line 3: a figure resting on 7 people is shown"),
    (GOOD.replace("advice_taken_up,cv_documents,,,suppressed", "advice_taken_up,cv_documents,0.5,,suppressed"),
     "line 4: status 'suppressed' hides the figure"),
    (GOOD.replace("team-1", "Team Frau Meyer"), "line 4: team 'Team Frau Meyer' must be 1-32 letters"),
    (GOOD.replace("advice_shown,cv_documents,0.31", "advice_shown,cv_documents,1.31"), "line 3: value '1.31'"),
    (GOOD.replace("cases_served,,", "cases_served,cv_documents,"), "line 2: module 'cv_documents' must name"),
    (GOOD.replace("all,advice_shown", "all,salary"), "line 3: indicator 'salary' is not one of"),
    (GOOD.replace("1.0,jc-nord,2026-Q3,team-1", "1.0,jc-sued,2026-Q3,team-1"), "line 4: one file holds one Jobcenter"),
    (HEADER + "\n", "has no figures"),
])
def test_a_wrong_file_is_refused_with_the_line_and_reason(text: str, message: str) -> None:
    with pytest.raises(KpiError, match=message):
        parse_kpi_file(text.encode())


def test_invalid_utf8_is_refused() -> None:
    with pytest.raises(KpiError, match="not UTF-8"):
        parse_kpi_file(GOOD.encode() + b"\xff\xfe", name="kpi.csv")


def test_import_stores_once_replaces_on_reimport_and_refuses_own_jobcenter(engine: Engine, tmp_path: Path) -> None:
    path = _file(tmp_path, GOOD)
    with session_scope(engine) as session:
        make_jobcenter(session, code="demo")
        import_kpi_file(session, path, actor_id="test")
        import_kpi_file(session, path, actor_id="test")
        assert len(session.exec(select(KpiFigure)).all()) == 4
        assert len(session.exec(select(Event).where(Event.event_type == "kpi_imported")).all()) == 2
        with pytest.raises(KpiError, match="demo is a Jobcenter of this installation"):
            import_kpi_file(session, _file(tmp_path, GOOD.replace("jc-nord", "demo"), "own.csv"), actor_id="test")


def test_a_refused_file_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        import_kpi_file(session, _file(tmp_path, GOOD), actor_id="test")
    bad = GOOD.replace("412.0,412,ok", "412.0,412,ok").replace("0.31,412", "0.99,3")
    with pytest.raises(KpiError), session_scope(engine) as session:
        import_kpi_file(session, _file(tmp_path, bad, "bad.csv"), actor_id="test")
    with session_scope(engine) as session:
        values = {f.indicator: f.value for f in session.exec(select(KpiFigure)).all()}
    assert values["advice_shown"] == 0.31
