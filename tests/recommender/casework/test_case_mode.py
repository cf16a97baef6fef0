"""Case mode: switching the AI off for a case needs a reason and is logged (G9)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.staff import CaseMode, case_works_without_ai
from models.tables import Event, JobSeeker, UserAccount
from recommender.casework.case_mode import set_case_mode
from recommender.casework.validation import ReviewError
from recommender.records.free_text import text_digest


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
