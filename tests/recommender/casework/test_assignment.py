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
