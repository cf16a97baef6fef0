"""The team lead's comparison with other Jobcenters: chart and table per indicator, caveat, no JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlmodel import select

from models.db import session_scope
from models.tables import Jobcenter
from recommender.evaluate.kpi_file import import_kpi_file
from tests.api.staff_util import StaffWorld, cheap_argon2  # noqa: F401  (fixture)
from tests.factories import make_decision, make_job_seeker
from tests.frontend.staff_pages_util import page_login

pytestmark = pytest.mark.usefixtures("cheap_argon2")
OTHER = ("schema_version,jobcenter,period,team,indicator,module,value,people,status\n"
         "1.0,jc-nord,2026-Q3,all,cases_served,,412.0,412,ok\n"
         "1.0,jc-nord,2026-Q3,all,advice_shown,cv_documents,0.25,412,ok\n")


def _q3_cases(app: FastAPI, tmp_path: Path) -> None:
    path = tmp_path / "nord.csv"
    path.write_text(OTHER, encoding="utf-8")
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == "demo")).one()
        for _ in range(12):
            make_decision(session, job_seeker=make_job_seeker(session, jobcenter=center),
                          created_at=datetime(2026, 8, 3, tzinfo=UTC),
                          items=[{"module_id": "cv_documents", "review_state": "not_required"}])
        import_kpi_file(session, path, actor_id="test")


def test_team_lead_sees_each_indicator_as_chart_and_table_beside_other_jobcenters(
        app: FastAPI, world: StaffWorld, tmp_path: Path) -> None:
    _q3_cases(app, tmp_path)
    client = page_login(app, world.usernames["team_lead"])
    html = client.get("/staff/benchlearning?period=2026-Q3").text
    assert "Jobcenter vergleichen" in html and "nicht die amtlichen Kennzahlen nach § 48a SGB II" in html
    assert '<img src="/staff/benchlearning/chart.svg?indicator=cases_served&amp;period=2026-Q3"' in html
    assert "<th scope=\"row\">demo (wir)</th><td>12</td>" in html and "jc-nord" in html and "412" in html
    assert "Machen Sie Ihren Lebenslauf fertig" in html and "25 %" in html
    chart = client.get("/staff/benchlearning/chart.svg?indicator=cases_served&period=2026-Q3")
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    assert chart.text.count("<path") > 2
    assert "review_median_hours" not in html  # all suppressed for 12 unreviewed cases: no empty chart


def test_the_page_says_when_no_other_jobcenter_shared_figures(app: FastAPI, world: StaffWorld) -> None:
    html = page_login(app, world.usernames["team_lead"]).get("/staff/benchlearning?period=2026-Q3").text
    assert "Noch keine Zahlen anderer Jobcenter für 2026-Q3 eingelesen" in html


def test_bad_quarter_and_unknown_indicator_are_422_with_the_reason(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["team_lead"])
    page = client.get("/staff/benchlearning?period=2026-Q9")
    assert page.status_code == 422 and "2026-Q9 ist kein Quartal; schreiben Sie es wie 2026-Q3." in page.text
    chart = client.get("/staff/benchlearning/chart.svg?indicator=salary&period=2026-Q3")
    assert chart.status_code == 422 and chart.text == "Unbekannte Kennzahl."


@pytest.mark.parametrize("role", ["counsellor", "data_scientist"])
def test_only_team_leads_may_compare(app: FastAPI, world: StaffWorld, role: str) -> None:
    response = page_login(app, world.usernames[role]).get("/staff/benchlearning")
    assert response.status_code == 403
