"""Reassignment and the team lead's assignment lists."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import Event, JobSeeker, UserAccount
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
