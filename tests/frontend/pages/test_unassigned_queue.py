"""Suggestions of cases nobody has taken on yet reach the Jobcenter's staff (issue 15, finding 2)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import Event, Jobcenter
from tests.api.staff_util import StaffWorld, cheap_argon2  # noqa: F401  (fixture)
from tests.factories import make_decision, make_job_seeker
from tests.frontend.staff_pages_util import page_login, post_on_page

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _unassigned_case(app: FastAPI) -> str:
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == "demo")).one()
        seeker = make_job_seeker(session, jobcenter=center)
        make_decision(session, job_seeker=seeker)
        return seeker.pseudonym


def test_unassigned_case_items_show_in_every_counsellors_queue(app: FastAPI, world: StaffWorld) -> None:
    pseudonym = _unassigned_case(app)
    for username in ("colleague", world.usernames["team_lead"]):
        html = page_login(app, username).get("/staff/reviews").text
        assert "Noch nicht zugewiesen" in html
        assert html.count(f'name="pseudonym" value="{pseudonym}"') == 2
        assert "Kein Fall ohne Ansprechperson wartet." not in html


def test_taking_on_a_case_moves_it_into_the_caseload_and_is_logged(app: FastAPI, world: StaffWorld) -> None:
    pseudonym = _unassigned_case(app)
    client = page_login(app, "colleague")
    response = post_on_page(client, "/staff/reviews", "/staff/reviews/claim", {"pseudonym": pseudonym})
    assert response.status_code == 303 and response.headers["location"].startswith(f"/staff/cases/{pseudonym}")
    html = client.get("/staff/reviews").text
    assert f"/staff/cases/{pseudonym}/decisions/" in html
    assert "Kein Fall ohne Ansprechperson wartet." in html
    with Session(app.state.engine) as session:
        assert session.exec(select(Event).where(Event.event_type == "case_claimed",
                                                Event.case_pseudonym == pseudonym)).one()
    again = post_on_page(page_login(app, world.usernames["team_lead"]), "/staff/reviews", "/staff/reviews/claim",
                         {"pseudonym": pseudonym})
    assert again.status_code == 409 and "Jemand anderes hat diesen Fall gerade übernommen" in again.text


def test_claiming_a_case_of_another_jobcenter_is_refused(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, "colleague")
    response = post_on_page(client, "/staff/reviews", "/staff/reviews/claim", {"pseudonym": world.foreign_case})
    assert response.status_code == 404


def test_team_lead_sees_the_count_of_unassigned_items(app: FastAPI, world: StaffWorld) -> None:
    _unassigned_case(app)
    html = page_login(app, world.usernames["team_lead"]).get("/staff/team").text
    assert "Wartet auf Prüfung in noch nicht zugewiesenen Fällen (ganzes Jobcenter): 2" in html
