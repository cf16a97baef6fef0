"""api/errors.py and frontend/errors.py: each kind of domain error has one answer, on the API and on the pages."""

from __future__ import annotations

import html
import uuid

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from api.errors import PROBLEM_JSON
from models.errors import ConflictError, ForbiddenError, InvalidError, LotseError, NotFoundError
from recommender.casework.caseload import CASE_NOT_FOUND
from recommender.casework.queue import DECISION_NOT_FOUND
from recommender.casework.review import REASON_MISSING
from tests.api.staff_util import StaffWorld, cheap_argon2, csrf, events, logged_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("cheap_argon2")

MESSAGE = "Synthetic domain error raised by a test route."
KINDS: list[tuple[type[LotseError], int]] = [(NotFoundError, 404), (ConflictError, 409), (InvalidError, 422),
                                             (ForbiddenError, 403)]


@pytest.fixture
def kind_client(app: FastAPI) -> TestClient:
    """The real app plus one route per kind that only raises it, under the API, the staff pages and the seeker pages."""
    router = APIRouter()
    for kind, _status in KINDS:
        def raise_it(kind: type[LotseError] = kind) -> None:
            raise kind(MESSAGE)
        for prefix in ("/api/v1/test-errors", "/staff/test-errors", "/test-errors"):
            router.add_api_route(f"{prefix}/{kind.__name__}", raise_it, methods=["GET"])
    app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_domain_error_answers_problem_json_with_its_status_on_the_api(kind_client: TestClient,
                                                                    kind: type[LotseError], status: int) -> None:
    response = kind_client.get(f"/api/v1/test-errors/{kind.__name__}")
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert (body["status"], body["detail"], body["instance"]) == (status, MESSAGE,
                                                                  f"/api/v1/test-errors/{kind.__name__}")


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_domain_error_shows_its_message_on_a_staff_page(kind_client: TestClient, kind: type[LotseError],
                                                        status: int) -> None:
    response = kind_client.get(f"/staff/test-errors/{kind.__name__}")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert MESSAGE in response.text


@pytest.mark.parametrize(("kind", "status"), KINDS)
def test_domain_error_shows_the_plain_error_page_to_a_job_seeker(kind_client: TestClient, kind: type[LotseError],
                                                                 status: int) -> None:
    response = kind_client.get(f"/test-errors/{kind.__name__}", headers={"Accept-Language": "en"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert MESSAGE not in response.text  # internal wording never reaches a job-seeker's page
    assert "Back" in response.text


def test_internal_error_answers_500_without_detail(kind_client: TestClient, app: FastAPI) -> None:
    def fail() -> None:
        raise LotseError(MESSAGE)

    app.add_api_route("/api/v1/test-errors/internal", fail)
    response = kind_client.get("/api/v1/test-errors/internal")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert MESSAGE not in response.text


def test_every_api_operation_documents_a_response_schema_and_its_problems(app: FastAPI) -> None:
    document = app.openapi()
    missing = []
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, operation in operations.items():
            name = f"{method.upper()} {path}"
            responses = operation["responses"]
            ok = [code for code in responses if code.startswith("2")]
            if not ok:
                missing.append(f"{name}: no 2xx response")
            for code in ok:
                content = responses[code].get("content")
                if code != "204" and not (content and all(media.get("schema") for media in content.values())):
                    missing.append(f"{name}: {code} has no schema")
            problems = [code for code in responses if code.startswith("4")]
            # Public, no input: nothing can go wrong.
            if not problems and name not in ("GET /api/v1/auth/session", "GET /api/v1/schemas/"):
                missing.append(f"{name}: no 4xx documented")
            for code in problems:
                schema = responses[code].get("content", {}).get(PROBLEM_JSON, {}).get("schema")
                if schema != {"$ref": "#/components/schemas/Problem"}:
                    missing.append(f"{name}: {code} is not documented as problem+json")
    assert missing == []
    assert {"status", "detail"} <= set(document["components"]["schemas"]["Problem"]["properties"])


# --- real routes: the kinds reach people unchanged, and traces survive the failed request -----------------


def test_rejected_review_answers_422_and_keeps_the_read_logged(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    response = client.post(f"/api/v1/cases/{world.own_case}/items/{world.item_ids[0]}/review",
                           headers={"X-CSRF-Token": csrf(client)}, json={"action": "approve", "version": 1})
    assert response.status_code == 422
    assert response.json()["detail"] == REASON_MISSING
    assert [e.case_pseudonym for e in events(app, "case_accessed")] == [world.own_case]


@pytest.mark.parametrize("where", ["api", "page"])
def test_reassigning_an_unknown_case_answers_404_and_is_logged(app: FastAPI, world: StaffWorld, where: str) -> None:
    lead = logged_in(app, world.usernames["team_lead"])
    unknown = uuid.uuid4().hex
    if where == "api":
        response = lead.post(f"/api/v1/team/cases/{unknown}/reassign", headers={"X-CSRF-Token": csrf(lead)},
                             json={"counsellor_id": world.users["colleague"], "reason": "Elternzeit"})
        assert response.json()["detail"] == CASE_NOT_FOUND
    else:
        response = lead.post(f"/staff/team/cases/{unknown}/reassign",
                             data={"counsellor_id": world.users["colleague"], "reason": "Elternzeit",
                                   "csrf_token": csrf(lead)})
        assert CASE_NOT_FOUND in html.unescape(response.text)
    assert response.status_code == 404
    assert [e.case_pseudonym for e in events(app, "access_denied")] == [unknown]


def test_unknown_decision_page_names_the_reason_with_404(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    response = client.get(f"/staff/cases/{world.own_case}/decisions/{uuid.uuid4().hex}")
    assert response.status_code == 404
    assert DECISION_NOT_FOUND in response.text
    assert world.usernames["counsellor"] in response.text  # the staff menu stays, naming who is signed in


def test_internal_error_on_a_page_shows_the_error_page_in_the_persons_language(kind_client: TestClient,
                                                                              app: FastAPI) -> None:
    """E.g. the database went away mid-request: a page that says what to do, never JSON or the fault's text."""
    def fail() -> None:
        raise RuntimeError(MESSAGE)

    app.add_api_route("/test-errors/internal", fail)
    response = kind_client.get("/test-errors/internal", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in response.text and "Please try again later." in response.text
    assert MESSAGE not in response.text


def test_internal_error_on_a_staff_page_never_promises_that_the_last_save_was_kept(
        kind_client: TestClient, app: FastAPI) -> None:
    """A review or note may or may not have been saved when the request failed: the page says to check."""
    def fail() -> None:
        raise RuntimeError(MESSAGE)

    app.add_api_route("/staff/test-errors/internal", fail)
    for locale, check in (("en", "check whether it was saved"), ("de", "prüfen Sie, ob es gespeichert wurde")):
        response = kind_client.get("/staff/test-errors/internal", headers={"Accept-Language": locale})
        assert response.status_code == 500
        assert response.headers["content-type"].startswith("text/html")
        text = html.unescape(response.text)
        assert check in text
        assert "saved answers" not in text and "gespeicherten Antworten" not in text
        assert MESSAGE not in text
