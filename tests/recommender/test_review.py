"""Counsellor review actions: reasons required, optimistic locking, own advice, notes, case mode."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.staff import CaseMode, case_works_without_ai, visible_case_notes
from models.tables import DecisionItem, Event, JobSeeker, UserAccount
from recommender.casework.assignment import reassign_case
from recommender.casework.case_mode import set_case_mode
from recommender.casework.notes import add_note
from recommender.casework.queue import caseload_overview, review_queue
from recommender.casework.review import (
    CONFLICT_NOT_PENDING,
    EDIT_NOTHING,
    REASON_MISSING,
    add_counsellor_advice,
    review_item,
)
from recommender.casework.validation import ReviewConflict, ReviewError, ReviewNotFound
from recommender.records.chain import verify_chain
from recommender.records.free_text import text_digest
from tests.factories import assign_case, make_decision, make_job_seeker, make_jobcenter, make_staff_user, make_team


@pytest.fixture
def case(engine: Engine) -> dict:
    with session_scope(engine) as session:
        center = make_jobcenter(session, code="demo")
        team = make_team(session, jobcenter=center)
        counsellor = make_staff_user(session, role="counsellor", jobcenter=center, team=team)
        colleague = make_staff_user(session, role="counsellor", jobcenter=center, team=team, username="colleague")
        lead = make_staff_user(session, role="team_lead", jobcenter=center, team=team)
        seeker = make_job_seeker(session, jobcenter=center)
        assign_case(session, job_seeker=seeker, counsellor=counsellor)
        decision = make_decision(session, job_seeker=seeker)
        items = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)
                             .order_by(DecisionItem.rank)).all()
        other = make_job_seeker(session, jobcenter=center)
        other_decision = make_decision(session, job_seeker=other)
        other_item = session.exec(select(DecisionItem).where(DecisionItem.decision_id == other_decision.id)).first()
        return {"counsellor": counsellor.id, "colleague": colleague.id, "lead": lead.id, "seeker": seeker.id,
                "decision": decision.id, "items": [i.id for i in items], "other_item": other_item.id}


def _review(engine: Engine, case: dict, action: str, *, item: int = 0, user: str = "counsellor",
            version: int = 1, **kwargs) -> DecisionItem:
    with session_scope(engine) as session:
        return review_item(session, job_seeker=session.get(JobSeeker, case["seeker"]), item_id=case["items"][item],
                           reviewer=session.get(UserAccount, case[user]), action=action,
                           expected_version=version, **kwargs)


def test_approve_with_reason_sets_state_and_logs_event(engine: Engine, case: dict) -> None:
    item = _review(engine, case, "approve", reason_code="fits_situation", reason_text="")
    assert item.review_state == "approved" and item.version == 2
    with Session(engine) as session:
        event = session.exec(select(Event).where(Event.event_type == "reviewer_approved")).one()
        assert event.reason == "approve:fits_situation"
        assert event.decision_id == case["decision"]
        assert event.model_version == "lgbm-test-1"
        assert verify_chain(session).ok


@pytest.mark.parametrize(("action", "code", "text", "message"), [
    ("reject", "", "", REASON_MISSING),
    ("reject", "not_eligible", "  ", "needs a free-text reason"),
    ("approve", "other", "", "needs a free-text reason"),
    ("reject", "because", "x", "Unknown reason 'because'"),
    ("delete", "x", "x", "Unknown review action"),
])
def test_review_without_valid_reason_is_refused_and_changes_nothing(
    engine: Engine, case: dict, action: str, code: str, text: str, message: str
) -> None:
    with pytest.raises(ReviewError, match=message):
        _review(engine, case, action, reason_code=code, reason_text=text)
    with Session(engine) as session:
        assert session.get(DecisionItem, case["items"][0]).review_state == "pending_review"
        assert session.exec(select(Event).where(Event.event_type.like("reviewer_%"))).all() == []


def test_concurrent_approvals_have_one_winner(engine: Engine, case: dict) -> None:
    # Both counsellors loaded the page while the item had version 1.
    _review(engine, case, "approve", reason_code="fits_situation", reason_text="")
    with pytest.raises(ReviewConflict, match="Someone else reviewed this item first"):
        _review(engine, case, "reject", user="colleague", reason_code="not_eligible", reason_text="too late")
    with Session(engine) as session:
        item = session.get(DecisionItem, case["items"][0])
        assert item.review_state == "approved" and item.reviewed_by == case["counsellor"]
        assert len(session.exec(select(Event).where(Event.event_type.like("reviewer_%"))).all()) == 1


def test_edit_changes_text_and_due_date(engine: Engine, case: dict) -> None:
    due = date.today() + timedelta(days=14)
    item = _review(engine, case, "edit", reason_code="adjusted_to_situation", reason_text="Teilzeit",
                   edited_text="Bildungsgutschein für Teilzeit-Weiterbildung", due_date=due)
    assert item.review_state == "edited" and item.due_date == due
    assert item.edited_text == "Bildungsgutschein für Teilzeit-Weiterbildung"


def test_edit_without_change_or_with_past_due_date_is_refused(engine: Engine, case: dict) -> None:
    with pytest.raises(ReviewError, match=EDIT_NOTHING):
        _review(engine, case, "edit", reason_code="wording_clarified", reason_text="x")
    with pytest.raises(ReviewError, match="in the past"):
        _review(engine, case, "edit", reason_code="due_date_changed", reason_text="x",
                due_date=date.today() - timedelta(days=1))


def test_item_without_review_need_cannot_be_reviewed(engine: Engine, case: dict) -> None:
    with pytest.raises(ReviewConflict, match=CONFLICT_NOT_PENDING.split("(")[0]):
        _review(engine, case, "approve", item=2, reason_code="fits_situation", reason_text="")


def test_item_of_another_case_is_not_found_and_logged(engine: Engine, case: dict) -> None:
    with pytest.raises(ReviewNotFound), session_scope(engine) as session:
        review_item(session, job_seeker=session.get(JobSeeker, case["seeker"]), item_id=case["other_item"],
                    reviewer=session.get(UserAccount, case["counsellor"]), action="approve",
                    reason_code="fits_situation", reason_text="", expected_version=1)
    with Session(engine) as session:
        assert session.get(DecisionItem, case["other_item"]).review_state == "pending_review"


def test_counsellor_advice_is_approved_and_marked_as_authored(engine: Engine, case: dict) -> None:
    with session_scope(engine) as session:
        item = add_counsellor_advice(session, job_seeker=session.get(JobSeeker, case["seeker"]),
                                     author=session.get(UserAccount, case["counsellor"]),
                                     text="Bewerbung bei der Stadtbibliothek einreichen")
        assert item.authored_by_counsellor and item.review_state == "approved" and item.rank == 4
    with Session(engine) as session:
        assert session.exec(select(Event).where(Event.event_type == "counsellor_advice_added")).one()


def test_notes_reach_the_job_seeker_only_when_marked(engine: Engine, case: dict) -> None:
    with session_scope(engine) as session:
        seeker = session.get(JobSeeker, case["seeker"])
        author = session.get(UserAccount, case["counsellor"])
        add_note(session, job_seeker=seeker, author=author, text="intern: Termin", visible_to_job_seeker=False)
        add_note(session, job_seeker=seeker, author=author, text="Lebenslauf mitbringen", visible_to_job_seeker=True)
        with pytest.raises(ReviewError):
            add_note(session, job_seeker=seeker, author=author, text="   ", visible_to_job_seeker=True)
    with Session(engine) as session:
        assert [n.text for n in visible_case_notes(session=session, job_seeker_id=case["seeker"])] == [
            "Lebenslauf mitbringen"]


def test_work_without_ai_switch_is_logged_with_reason(engine: Engine, case: dict) -> None:
    with session_scope(engine) as session:
        seeker = session.get(JobSeeker, case["seeker"])
        user = session.get(UserAccount, case["counsellor"])
        with pytest.raises(ReviewError):
            set_case_mode(session, job_seeker=seeker, user=user, without_ai=True, reason="")
        assert set_case_mode(session, job_seeker=seeker, user=user, without_ai=True, reason="Person wünscht es")
        assert not set_case_mode(session, job_seeker=seeker, user=user, without_ai=True, reason="again")
    with Session(engine) as session:
        assert case_works_without_ai(session=session, job_seeker_id=case["seeker"])
        event = session.exec(select(Event).where(Event.event_type == "case_mode_changed")).one()
        assert event.action == "without_ai" and event.reason == text_digest("Person wünscht es")
        assert session.get(CaseMode, case["seeker"]).reason == "Person wünscht es"  # erasable row, not the log


def test_caseload_filters_open_reviews_and_never_sorts_by_score(engine: Engine, case: dict) -> None:
    with Session(engine) as session:
        user = session.get(UserAccount, case["counsellor"])
        rows = caseload_overview(session, user=user, open_reviews_only=True)
        assert [r.open_reviews for r in rows] == [2]
        with pytest.raises(ReviewError, match="Unknown sort 'score'"):
            caseload_overview(session, user=user, sort="score")
        assert len(review_queue(session, user=user)) == 2
        assert caseload_overview(session, user=session.get(UserAccount, case["colleague"])) == []


def test_reassignment_moves_the_case_and_logs_reason(engine: Engine, case: dict) -> None:
    with session_scope(engine) as session:
        seeker = session.get(JobSeeker, case["seeker"])
        lead = session.get(UserAccount, case["lead"])
        with pytest.raises(ReviewError):
            reassign_case(session, job_seeker=seeker, team_lead=lead, new_counsellor_id=case["colleague"], reason="")
        reassign_case(session, job_seeker=seeker, team_lead=lead, new_counsellor_id=case["colleague"],
                      reason="Urlaubsvertretung drei Wochen")
    with Session(engine) as session:
        assert caseload_overview(session, user=session.get(UserAccount, case["counsellor"])) == []
        assert len(caseload_overview(session, user=session.get(UserAccount, case["colleague"]))) == 1
        assert session.exec(select(Event).where(Event.event_type == "case_reassigned")).one().reason


def test_caseload_filter_by_inactivity_shows_quiet_cases_only(engine: Engine, case: dict) -> None:
    from datetime import timedelta

    from models.tables import utcnow

    with Session(engine) as session:
        user = session.get(UserAccount, case["counsellor"])
        assert caseload_overview(session, user=user, inactive_days=30) == []
    with session_scope(engine) as session:
        seeker = session.get(JobSeeker, case["seeker"])
        seeker.last_activity_at = utcnow() - timedelta(days=40)
        session.add(seeker)
    with Session(engine) as session:
        rows = caseload_overview(session, user=session.get(UserAccount, case["counsellor"]), inactive_days=30)
        assert len(rows) == 1


def test_review_queue_limit_keeps_the_longest_waiting(engine: Engine, case: dict) -> None:
    from recommender.casework.queue import review_queue_size

    with Session(engine) as session:
        user = session.get(UserAccount, case["counsellor"])
        assert review_queue_size(session, user=user) == 2
        first = review_queue(session, user=user, limit=1)
        assert [row.item_id for row in first] == [case["items"][0]]
