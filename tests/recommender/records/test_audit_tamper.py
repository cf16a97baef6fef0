"""Tampering an auditor would try (issue 16): forged ids, edited decision rows, cut-off tails."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from data.seed import DEMO_JOBCENTER_CODE
from models.db import session_scope
from models.schemas import Profile
from models.tables import Decision, DecisionItem, Event, Jobcenter, JobSeeker, utcnow
from recommender.casework.review import review_item
from recommender.decide.decision_path import recommend
from recommender.records.chain import ID_NOT_POSITIVE, compute_hash
from recommender.records.retention import purge_expired_payloads
from tests.factories import make_jobcenter, make_staff_user
from tests.recommender.records.test_chain import _append_n, _raw, _report

PROFILE = Profile.model_validate({"target_occupation": "62102", "region_ags": "09362", "months_unemployed": 20,
                                  "german_level": "B1", "has_cv": False})


@pytest.fixture
def decided(engine: Engine) -> str:
    """A real decision (rules mode: no model needed) with its event; returns the decision id."""
    with session_scope(engine) as session:
        center = make_jobcenter(session, code=DEMO_JOBCENTER_CODE)
        seeker = JobSeeker(jobcenter_id=center.id)  # type: ignore[arg-type]
        session.add(seeker)
        session.flush()
        view = recommend(session, job_seeker=seeker, profile=PROFILE, registry=None, actor_role="job_seeker",
                         actor_id=seeker.pseudonym)
    return view.decision_id


def _forged(engine: Engine, event_id: int) -> Event:
    with Session(engine) as session:
        last = session.exec(select(Event).order_by(Event.id.desc())).first()  # type: ignore[union-attr]
    forged = Event(id=event_id, created_at=utcnow(), event_type="client_viewed", actor_role="system",
                   outputs={"forged": True}, guardrails=[], prev_hash="0" * 64, hash="")
    forged.hash = compute_hash(forged)
    assert last is None or last.id != event_id
    return forged


@pytest.mark.parametrize("event_id", [0, -5])
def test_event_with_non_positive_id_is_refused_by_the_database(engine: Engine, event_id: int) -> None:
    _append_n(engine, 2)
    with pytest.raises(DBAPIError, match="positive and increasing"), Session(engine) as session:
        session.add(_forged(engine, event_id))
        session.commit()
    assert _report(engine).ok


def test_event_inserted_below_the_newest_id_is_refused_by_the_database(engine: Engine) -> None:
    _append_n(engine, 3)
    with Session(engine) as session:
        session.add(_forged(engine, 20))  # a gap is allowed (sequences skip after a rollback) ...
        session.commit()
    with pytest.raises(DBAPIError, match="positive and increasing"), Session(engine) as session:
        session.add(_forged(engine, 15))
        session.commit()


@pytest.mark.parametrize("event_id", [0, -5])
def test_forged_event_with_non_positive_id_is_reported_by_verify(engine: Engine, event_id: int) -> None:
    _append_n(engine, 3)
    _raw(engine, "SELECT 1")  # drops the triggers, as a DBA could
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE event DISABLE TRIGGER USER"))
    with Session(engine) as session:
        session.add(_forged(engine, event_id))
        session.commit()
    report = _report(engine)
    assert report.broken is not None
    assert (report.broken.event_id, report.broken.problem) == (event_id, ID_NOT_POSITIVE)


@pytest.mark.parametrize(("statement", "table"), [
    ("UPDATE decision_item SET review_state = 'approved' WHERE review_state = 'pending_review'", "decision_item"),
    ("UPDATE decision_item SET rank = rank + 1", "decision_item"),
    ("UPDATE decision SET model_version = 'lgbm-other'", "decision"),
    ("UPDATE decision SET mode = 'model'", "decision"),
    ("UPDATE profile_snapshot SET payload = '{\"target_occupation\": \"81302\"}'", "profile_snapshot"),
    ("UPDATE decision SET features = '{\"months_unemployed\": 1}'", "decision"),
    # Stored once, on the decision (issue 16): the event binds it through the decision's digest.
    ("UPDATE decision SET guardrails = '[]'", "decision"),
])
def test_edited_decision_rows_are_reported(engine: Engine, decided: str, statement: str, table: str) -> None:
    assert _report(engine).ok
    with engine.begin() as connection:
        changed = connection.execute(text(statement)).rowcount
    assert changed
    report = _report(engine)
    assert not report.ok and report.broken is None
    assert any(problem.startswith(f"{table} ") for problem in report.problems), report.problems


def test_deleted_decision_item_is_reported(engine: Engine, decided: str) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM decision_item WHERE rank = 1"))
    assert any("is missing" in problem for problem in _report(engine).problems)


def test_purged_and_erased_payloads_still_verify(engine: Engine, decided: str) -> None:
    with session_scope(engine) as session:
        report = purge_expired_payloads(session, retention_days=180, now=utcnow() + timedelta(days=400))
    assert report.snapshots == 1 and report.decisions == 1
    verified = _report(engine)
    assert verified.ok, verified.problems


def test_last_decision_event_cut_off_the_tail_is_reported(engine: Engine, decided: str) -> None:
    _raw(engine, "DELETE FROM event")
    report = _report(engine)
    assert report.broken is None and report.checked == 0
    assert report.problems == (f"decision {decided} is newer than the last event: its events were cut off the log",)


def test_reviewed_item_verifies_against_its_review_event_and_edits_after_it_do_not(engine: Engine,
                                                                                  decided: str) -> None:
    with session_scope(engine) as session:
        decision = session.get(Decision, decided)
        assert decision is not None
        seeker = session.get(JobSeeker, decision.job_seeker_id)
        item = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decided,
                                                       DecisionItem.review_state == "pending_review")).first()
        assert seeker is not None and item is not None, "the profile must lead to an item that needs review"
        counsellor = make_staff_user(session, role="counsellor", jobcenter=session.get(Jobcenter, seeker.jobcenter_id))
        review_item(session, job_seeker=seeker, item_id=item.id, reviewer=counsellor, action="reject",
                    reason_code="not_eligible", reason_text="Antrag läuft bereits.", expected_version=1)
        item_id = item.id
    assert _report(engine).ok
    with engine.begin() as connection:
        connection.execute(text("UPDATE decision_item SET review_state = 'approved' WHERE id = :id"), {"id": item_id})
    assert [p for p in _report(engine).problems if item_id in p]
