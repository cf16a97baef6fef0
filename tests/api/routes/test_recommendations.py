"""POST /api/v1/recommendations and the decision/explanation reads (issue 6)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.routes.recommendations import EXAMPLE_PROFILE, RecommendationRequest
from data.seed import DEMO_JOBCENTER_CODE
from models.db import session_scope
from models.tables import Event, JobSeeker, UserAccount
from recommender.decide.killswitch import set_kill_switch
from tests.api.staff_util import StaffWorld, cheap_argon2, logged_in  # noqa: F401  (fixture)
from tests.factories import make_decision, make_jobcenter

PERSON_LEVEL = re.compile(r"score|segment|prognos|employab|chance|probab", re.IGNORECASE)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@pytest.fixture
def seeded_client(app: FastAPI, client: TestClient) -> TestClient:
    with session_scope(app.state.engine) as session:
        make_jobcenter(session, code=DEMO_JOBCENTER_CODE)
    return client


def _post(client: TestClient, profile: dict[str, Any] | None = None, **extra: Any):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/recommendations", json={"profile": profile or EXAMPLE_PROFILE, **extra})


def test_recommendation_answers_with_ranked_gated_advice(seeded_client: TestClient) -> None:
    response = _post(seeded_client)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["items"] and [i["rank"] for i in body["items"]] == sorted(i["rank"] for i in body["items"])
    for item in body["items"]:
        if item["pending_review"]:
            assert item["text"] is None and item["reasons"] == []
            assert item["module_id"] is None and item["effort"] is None
            assert item["title"] == "Wird von Ihrem Jobcenter geprüft, in der Regel innerhalb von 3 Werktagen."
        else:
            assert item["text"] and item["title"]
    assert body["explanation_url"] == f"/api/v1/decisions/{body['decision_id']}/explanation"


def test_response_has_no_person_level_score(seeded_client: TestClient) -> None:
    body = _post(seeded_client).json()

    def keys(value: Any) -> list[str]:
        if isinstance(value, dict):
            return list(value) + [k for v in value.values() for k in keys(v)]
        if isinstance(value, list):
            return [k for v in value for k in keys(v)]
        return []

    assert [k for k in keys(body) if PERSON_LEVEL.search(k)] == []


def test_no_job_seeker_schema_or_table_carries_a_person_level_score(app: FastAPI) -> None:
    schemas = app.openapi()["components"]["schemas"]
    for name in ("DecisionOut", "ItemOut", "ObstacleOut", "ExplanationView", "ItemExplanation"):
        assert not [p for p in schemas[name]["properties"] if PERSON_LEVEL.search(p)], name
    assert not [c for c in JobSeeker.model_fields if PERSON_LEVEL.search(c)]


def test_openapi_carries_a_valid_example_request_and_response(app: FastAPI) -> None:
    operation = app.openapi()["paths"]["/api/v1/recommendations"]["post"]
    example = operation["requestBody"]["content"]["application/json"]["examples"]["retail"]["value"]
    assert RecommendationRequest.model_validate(example).profile.target_occupation == "62102"
    assert operation["responses"]["201"]["content"]["application/json"]["example"]["items"]


def test_second_request_reuses_the_same_case(seeded_client: TestClient, app: FastAPI) -> None:
    _post(seeded_client)
    _post(seeded_client)
    with Session(app.state.engine) as session:
        assert len(session.exec(select(JobSeeker)).all()) == 1


@pytest.mark.parametrize(
    ("language", "field", "message"),
    [
        ("de", "profile.months_unemployed", "Der Wert darf höchstens 600 sein."),
        ("en", "profile.months_unemployed", "The value must be at most 600."),
        ("de", "profile.max_commute_minutes", "Der Wert muss mindestens 0 sein."),
    ],
)
def test_invalid_profile_gets_field_messages_in_the_users_language(
    seeded_client: TestClient, app: FastAPI, language: str, field: str, message: str
) -> None:
    bad = {**EXAMPLE_PROFILE, "months_unemployed": 3600, "max_commute_minutes": -5}
    response = seeded_client.post("/api/v1/recommendations", json={"profile": bad},
                                  headers={"Accept-Language": language})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert {"field": field, "message": message} in response.json()["errors"]
    with Session(app.state.engine) as session:
        assert session.exec(select(Event)).all() == []


def test_protected_attribute_is_refused_with_a_clear_message(seeded_client: TestClient) -> None:
    response = _post(seeded_client, {**EXAMPLE_PROFILE, "gender": "female"})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "profile.gender"
    assert "geschützte Merkmale" in error["message"]


def test_unknown_and_foreign_decisions_are_not_found(seeded_client: TestClient, app: FastAPI) -> None:
    decision_id = _post(seeded_client).json()["decision_id"]
    assert seeded_client.get(f"/api/v1/decisions/{decision_id}").status_code == 200
    missing = seeded_client.get("/api/v1/decisions/0123456789abcdef0123456789abcdef")
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"
    with TestClient(app) as stranger:
        _post(stranger)
        assert stranger.get(f"/api/v1/decisions/{decision_id}").status_code == 404
        assert stranger.get(f"/api/v1/decisions/{decision_id}/explanation").status_code == 404


def test_decision_read_without_a_session_is_401(app: FastAPI, seeded_client: TestClient) -> None:
    decision_id = _post(seeded_client).json()["decision_id"]
    with TestClient(app) as anonymous:
        assert anonymous.get(f"/api/v1/decisions/{decision_id}").status_code == 401


@pytest.mark.parametrize("lang", ["de", "en"])
def test_explanation_is_plain_short_and_logged(seeded_client: TestClient, app: FastAPI, lang: str) -> None:
    decision_id = _post(seeded_client).json()["decision_id"]
    response = seeded_client.get(f"/api/v1/decisions/{decision_id}/explanation", params={"lang": lang})
    assert response.status_code == 200
    body = response.json()
    assert body["locale"] == lang and body["model_version"] and body["how_to_object"]
    assert body["items"] and all(item["main_reasons"] for item in body["items"])
    texts = body["how_it_works"] + [r for item in body["items"] for r in item["main_reasons"] + item["data_used"]]
    for text in texts:
        for sentence in SENTENCE_END.split(text):
            assert len(sentence.split()) <= 20, sentence
        assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), f"feature code in {text!r}"
    with Session(app.state.engine) as session:
        shown = session.exec(select(Event).where(Event.event_type == "explanation_shown")).one()
        assert shown.decision_id == decision_id and shown.ui_text_version == body["ui_text_version"]


def test_explanations_differ_by_language(seeded_client: TestClient) -> None:
    decision_id = _post(seeded_client).json()["decision_id"]
    de = seeded_client.get(f"/api/v1/decisions/{decision_id}/explanation?lang=de").json()
    en = seeded_client.get(f"/api/v1/decisions/{decision_id}/explanation?lang=en").json()
    assert de["how_it_works"] != en["how_it_works"]
    assert de["explanation_id"] != en["explanation_id"]


def test_kill_switch_is_stated_in_the_response(seeded_client: TestClient, app: FastAPI) -> None:
    with session_scope(app.state.engine) as session:
        set_kill_switch(session, on=True, actor_role="admin", actor_id=1, reason="incident")
    body = _post(seeded_client, locale="en").json()
    assert body["mode"] == "rules" and body["model_version"] == "rules"
    assert body["mode_notice"].startswith("AI support is switched off")


def test_empty_profile_gets_advice_and_names_the_answers_that_would_help(seeded_client: TestClient) -> None:
    response = seeded_client.post("/api/v1/recommendations", json={"profile": {}, "locale": "de"})
    assert response.status_code == 201
    body = response.json()
    assert body["items"]
    assert "Ihr Zielberuf" in body["missing_fields_message"]


def test_voluntary_audit_answers_go_to_the_audit_store_only(seeded_client: TestClient, app: FastAPI) -> None:
    from models.audit_store import make_audit_engine, read_audit_attributes
    from models.tables import Decision, ProfileSnapshot

    audit = {"gender": "female", "age_band": "25_49", "nationality_group": "non_german"}
    response = _post(seeded_client, audit=audit)
    assert response.status_code == 201
    with Session(app.state.engine) as session:
        pseudonym = session.exec(select(JobSeeker)).one().pseudonym
        stored = [session.exec(select(Decision)).one().features, session.exec(select(ProfileSnapshot)).one().payload,
                  [e.outputs for e in session.exec(select(Event)).all()]]
    assert "female" not in str(stored) and "non_german" not in str(stored)
    engine = make_audit_engine(app.state.settings.audit_database_url)
    assert read_audit_attributes(engine)[pseudonym]["gender"] == "female"
    engine.dispose()


def test_unknown_audit_value_is_refused_and_nothing_is_stored(seeded_client: TestClient, app: FastAPI) -> None:
    response = _post(seeded_client, audit={"gender": "robot"})
    assert response.status_code == 422
    with Session(app.state.engine) as session:
        assert session.exec(select(Event)).all() == []


def test_erasure_also_removes_the_voluntary_audit_answers(seeded_client: TestClient, app: FastAPI) -> None:
    from models.audit_store import make_audit_engine, read_audit_attributes

    assert _post(seeded_client, audit={"gender": "diverse"}).status_code == 201
    csrf = seeded_client.get("/api/v1/auth/session").json().get("csrf_token")
    response = seeded_client.post("/api/v1/me/erasure", json={"confirmation": "DELETE"},
                                  headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    engine = make_audit_engine(app.state.settings.audit_database_url)
    assert read_audit_attributes(engine) == {}
    engine.dispose()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_cross_site_form_posts_cannot_create_a_decision(
    seeded_client: TestClient, app: FastAPI, content_type: str
) -> None:
    """JSON only: a form on another site can send these content types, but never triggers advice (CSRF)."""
    import json

    response = seeded_client.post("/api/v1/recommendations", content=json.dumps({"profile": EXAMPLE_PROFILE}),
                                  headers={"content-type": content_type})
    assert response.status_code == 422
    with Session(app.state.engine) as session:
        assert session.exec(select(Event)).all() == []


def test_a_failed_commit_is_never_answered_as_saved(
    seeded_client: TestClient, app: FastAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commit happens before the response: a lost decision is a 500, never a 201 with a dead id."""
    from sqlmodel import Session as SqlSession

    def failing_commit(self: SqlSession) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(SqlSession, "commit", failing_commit)
    with TestClient(app, raise_server_exceptions=False) as fresh:
        response = _post(fresh)
    assert response.status_code == 500
    assert "decision_id" not in response.text


def _seeker_account_with_case(app: FastAPI, world: StaffWorld) -> str:
    """Give the job-seeker account a case with one decision of its own; return the decision id."""
    with session_scope(app.state.engine) as session:
        account = session.get(UserAccount, world.users[world.usernames["job_seeker"]])
        seeker = JobSeeker(jobcenter_id=account.jobcenter_id, user_id=account.id)
        session.add(seeker)
        session.flush()
        return make_decision(session, job_seeker=seeker).id


@pytest.mark.usefixtures("cheap_argon2")
def test_job_seeker_cannot_read_another_persons_decision(app: FastAPI, world: StaffWorld) -> None:
    own_decision = _seeker_account_with_case(app, world)
    client = logged_in(app, world.usernames["job_seeker"])
    assert client.get(f"/api/v1/decisions/{own_decision}").status_code == 200
    for guessed in (world.decision_id, uuid.uuid4().hex):
        assert client.get(f"/api/v1/decisions/{guessed}").status_code == 404
        assert client.get(f"/api/v1/decisions/{guessed}/explanation").status_code == 404
    export = client.get("/my-data/export.json")
    assert world.own_case not in export.text and world.decision_id not in export.text


@pytest.mark.parametrize(("field", "value", "message"), [
    (("eligibility", "receives_citizens_benefit"), 0, "Please answer yes or no."),
    (("has_cv",), "yes", "Please answer yes or no."),
    (("applications_last_3_months",), True, "Please enter a whole number."),
    (("months_unemployed",), "12", "Please enter a whole number."),
])
def test_loose_types_are_refused_with_a_friendly_message(seeded_client: TestClient, field: tuple[str, ...],
                                                         value: Any, message: str) -> None:
    profile: dict[str, Any] = {}
    target = profile
    for part in field[:-1]:
        target = target.setdefault(part, {})
    target[field[-1]] = value
    response = seeded_client.post("/api/v1/recommendations", json={"profile": profile},
                                  headers={"Accept-Language": "en"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"field": "profile." + ".".join(field), "message": message}]


def test_decision_timestamps_carry_their_zone_when_read_back(seeded_client: TestClient) -> None:
    created = _post(seeded_client).json()
    read = seeded_client.get(f"/api/v1/decisions/{created['decision_id']}").json()
    assert read["created_at"] == created["created_at"]
    assert read["created_at"].endswith(("Z", "+00:00"))


def test_concurrent_job_seekers_all_get_logged_advice(app: FastAPI, seeded_client: TestClient) -> None:
    """Eight people at once (issue 16): every request is answered and the log stays one valid chain."""
    from concurrent.futures import ThreadPoolExecutor

    from recommender.records.chain import verify_chain

    def one(months: int) -> int:
        with TestClient(app) as own:
            return _post(own, {**EXAMPLE_PROFILE, "months_unemployed": months}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(one, range(1, 17)))
    assert codes == [201] * 16
    with Session(app.state.engine) as session:
        report = verify_chain(session)
        assert report.ok, (report.broken, report.problems)
        assert len(session.exec(select(Event).where(Event.event_type == "recommendation_generated")).all()) == 16


def test_signed_in_job_seeker_gets_advice_twice_without_waiting_for_its_own_lock(app: FastAPI,
                                                                                 world: StaffWorld) -> None:
    # The account is read in the request's session (SQLite's write lock); the advice is written
    # in a short transaction of its own, which must not wait for that (issue 16).
    client = logged_in(app, world.usernames["job_seeker"])
    first = client.post("/api/v1/recommendations", json={"profile": EXAMPLE_PROFILE})
    second = client.post("/api/v1/recommendations", json={"profile": EXAMPLE_PROFILE})
    assert first.status_code == 201 and second.status_code == 201, (first.text, second.text)
    with Session(app.state.engine) as session:
        account = session.get(UserAccount, world.users[world.usernames["job_seeker"]])
        cases = session.exec(select(JobSeeker).where(JobSeeker.user_id == account.id)).all()  # type: ignore[union-attr]
        logged = session.exec(select(Event).where(Event.event_type == "recommendation_generated",
                                                  Event.case_pseudonym == cases[0].pseudonym)).all()
    assert len(cases) == 1 and len(logged) == 2
