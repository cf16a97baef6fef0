"""Outcomes recorded by the counsellor: JSON route and case page, own caseload only, messages in de and en."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlmodel import Session, select

from api.i18n import gettext
from models.tables import Outcome, jobcenter_today
from recommender.casework.caseload import CASE_NOT_FOUND
from recommender.casework.counsellor_outcome import OUTCOME_DATE_FORMAT, OUTCOME_DATE_IN_FUTURE
from tests.api.staff_util import StaffWorld, cheap_argon2, csrf, events, logged_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _outcomes(app: FastAPI) -> list[Outcome]:
    with Session(app.state.engine) as session:
        return list(session.exec(select(Outcome)).all())


def test_counsellor_records_job_start_on_own_case(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    response = client.post(f"/api/v1/cases/{world.own_case}/outcomes", headers={"X-CSRF-Token": csrf(client)},
                           json={"kind": "job_found", "occurred_on": jobcenter_today().isoformat()})
    assert response.status_code == 201
    assert response.json()["reported_by"] == "counsellor"
    assert [(o.kind, o.reported_by) for o in _outcomes(app)] == [("job_found", "counsellor")]
    logged = events(app, "client_outcome")
    assert len(logged) == 1 and logged[0].actor_role == "counsellor" and logged[0].outputs["source"] == "counsellor"


@pytest.mark.parametrize("locale", ["de", "en"])
def test_future_start_date_is_refused_in_the_users_language(app: FastAPI, world: StaffWorld, locale: str) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    client.cookies.set("lotse_locale", locale)
    response = client.post(f"/api/v1/cases/{world.own_case}/outcomes",
                           headers={"X-CSRF-Token": csrf(client), "Accept-Language": locale},
                           json={"occurred_on": (jobcenter_today() + timedelta(days=3)).isoformat()})
    assert response.status_code == 422
    assert response.json()["detail"] == gettext(OUTCOME_DATE_IN_FUTURE, locale)
    assert _outcomes(app) == []


def test_outcome_for_a_case_outside_the_caseload_is_refused(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    for pseudonym in (world.colleague_case, world.foreign_case):
        response = client.post(f"/api/v1/cases/{pseudonym}/outcomes", headers={"X-CSRF-Token": csrf(client)},
                               json={"occurred_on": jobcenter_today().isoformat()})
        assert response.status_code == 404 and response.json()["detail"] == CASE_NOT_FOUND
    assert _outcomes(app) == [] and events(app, "client_outcome") == []


def test_case_page_form_records_outcome_and_lists_it(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    url = f"/staff/cases/{world.own_case}"
    assert 'action="/staff/cases/' + world.own_case + '/outcomes"' in client.get(url).text
    token = csrf(client)
    bad = client.post(f"{url}/outcomes", data={"csrf_token": token, "kind": "job_found", "occurred_on": "morgen"},
                      headers={"X-CSRF-Token": token})
    assert bad.status_code == 422 and _outcomes(app) == []
    assert any(gettext(OUTCOME_DATE_FORMAT, lang) in bad.text for lang in ("de", "en"))
    done = client.post(f"{url}/outcomes", data={"csrf_token": token, "kind": "job_found",
                                                "occurred_on": jobcenter_today().isoformat()},
                       headers={"X-CSRF-Token": token}, follow_redirects=True)
    assert done.status_code == 200 and [o.reported_by for o in _outcomes(app)] == ["counsellor"]
