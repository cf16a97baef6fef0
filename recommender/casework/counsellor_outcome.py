"""A counsellor records what happened for a case, e.g. the date a job started.

Why: most people who found work never come back to say so, but their counsellor hears of it.
Without that door the log teaches the model that advice failed for them. The outcome is stored
like every other (``Outcome``, read by ``recommender.learn.training_data``) with its source
``counsellor`` in ``reported_by``, and logged as ``client_outcome`` with the counsellor's role
and id, the kind, the date and the source. The form has no free text, so the log holds no text
at all (notes and review reasons, which do, are logged as hashes only).

Checks: a known outcome kind; a date not in the future and not before the case was opened in
Lotse (advice cannot have led to a job that started before it). Access (only a case in the
counsellor's caseload) is the caller's: ``api.auth.deps.StaffCase``.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from models.errors import InvalidError, require_id
from models.tables import JobSeeker, Outcome, UserAccount, jobcenter_date, jobcenter_today
from recommender.casework.feed import report_outcome
from recommender.casework.journey import OUTCOME_KINDS
from recommender.errors import RecommenderError
from recommender.records.chain import EventType, append_event

SOURCE = "counsellor"
# Fixed sentences, so that the API and the page translate them (api/locales): ``_`` only marks
# them for pybabel (api/locales/babel.cfg); recommender cannot import api.i18n.
_ = str
OUTCOME_KIND_UNKNOWN = _("This kind of outcome is not known.")
OUTCOME_DATE_IN_FUTURE = _("The start date cannot be in the future.")
OUTCOME_DATE_BEFORE_CASE = _("The start date cannot be before the case was opened in Lotse.")
OUTCOME_DATE_FORMAT = _("Please enter the start date as a date (YYYY-MM-DD).")


class CounsellorOutcomeError(RecommenderError, InvalidError):
    """The outcome cannot be recorded as entered; nothing was written."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


def parse_start_date(text: str) -> date:
    """The date a form sent as ``YYYY-MM-DD``; :class:`CounsellorOutcomeError` otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CounsellorOutcomeError(OUTCOME_DATE_FORMAT, field="occurred_on") from None


def record_counsellor_outcome(session: Session, *, job_seeker: JobSeeker, counsellor: UserAccount, kind: str,
                              occurred_on: date, today: date | None = None) -> Outcome:
    """Store the outcome with source ``counsellor`` and log it; :class:`CounsellorOutcomeError` if invalid."""
    if kind not in OUTCOME_KINDS:
        raise CounsellorOutcomeError(OUTCOME_KIND_UNKNOWN, field="kind")
    if occurred_on > (today or jobcenter_today()):
        raise CounsellorOutcomeError(OUTCOME_DATE_IN_FUTURE, field="occurred_on")
    if occurred_on < jobcenter_date(job_seeker.created_at):
        raise CounsellorOutcomeError(OUTCOME_DATE_BEFORE_CASE, field="occurred_on")
    outcome = Outcome(job_seeker_id=require_id(job_seeker), kind=kind, occurred_on=occurred_on, reported_by=SOURCE)
    session.add(outcome)
    session.flush()
    append_event(session, event_type=EventType.client_outcome, actor_role=counsellor.role,
                 actor_id=require_id(counsellor), case_pseudonym=job_seeker.pseudonym, action=kind,
                 outputs={"outcome_id": outcome.id, "occurred_on": occurred_on.isoformat(), "source": SOURCE})
    report_outcome(session, job_seeker=job_seeker, outcome=outcome)
    return outcome
