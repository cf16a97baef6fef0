"""The counsellor's case notes: free text about a case, optionally shown to the job-seeker."""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.errors import require_id
from models.staff import CaseNote
from models.tables import JobSeeker, UserAccount
from recommender.casework.validation import checked_text

MAX_NOTE_TEXT = 4000


def add_note(
    session: Session, *, job_seeker: JobSeeker, author: UserAccount, text: str, visible_to_job_seeker: bool
) -> CaseNote:
    """Store a note on the case; :class:`ReviewError` if the text is empty or too long."""
    body = checked_text(text, maximum=MAX_NOTE_TEXT)
    job_seeker_id = require_id(job_seeker)
    author_id = require_id(author)
    note = CaseNote(job_seeker_id=job_seeker_id, author_id=author_id, text=body,
                    visible_to_job_seeker=visible_to_job_seeker)
    session.add(note)
    session.flush()
    return note


def case_notes(session: Session, *, job_seeker_id: int) -> list[CaseNote]:
    """All notes of the case, newest first (the counsellor's view; the job-seeker sees fewer)."""
    statement = (
        select(CaseNote).where(CaseNote.job_seeker_id == job_seeker_id).order_by(col(CaseNote.created_at).desc())
    )
    return list(session.exec(statement).all())
