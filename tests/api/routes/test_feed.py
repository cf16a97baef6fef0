"""The outbound feed as an integrator meets it: counsellor decisions, plans and outcomes in order,
only of the token's Jobcenter, no staff free text, bad cursors refused with the reason."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from api.auth.api_tokens import create_token
from models.db import session_scope
from models.integration import FeedEntry
from models.interchange import FeedPageV1
from models.tables import Jobcenter, JobSeeker, jobcenter_today
from recommender.casework.journey import report_outcome
from recommender.casework.plan import add_to_plan, mark_done
from tests.api.staff_util import StaffWorld, cheap_argon2, csrf, logged_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("cheap_argon2")
STAFF_TEXT = "Bitte mit Frau K. vom Träger telefonieren"


def _bearer(app: FastAPI, code: str = "demo", scopes: str = "feed:read") -> dict[str, str]:
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == code)).one()
        return {"Authorization": f"Bearer {create_token(session, jobcenter=center, name='FV', scopes=scopes).secret}"}


def _review(app: FastAPI, world: StaffWorld) -> None:
    counsellor = logged_in(app, world.usernames["counsellor"])
    base = f"/api/v1/cases/{world.own_case}/items"
    headers = {"X-CSRF-Token": csrf(counsellor)}
    assert counsellor.post(f"{base}/{world.item_ids[0]}/review", headers=headers,
                           json={"action": "approve", "version": 1, "reason_code": "fits_situation"}).status_code == 200
    assert counsellor.post(f"{base}/{world.item_ids[1]}/review", headers=headers,
                           json={"action": "edit", "version": 1, "reason_code": "wording_clarified",
                                 "reason_text": STAFF_TEXT, "edited_text": STAFF_TEXT}).status_code == 200


def _seeker_acts(app: FastAPI, world: StaffWorld) -> None:
    with session_scope(app.state.engine) as session:
        seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.own_case)).one()
        add_to_plan(session, job_seeker=seeker, item_id=world.item_ids[2], due_date=None)
        mark_done(session, job_seeker=seeker, item_id=world.item_ids[2])
        report_outcome(session, job_seeker=seeker, kind="job_found", occurred_on=jobcenter_today())


def test_feed_lists_decisions_plans_and_outcomes_in_commit_order(app: FastAPI, client: TestClient,
                                                                 world: StaffWorld) -> None:
    _review(app, world)
    _seeker_acts(app, world)
    response = client.get("/api/v1/feed", headers=_bearer(app))
    assert response.status_code == 200, response.text
    page = FeedPageV1.model_validate(response.json())
    assert [(e.kind, getattr(e.data, "action", None) or getattr(e.data, "change", None) or e.data.kind)  # type: ignore[union-attr]
            for e in page.entries] == [("counsellor_decision", "approve"), ("counsellor_decision", "edit"),
                                       ("action_plan", "added"), ("action_plan", "done"), ("outcome", "job_found")]
    assert {e.case for e in page.entries} == {world.own_case}
    assert STAFF_TEXT not in response.text  # the counsellor's words stay in Lotse
    assert page.entries[1].data.text_changed is True  # type: ignore[union-attr]
    assert page.entries[3].data.steps[0].done is True  # type: ignore[union-attr]


def test_resuming_after_a_cursor_gives_the_rest_and_nothing_twice(app: FastAPI, client: TestClient,
                                                                  world: StaffWorld) -> None:
    _review(app, world)
    headers = _bearer(app)
    first = client.get("/api/v1/feed?limit=1", headers=headers).json()
    assert first["has_more"] is True and len(first["entries"]) == 1
    _seeker_acts(app, world)  # written while the client was away
    rest = client.get(f"/api/v1/feed?after={first['next_cursor']}", headers=headers).json()
    ids = [e["id"] for e in first["entries"] + rest["entries"]]
    assert len(ids) == len(set(ids)) == 5 and rest["has_more"] is False
    again = client.get(f"/api/v1/feed?after={rest['next_cursor']}", headers=headers).json()
    assert again == {"entries": [], "next_cursor": rest["next_cursor"], "has_more": False}


def test_a_token_of_another_jobcenter_sees_none_of_these_entries(app: FastAPI, client: TestClient,
                                                                 world: StaffWorld) -> None:
    _review(app, world)
    response = client.get("/api/v1/feed", headers=_bearer(app, code="other"))
    assert response.status_code == 200 and response.json()["entries"] == []


@pytest.mark.parametrize("cursor", ["abc", "-5", "1e3", "9" * 25])
def test_a_malformed_cursor_is_a_problem_naming_it_and_changes_nothing(app: FastAPI, client: TestClient,
                                                                       world: StaffWorld, cursor: str) -> None:
    headers = _bearer(app)
    response = client.get("/api/v1/feed", params={"after": cursor}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert "is not one this feed handed out" in response.json()["detail"]
    with Session(app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(FeedEntry)).one() == 0


def test_feed_needs_the_feed_scope(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    response = client.get("/api/v1/feed", headers=_bearer(app, scopes="cases:read plans:read"))
    assert response.status_code == 403 and "lacks the scope 'feed:read'" in response.json()["detail"]


def test_a_page_larger_than_allowed_is_refused_with_the_limit(app: FastAPI, client: TestClient,
                                                              world: StaffWorld) -> None:
    response = client.get("/api/v1/feed?limit=5000", headers={**_bearer(app), "Accept-Language": "en"})
    assert response.status_code == 422 and response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "limit: The value must be at most 1000."


def test_erasure_empties_the_cases_entries_and_tells_the_recipient(app: FastAPI, client: TestClient,
                                                                    world: StaffWorld) -> None:
    from recommender.casework.data_rights import erase_personal_data

    _review(app, world)
    _seeker_acts(app, world)
    headers = _bearer(app)
    before = client.get("/api/v1/feed", headers=headers).json()["entries"]
    with session_scope(app.state.engine) as session:
        seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.own_case)).one()
        report = erase_personal_data(session, job_seeker=seeker, confirmation="DELETE")
    assert report.changed["feed_entry"] == 5
    after = client.get("/api/v1/feed", headers=headers)
    entries = FeedPageV1.model_validate(after.json()).entries
    assert [(e.id, e.cursor, e.kind) for e in entries[:5]] == [(e["id"], e["cursor"], e["kind"]) for e in before]
    assert all(e.data.model_dump() == {"case": world.own_case, "erased": True} for e in entries[:5])
    assert entries[5].kind == "case_erased" and len(entries) == 6
    assert "occurred_on" not in after.text and "module_id" not in after.text
