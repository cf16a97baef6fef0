"""``GET /api/v1/kpi``: the token's own Jobcenter's benchlearning figures, only with ``kpi:read``."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.auth.api_tokens import create_token
from models.db import session_scope
from models.tables import Event, Jobcenter
from tests.api.staff_util import StaffWorld, cheap_argon2  # noqa: F401  (fixture)
from tests.factories import make_decision, make_job_seeker

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _bearer(app: FastAPI, scopes: str, code: str = "demo") -> dict[str, str]:
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == code)).one()
        for _ in range(11 if code == "demo" else 0):
            make_decision(session, job_seeker=make_job_seeker(session, jobcenter=center),
                          created_at=datetime(2026, 8, 3, tzinfo=UTC),
                          items=[{"module_id": "cv_documents", "review_state": "not_required"}])
        return {"Authorization": f"Bearer {create_token(session, jobcenter=center, name='KPI', scopes=scopes).secret}"}


def test_kpi_read_gives_the_own_jobcenters_figures_and_is_logged(app: FastAPI, client: TestClient,
                                                                 world: StaffWorld) -> None:
    response = client.get("/api/v1/kpi?period=2026-Q3", headers=_bearer(app, "kpi:read"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["jobcenter"], body["period"], body["schema_version"]) == ("demo", "2026-Q3", "1.0")
    served = next(f for f in body["figures"] if f["indicator"] == "cases_served" and f["team"] == "all")
    assert (served["value"], served["people"], served["status"]) == (11.0, 11, "ok")
    with session_scope(app.state.engine) as session:
        assert session.exec(select(Event).where(Event.event_type == "api_token_used")).first() is not None


def test_kpi_needs_the_kpi_scope_and_a_valid_quarter(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    assert client.get("/api/v1/kpi", headers=_bearer(app, "feed:read")).status_code == 403
    bad = client.get("/api/v1/kpi?period=2026-Q9", headers=_bearer(app, "kpi:read"))
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    future = client.get("/api/v1/kpi?period=2099-Q1", headers=_bearer(app, "kpi:read"))
    assert future.status_code == 422 and "has not started yet" in future.text
