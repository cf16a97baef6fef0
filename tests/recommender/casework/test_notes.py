"""Case notes: stored, and shown to the job-seeker only when marked."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.db import session_scope
from models.staff import visible_case_notes
from models.tables import JobSeeker, UserAccount
from recommender.casework.notes import add_note
from recommender.casework.validation import ReviewError


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
