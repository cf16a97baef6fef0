"""Reassignment and the team lead's assignment lists."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import CaseAssignment, Event, JobSeeker, UserAccount
from recommender.casework.assignment import reassign_case
from recommender.casework.queue import caseload_overview
from recommender.casework.validation import ReviewError


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


def test_claiming_an_unassigned_case_moves_it_into_the_caseload_and_logs_it(engine: Engine, case: dict) -> None:
    from recommender.casework.assignment import CLAIM_TAKEN, claim_case
    from recommender.casework.queue import review_queue, unassigned_queue

    with session_scope(engine) as session:
        other = session.get(UserAccount, case["colleague"])
        pseudonym = unassigned_queue(session, jobcenter_id=other.jobcenter_id)[0].pseudonym
        claim_case(session, pseudonym=pseudonym, user=other)
    with session_scope(engine) as session:
        other = session.get(UserAccount, case["colleague"])
        assert [r.pseudonym for r in review_queue(session, user=other)] == [pseudonym, pseudonym]
        assert unassigned_queue(session, jobcenter_id=other.jobcenter_id) == []
        event = session.exec(select(Event).where(Event.event_type == "case_claimed")).one()
        assert (event.case_pseudonym, event.actor_id) == (pseudonym, str(other.id))
        with pytest.raises(ReviewError, match=CLAIM_TAKEN):
            claim_case(session, pseudonym=pseudonym, user=session.get(UserAccount, case["lead"]))


def test_claiming_a_case_of_no_queue_is_refused_as_not_found(engine: Engine, case: dict) -> None:
    from recommender.casework.assignment import claim_case
    from recommender.casework.validation import ReviewNotFound

    with session_scope(engine) as session, pytest.raises(ReviewNotFound):
        claim_case(session, pseudonym="no-such-case", user=session.get(UserAccount, case["colleague"]))


def _unassigned_pseudonym(engine: Engine, case: dict) -> str:
    from recommender.casework.queue import unassigned_queue

    with Session(engine) as session:
        colleague = session.get(UserAccount, case["colleague"])
        return unassigned_queue(session, jobcenter_id=colleague.jobcenter_id)[0].pseudonym


def test_two_simultaneous_claims_of_one_case_cannot_both_succeed(engine: Engine, case: dict,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Two counsellors claim the same case at once; both have read "no counsellor yet" (issue 15, remaining 6).

    The check is held open until both sessions have made it (on SQLite the write lock already
    serialises them, so the barrier times out and the second one sees the first one's claim).
    """
    import threading

    from recommender.casework import assignment
    from recommender.casework.assignment import CLAIM_TAKEN, claim_case

    pseudonym = _unassigned_pseudonym(engine, case)
    both_checked = threading.Barrier(2, timeout=3)
    original = assignment.current_counsellor_id

    def check_then_wait(session: Session, *, job_seeker_id: int) -> int | None:
        found = original(session, job_seeker_id=job_seeker_id)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait()
        return found

    monkeypatch.setattr(assignment, "current_counsellor_id", check_then_wait)
    outcomes: dict[str, str] = {}

    def claim(user_key: str) -> None:
        try:
            with session_scope(engine) as session:
                claim_case(session, pseudonym=pseudonym, user=session.get(UserAccount, case[user_key]))
            outcomes[user_key] = "claimed"
        except ReviewError as exc:
            outcomes[user_key] = str(exc)

    threads = [threading.Thread(target=claim, args=(key,)) for key in ("colleague", "lead")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes.values()) == sorted(["claimed", CLAIM_TAKEN]), outcomes
    with Session(engine) as session:
        seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).one()
        open_rows = session.exec(select(CaseAssignment).where(CaseAssignment.job_seeker_id == seeker.id,
                                                              CaseAssignment.ended_at == None)).all()  # noqa: E711
        winner = next(key for key, outcome in outcomes.items() if outcome == "claimed")
        assert [row.counsellor_id for row in open_rows] == [case[winner]]
        claims = session.exec(select(Event).where(Event.event_type == "case_claimed")).all()
        assert [(e.case_pseudonym, e.actor_id) for e in claims] == [(pseudonym, str(case[winner]))]


def test_the_database_refuses_a_second_open_assignment_of_a_case(engine: Engine, case: dict) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), session_scope(engine) as session:
        session.add(CaseAssignment(job_seeker_id=case["seeker"], counsellor_id=case["colleague"]))
    with session_scope(engine) as session:  # an ended one may stay beside the open one (history)
        lead = session.get(UserAccount, case["lead"])
        reassign_case(session, job_seeker=session.get(JobSeeker, case["seeker"]), team_lead=lead,
                      new_counsellor_id=case["colleague"], reason="Urlaubsvertretung")
    with Session(engine) as session:
        rows = session.exec(select(CaseAssignment).where(CaseAssignment.job_seeker_id == case["seeker"])).all()
        assert sorted((r.counsellor_id, r.ended_at is None) for r in rows) == sorted(
            [(case["counsellor"], False), (case["colleague"], True)])
