"""Machine clients read cases, decisions and plans of their own Jobcenter only; every read is logged."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.auth.api_tokens import create_token
from models.db import session_scope
from models.interchange import ActionPlanV1, CaseV1, DecisionV1
from models.tables import Jobcenter, JobSeeker
from recommender.casework.interchange_view import CASE_NOT_IN_JOBCENTER
from recommender.casework.plan import add_to_plan
from tests.api.staff_util import StaffWorld, events


def _bearer(app: FastAPI, scopes: str, code: str = "demo") -> dict[str, str]:
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == code)).one()
        return {"Authorization": f"Bearer {create_token(session, jobcenter=center, name='FV', scopes=scopes).secret}"}


def test_case_and_decisions_come_as_published_documents(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    headers = _bearer(app, "cases:read")
    case = client.get(f"/api/v1/integration/cases/{world.own_case}", headers=headers)
    assert case.status_code == 200, case.text
    assert CaseV1.model_validate(case.json()).counsellor_assigned is True
    decisions = client.get(f"/api/v1/integration/cases/{world.own_case}/decisions", headers=headers).json()
    (decision,) = [DecisionV1.model_validate(d) for d in decisions]
    assert [item.id for item in decision.items] == world.item_ids
    reads = events(app, "case_accessed")
    assert [(e.actor_role, e.case_pseudonym) for e in reads] == [("machine", world.own_case)] * 2


def test_plan_needs_plans_read_and_shows_the_steps(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    with session_scope(app.state.engine) as session:
        seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.own_case)).one()
        add_to_plan(session, job_seeker=seeker, item_id=world.item_ids[2], due_date=None)
    url = f"/api/v1/integration/cases/{world.own_case}/plan"
    assert client.get(url, headers=_bearer(app, "cases:read")).status_code == 403
    plan = ActionPlanV1.model_validate(client.get(url, headers=_bearer(app, "plans:read")).json())
    assert [step.module_id for step in plan.steps] == ["cv_update"] and plan.change is None


@pytest.mark.parametrize("which", ["foreign", "unknown"])
def test_a_case_of_another_jobcenter_is_not_found_like_an_unknown_one(app: FastAPI, client: TestClient,
                                                                     world: StaffWorld, which: str) -> None:
    pseudonym = world.foreign_case if which == "foreign" else "0" * 32
    response = client.get(f"/api/v1/integration/cases/{pseudonym}", headers=_bearer(app, "cases:read"))
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == CASE_NOT_IN_JOBCENTER.format(pseudonym=pseudonym)
    assert [e.case_pseudonym for e in events(app, "access_denied")] == [pseudonym]


def test_the_other_jobcenters_token_cannot_read_this_case(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    headers = _bearer(app, "cases:read plans:read", code="other")
    for suffix in ("", "/decisions", "/plan"):
        assert client.get(f"/api/v1/integration/cases/{world.own_case}{suffix}", headers=headers).status_code == 404
