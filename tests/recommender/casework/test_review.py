"""Counsellor review of advice items: reasons required, optimistic locking, own advice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import DecisionItem, Event, JobSeeker, UserAccount, jobcenter_today
from recommender.casework.review import (
    CONFLICT_NOT_PENDING,
    EDIT_NOTHING,
    REASON_MISSING,
    add_counsellor_advice,
    review_item,
)
from recommender.casework.validation import ReviewConflict, ReviewError, ReviewNotFound
from recommender.records.chain import verify_chain


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
    due = jobcenter_today() + timedelta(days=14)
    item = _review(engine, case, "edit", reason_code="adjusted_to_situation", reason_text="Teilzeit",
                   edited_text="Bildungsgutschein für Teilzeit-Weiterbildung", due_date=due)
    assert item.review_state == "edited" and item.due_date == due
    assert item.edited_text == "Bildungsgutschein für Teilzeit-Weiterbildung"


def test_edit_without_change_or_with_past_due_date_is_refused(engine: Engine, case: dict) -> None:
    with pytest.raises(ReviewError, match=EDIT_NOTHING):
        _review(engine, case, "edit", reason_code="wording_clarified", reason_text="x")
    with pytest.raises(ReviewError, match="in the past"):
        _review(engine, case, "edit", reason_code="due_date_changed", reason_text="x",
                due_date=jobcenter_today() - timedelta(days=1))


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




def test_reviewing_a_superseded_item_is_refused_with_a_clear_conflict(engine: Engine, case: dict) -> None:
    from recommender.casework.review import CONFLICT_SUPERSEDED

    with session_scope(engine) as session:
        item = session.get(DecisionItem, case["items"][0])
        item.review_state = "superseded"
        session.add(item)
    with session_scope(engine) as session, pytest.raises(ReviewConflict) as refused:
        review_item(session, job_seeker=session.get(JobSeeker, case["seeker"]), item_id=case["items"][0],
                    reviewer=session.get(UserAccount, case["counsellor"]), action="approve",
                    reason_code="fits_situation", reason_text="", expected_version=1)
    assert str(refused.value) == CONFLICT_SUPERSEDED
