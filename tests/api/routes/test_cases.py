"""``POST /cases:batch`` and ``GET /handoffs``: tokens of one Jobcenter, problem+json by line, nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from api.auth.api_tokens import create_token
from api.i18n import gettext
from models.db import session_scope
from models.inbound import ExternalCase, Handoff
from models.tables import Event, Jobcenter, JobSeeker
from recommender.casework.case_import import (
    DUPLICATE_ID,
    NOT_UTF8,
    OTHER_JOBCENTER,
    TOO_MANY,
    UNKNOWN_COUNSELLOR,
    UNKNOWN_JOBCENTER,
)
from recommender.casework.handoff import give_consent, revoke_consent
from tests.api.staff_util import StaffWorld

CSV = "text/csv"
JSONL = "application/x-ndjson"


def _token(app: FastAPI, scopes: str, code: str = "demo") -> str:
    with session_scope(app.state.engine) as session:
        centre = session.exec(select(Jobcenter).where(Jobcenter.code == code)).one()
        return create_token(session, jobcenter=centre, name="Fachverfahren Test", scopes=scopes).secret


def _post(client: TestClient, token: str, body: bytes | str, media: str = CSV, locale: str = "en") -> Any:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return client.post("/api/v1/cases:batch", content=data,
                       headers={"Authorization": f"Bearer {token}", "Content-Type": media, "Accept-Language": locale})


def _cases(app: FastAPI) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(ExternalCase)).one()


def _batch(world: StaffWorld, *lines: str) -> str:
    return "external_id,counsellor,months_unemployed\n" + "".join(f"{line}\n" for line in lines)


def test_batch_creates_cases_returns_the_mapping_and_a_second_send_changes_nothing(
        app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    token = _token(app, "cases:write")
    body = _batch(world, f"FV-1,{world.usernames['counsellor']},14", "FV-2,,3")
    first = _post(client, token, body)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (2, 0, 0)
    assert [(c["external_id"], c["action"]) for c in answer["cases"]] == [("FV-1", "created"), ("FV-2", "created")]
    assert all("id" not in c for c in answer["cases"])  # Lotse's row ids never leave
    second = _post(client, token, body).json()
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 2)
    assert [c["case_pseudonym"] for c in second["cases"]] == [c["case_pseudonym"] for c in answer["cases"]]
    assert _cases(app) == 2


def test_json_lines_are_accepted(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    body = '{"external_id": "FV-9", "profile": {"has_cv": true, "constraints": {"working_hours": "any"}}}\n'
    response = _post(client, _token(app, "cases:write"), body, JSONL)
    assert response.status_code == 200 and response.json()["created"] == 1


@pytest.mark.parametrize("media", ["application/json", "text/plain", "text/csv; charset=latin-1", ""])
def test_wrong_content_type_is_415_and_nothing_is_written(app: FastAPI, client: TestClient, world: StaffWorld,
                                                          media: str) -> None:
    response = _post(client, _token(app, "cases:write"), _batch(world, "FV-1,,3"), media)
    assert response.status_code == 415
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "text/csv" in response.json()["detail"] and _cases(app) == 0


def test_batch_over_the_configured_limit_is_413(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    app.state.settings.import_max_cases = 2
    response = _post(client, _token(app, "cases:write"), _batch(world, "FV-1,,1", "FV-2,,2", "FV-3,,3"))
    assert response.status_code == 413
    assert response.json()["errors"] == [{"line": 4, "field": "body", "message": gettext(
        TOO_MANY, "en", given="3", allowed="2")}]
    assert _cases(app) == 0


def test_invalid_utf8_names_the_line(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    body = _batch(world, "FV-1,,1").encode() + b"FV-\xe42,,2\n"
    response = _post(client, _token(app, "cases:write"), body)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"line": 3, "field": "body", "message": gettext(NOT_UTF8, "en")}]
    assert _cases(app) == 0


def test_unknown_jobcenter_is_422_and_another_jobcenter_is_403(app: FastAPI, client: TestClient,
                                                               world: StaffWorld) -> None:
    token = _token(app, "cases:write")
    unknown = _post(client, token, "external_id,jobcenter\nFV-1,demo\nFV-2,jc-gibt-es-nicht\n")
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == [{"line": 3, "field": "jobcenter", "message": gettext(
        UNKNOWN_JOBCENTER, "en", code="jc-gibt-es-nicht")}]
    other = _post(client, token, "external_id,jobcenter\nFV-1,other\n")
    assert other.status_code == 403
    assert other.json()["errors"] == [{"line": 2, "field": "jobcenter",
                                       "message": gettext(OTHER_JOBCENTER, "en", code="other")}]
    foreign_token = _token(app, "cases:write", code="other")
    response = _post(client, foreign_token, "external_id,jobcenter\nFV-1,demo\n")
    assert response.status_code == 403
    assert _cases(app) == 0


def test_duplicates_unknown_counsellor_and_bad_values_are_listed_in_german(
        app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    body = _batch(world, "FV-1,niemand,3", "FV-1,,4", "FV-2,,viele")
    response = _post(client, _token(app, "cases:write"), body, locale="de")
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors == [
        {"line": 2, "field": "counsellor", "message": gettext(UNKNOWN_COUNSELLOR, "de", name="niemand", code="demo")},
        {"line": 3, "field": "external_id", "message": gettext(DUPLICATE_ID, "de", external_id="FV-1", first="2")},
        {"line": 4, "field": "months_unemployed", "message": "Bitte geben Sie eine ganze Zahl ein."},
    ]
    assert _cases(app) == 0


def test_a_token_without_cases_write_cannot_import(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    response = _post(client, _token(app, "cases:read"), _batch(world, "FV-1,,3"))
    assert response.status_code == 403 and _cases(app) == 0


def _consenting_case(app: FastAPI, client: TestClient, world: StaffWorld) -> str:
    body = ('{"external_id": "FV-7", "profile": {"target_occupation": "62102", '
            '"constraints": {"working_hours": "any", "health_limits": ["no_night_shifts"]}}}\n')
    pseudonym = _post(client, _token(app, "cases:write"), body, JSONL).json()["cases"][0]["case_pseudonym"]
    with session_scope(app.state.engine) as session:
        give_consent(session, job_seeker=session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).one())
    return pseudonym


def test_handoffs_return_only_consented_cases_of_the_tokens_jobcenter(app: FastAPI, client: TestClient,
                                                                      world: StaffWorld) -> None:
    pseudonym = _consenting_case(app, client, world)
    _post(client, _token(app, "cases:write"), '{"external_id": "FV-8", "profile": {"has_cv": true}}\n', JSONL)
    headers = {"Authorization": f"Bearer {_token(app, 'cases:read')}"}
    page = client.get("/api/v1/handoffs", headers=headers).json()
    assert [(i["case_pseudonym"], i["external_id"]) for i in page["items"]] == [(pseudonym, "FV-7")]
    assert page["items"][0]["answers"]["target_occupation"] == "62102"
    assert page["items"][0]["answers"]["constraints"] == {"childcare_needed": None, "working_hours": "any"}
    other = client.get("/api/v1/handoffs", headers={"Authorization": f"Bearer {_token(app, 'cases:read', 'other')}"})
    assert other.status_code == 200 and other.json()["items"] == []
    with Session(app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(Handoff)).one() == 1
        assert session.exec(select(Event).where(Event.event_type == "handoff_delivered")).first() is not None


def test_revoking_stops_further_handoffs(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    pseudonym = _consenting_case(app, client, world)
    with session_scope(app.state.engine) as session:
        seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).one()
        revoke_consent(session, job_seeker=seeker)
    headers = {"Authorization": f"Bearer {_token(app, 'cases:read')}"}
    assert client.get("/api/v1/handoffs", headers=headers).json()["items"] == []
