"""The case API (api/routes/reviews.py): guessed ids, hostile query strings and forged forms change nothing,
refusals are logged; reviews need a reason and lose cleanly to a concurrent review."""

from __future__ import annotations

import uuid

import pytest
from fastapi import FastAPI
from sqlmodel import Session, col, func, select

from models.db import session_scope
from models.tables import DecisionItem, JobSeeker, UserAccount
from recommender.casework.case_mode import MODE_REASON_MISSING
from recommender.casework.caseload import CASE_NOT_FOUND
from recommender.casework.validation import TEXT_MISSING
from recommender.records.chain import verify_chain
from recommender.records.free_text import text_digest
from tests.api.staff_util import StaffWorld, cheap_argon2, csrf, events, logged_in  # noqa: F401  (fixture)
from tests.factories import make_decision

SQL_INJECTIONS = ["' OR '1'='1", "1; DROP TABLE event;--", "\" OR 1=1 --", "%27%20OR%201%3D1", "') UNION SELECT 1--"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def test_counsellor_guessing_a_colleague_case_gets_404_and_is_logged(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    for pseudonym in (world.colleague_case, world.foreign_case, uuid.uuid4().hex):
        response = client.get(f"/api/v1/cases/{pseudonym}")
        assert response.status_code == 404
        assert response.json()["detail"] == CASE_NOT_FOUND  # the same answer whether the case exists or not
    denied = events(app, "access_denied")
    assert len(denied) == 3
    assert [e.case_pseudonym for e in denied][:2] == [world.colleague_case, world.foreign_case]
    assert all(e.actor_id == str(world.users[world.usernames["counsellor"]]) for e in denied)


def test_unknown_and_foreign_cases_answer_identically(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    foreign = client.get(f"/api/v1/cases/{world.foreign_case}").json()
    unknown = client.get(f"/api/v1/cases/{uuid.uuid4().hex}").json()
    assert foreign["detail"] == unknown["detail"]


def test_foreign_jobcenter_case_stays_closed_even_with_a_purpose(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    assert client.get(f"/api/v1/cases/{world.foreign_case}?purpose=vacation_cover").status_code == 404


def test_colleague_case_with_purpose_is_readable_and_logged_with_purpose(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    assert client.get(f"/api/v1/cases/{world.colleague_case}?purpose=bogus").status_code == 422
    assert client.get(f"/api/v1/cases/{world.colleague_case}?purpose=other").status_code == 422  # needs a note
    response = client.get(f"/api/v1/cases/{world.colleague_case}?purpose=vacation_cover")
    assert response.status_code == 200
    assert client.get(f"/api/v1/cases/{world.colleague_case}").status_code == 200  # grant lasts
    reads = [e for e in events(app, "case_accessed") if e.case_pseudonym == world.colleague_case]
    assert len(reads) == 2 and all(e.reason.startswith("vacation_cover") for e in reads)


def test_every_staff_read_of_own_case_is_logged(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    client.get(f"/api/v1/cases/{world.own_case}")
    client.get(f"/api/v1/cases/{world.own_case}/decisions/{world.decision_id}")
    reads = events(app, "case_accessed")
    assert [(e.case_pseudonym, e.reason) for e in reads] == [(world.own_case, "caseload")] * 2
    assert reads[0].action == "read_case" and reads[1].action == "read_case_decision"


def test_item_of_another_case_cannot_be_reviewed_through_own_case(app: FastAPI, world: StaffWorld) -> None:
    with Session(app.state.engine) as session:
        colleague_seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.colleague_case)).one()
        foreign_item = session.exec(select(DecisionItem)).all()
        foreign_item_id = next(i.id for i in foreign_item if i.id not in world.item_ids)
        assert colleague_seeker.id
    client = logged_in(app, world.usernames["counsellor"])
    response = client.post(f"/api/v1/cases/{world.own_case}/items/{foreign_item_id}/review",
                           headers={"X-CSRF-Token": csrf(client)},
                           json={"action": "approve", "version": 1, "reason_code": "fits_situation"})
    assert response.status_code == 404
    with Session(app.state.engine) as session:
        assert session.get(DecisionItem, foreign_item_id).review_state == "pending_review"
    assert events(app, "access_denied")


def test_decision_of_another_case_is_not_found(app: FastAPI, world: StaffWorld) -> None:
    with session_scope(app.state.engine) as session:
        colleague_seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.colleague_case)).one()
        other_decision = make_decision(session, job_seeker=colleague_seeker).id
    client = logged_in(app, world.usernames["counsellor"])
    assert client.get(f"/api/v1/cases/{world.own_case}/decisions/{other_decision}").status_code == 404


def test_job_seeker_account_cannot_open_staff_routes(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["job_seeker"])
    assert client.get(f"/api/v1/cases/{world.own_case}").status_code == 403
    assert client.get("/staff/caseload", follow_redirects=False).status_code == 403


@pytest.mark.parametrize("hostile", SQL_INJECTIONS)
def test_sql_injection_in_query_parameters_changes_nothing(app: FastAPI, world: StaffWorld, hostile: str) -> None:
    with Session(app.state.engine) as session:
        users_before = session.exec(select(func.count()).select_from(UserAccount)).one()
    counsellor = logged_in(app, world.usernames["counsellor"])
    lead = logged_in(app, world.usernames["team_lead"])
    assert counsellor.get("/api/v1/cases", params={"sort": hostile}).status_code == 422
    assert counsellor.get("/api/v1/cases", params={"open_reviews": hostile}).status_code == 422
    # The page falls back to the default sort; only a value over the 20-character limit is refused.
    page = counsellor.get("/staff/caseload", params={"sort": hostile})
    assert page.status_code == (422 if len(hostile) > 20 else 200)
    assert counsellor.get(f"/api/v1/cases/{hostile}").status_code == 404
    assert counsellor.get(f"/api/v1/cases/{world.own_case}", params={"purpose": hostile}).status_code == 422
    assert lead.get("/api/v1/monitoring/team", params={"group_by": hostile}).status_code == 422
    assert lead.get("/api/v1/monitoring/team", params={"days": hostile}).status_code == 422
    with Session(app.state.engine) as session:
        assert session.exec(select(func.count()).select_from(UserAccount)).one() == users_before
        assert verify_chain(session).ok
        own = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.own_case)).one()
        assert own.erased_at is None


def test_review_without_or_with_wrong_csrf_token_is_refused(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    url = f"/api/v1/cases/{world.own_case}/items/{world.item_ids[0]}/review"
    body = {"action": "approve", "version": 1, "reason_code": "fits_situation"}
    assert client.post(url, json=body).status_code == 403
    assert client.post(url, json=body, headers={"X-CSRF-Token": "forged-token"}).status_code == 403
    form = client.post(f"/staff/cases/{world.own_case}/items/{world.item_ids[0]}/review",
                       data={**body, "csrf_token": "forged"}, follow_redirects=False)
    assert form.status_code == 403
    with Session(app.state.engine) as session:
        assert session.get(DecisionItem, world.item_ids[0]).review_state == "pending_review"
    assert client.post(url, json=body, headers={"X-CSRF-Token": csrf(client)}).status_code == 200


def test_review_api_reports_missing_reason_and_conflict(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    headers = {"X-CSRF-Token": csrf(client)}
    url = f"/api/v1/cases/{world.own_case}/items/{world.item_ids[0]}/review"
    missing = client.post(url, headers=headers, json={"action": "reject", "version": 1})
    assert missing.status_code == 422
    assert missing.json()["detail"] == "Please choose a reason from the list."
    first = client.post(url, headers=headers, json={"action": "approve", "version": 1, "reason_code": "fits_situation"})
    assert first.status_code == 200 and first.json()["version"] == 2
    second = client.post(url, headers=headers, json={"action": "reject", "version": 1, "reason_code": "not_eligible",
                                                      "reason_text": "zu spät"})
    assert second.status_code == 409
    assert "reviewed this item first" in second.json()["detail"]


def test_reassignment_by_team_lead_is_logged_and_moves_access(app: FastAPI, world: StaffWorld) -> None:
    lead = logged_in(app, world.usernames["team_lead"])
    colleague_id = world.users["colleague"]
    url = f"/api/v1/team/cases/{world.own_case}/reassign"
    assert lead.post(url, headers={"X-CSRF-Token": csrf(lead)}, json={"counsellor_id": colleague_id}).status_code == 422
    done = lead.post(url, headers={"X-CSRF-Token": csrf(lead)},
                     json={"counsellor_id": colleague_id, "reason": "Elternzeit"})
    assert done.status_code == 200
    assert events(app, "case_reassigned")[0].reason == text_digest("Elternzeit")  # never the text itself
    assert logged_in(app, world.usernames["counsellor"]).get(f"/api/v1/cases/{world.own_case}").status_code == 404
    assert logged_in(app, "colleague").get(f"/api/v1/cases/{world.own_case}").status_code == 200


def test_review_queue_lists_the_pending_items_of_the_own_caseload(app: FastAPI, world: StaffWorld) -> None:
    items = logged_in(app, world.usernames["counsellor"]).get("/api/v1/reviews/queue").json()["items"]
    with Session(app.state.engine) as session:
        pending = {i.id for i in session.exec(select(DecisionItem).where(
            col(DecisionItem.id).in_(world.item_ids), DecisionItem.review_state == "pending_review")).all()}
    assert pending and {row["item_id"] for row in items} == pending
    assert {row["pseudonym"] for row in items} == {world.own_case}
    theirs = logged_in(app, "colleague").get("/api/v1/reviews/queue").json()["items"]
    assert world.own_case not in {row["pseudonym"] for row in theirs}


@pytest.mark.parametrize(("path", "text"), [("notes", "Termin am Montag"), ("advice", "Bewerbungsfoto machen")])
def test_empty_text_is_refused_and_text_is_stored(app: FastAPI, world: StaffWorld, path: str, text: str) -> None:
    """Notes and the counsellor's own advice: empty text answers 422 with the message, text is stored."""
    client = logged_in(app, world.usernames["counsellor"])
    url = f"/api/v1/cases/{world.own_case}/{path}"
    refused = client.post(url, headers={"X-CSRF-Token": csrf(client)}, json={"text": "   "})
    assert refused.status_code == 422 and refused.json()["detail"] == TEXT_MISSING
    assert client.post(url, headers={"X-CSRF-Token": csrf(client)}, json={"text": text}).status_code == 201
    if path == "notes":
        assert [note["text"] for note in client.get(f"/api/v1/cases/{world.own_case}").json()["notes"]] == [text]
    else:
        assert len(events(app, "counsellor_advice_added")) == 1


def test_case_mode_needs_a_reason_and_reports_whether_it_changed(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    url = f"/api/v1/cases/{world.own_case}/mode"
    refused = client.put(url, headers={"X-CSRF-Token": csrf(client)}, json={"without_ai": True})
    assert refused.status_code == 422 and refused.json()["detail"] == MODE_REASON_MISSING
    body = {"without_ai": True, "reason": "Person möchte ohne KI"}
    assert client.put(url, headers={"X-CSRF-Token": csrf(client)}, json=body).json() == {"without_ai": True,
                                                                                           "changed": True}
    assert client.put(url, headers={"X-CSRF-Token": csrf(client)}, json=body).json()["changed"] is False
    assert len(events(app, "case_mode_changed")) == 1
