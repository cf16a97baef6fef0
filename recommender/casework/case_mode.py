"""Case mode: a counsellor switches the AI off (or on again) for one case (G9).

With the AI off, Lotse makes no suggestions for the case; the switch is logged with the
counsellor's reason so a later reader sees who decided it and why.
"""

from __future__ import annotations

from sqlmodel import Session

from models.errors import require_id
from models.staff import CaseMode
from models.tables import JobSeeker, UserAccount, utcnow
from recommender.casework.validation import ReviewError, clean_text
from recommender.records.chain import EventType, append_event
from recommender.records.free_text import text_digest

MODE_REASON_MISSING = "Please give a reason for switching the AI on or off for this case."


def set_case_mode(
    session: Session, *, job_seeker: JobSeeker, user: UserAccount, without_ai: bool, reason: str | None
) -> bool:
    """Switch "work without AI" for one case (G9); True if it changed. Logged with reason."""
    why = clean_text(reason)
    if not why:
        raise ReviewError(MODE_REASON_MISSING)
    job_seeker_id = require_id(job_seeker)
    mode = session.get(CaseMode, job_seeker_id)
    if mode is not None and mode.without_ai == without_ai:
        return False
    if mode is None:
        mode = CaseMode(job_seeker_id=job_seeker_id)
    mode.without_ai = without_ai
    mode.changed_by = user.id
    mode.changed_at = utcnow()
    mode.reason = why[:500]
    session.add(mode)
    append_event(
        session,
        event_type=EventType.case_mode_changed,
        actor_role=user.role,
        actor_id=user.id,
        case_pseudonym=job_seeker.pseudonym,
        action="without_ai" if without_ai else "with_ai",
        reason=text_digest(why[:500]),
    )
    return True
