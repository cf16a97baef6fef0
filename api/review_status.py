"""What a job-seeker is told while one of their suggestions waits for a human review (G8).

A case with a counsellor hears that their contact person checks it. A case nobody has taken
on yet (every anonymous start) waits in the Jobcenter's shared queue, so it hears that the
Jobcenter checks it and how long that usually takes (``LOTSE_REVIEW_WORKING_DAYS``): never a
promise of a person who does not exist yet.
"""

from __future__ import annotations

from sqlmodel import Session

from api.i18n import _, gettext, ngettext
from models.errors import require_id
from models.tables import JobSeeker
from recommender.casework.assignment import current_counsellor_id

CHECKED_BY_CONTACT = _("Your contact person is checking this suggestion.")


def pending_status(session: Session, *, job_seeker: JobSeeker, working_days: int, locale: str) -> str:
    """The honest sentence for a pending suggestion of *job_seeker*'s case, in *locale*."""
    if current_counsellor_id(session, job_seeker_id=require_id(job_seeker)) is not None:
        return gettext(CHECKED_BY_CONTACT, locale)
    return unassigned_status(working_days=working_days, locale=locale)


def unassigned_status(*, working_days: int, locale: str) -> str:
    """The sentence for a case nobody has taken on yet (e.g. one opened by this very request)."""
    return ngettext("Your Jobcenter is checking this suggestion, usually within %(num)s working day.",
                    "Your Jobcenter is checking this suggestion, usually within %(num)s working days.",
                    working_days, locale)
