"""Named queries: the latest decision of a case is chosen the same way every time."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from models.crud import latest_decision
from models.db import session_scope
from models.tables import Decision
from tests.factories import make_decision, make_job_seeker


def test_latest_decision_is_the_newest_and_on_equal_time_the_larger_id(engine: Engine) -> None:
    with session_scope(engine) as session:
        seeker = make_job_seeker(session)
        first, second, third = (make_decision(session, job_seeker=seeker) for _ in range(3))
        moment = first.created_at
        for decision in (first, second, third):
            decision.created_at = moment
            session.add(decision)
        session.flush()
        tie_winner = max(first.id, second.id, third.id)
        assert latest_decision(session=session, job_seeker_id=seeker.id).id == tie_winner
        newest = session.get(Decision, min(first.id, second.id, third.id))
        newest.created_at = moment.replace(year=moment.year + 1)
        session.add(newest)
        session.flush()
        assert latest_decision(session=session, job_seeker_id=seeker.id).id == newest.id


def test_case_without_decision_has_no_latest_decision(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert latest_decision(session=session, job_seeker_id=make_job_seeker(session).id) is None
