"""The job-seeker's consent to pass their answers to the Jobcenter's case-management software (issue 20).

A plain form, no JavaScript: the person sees whether they agreed and since when, can give or take
back the agreement, and sees which versions of their answers the Jobcenter already received.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from api.seeker import SessionJobSeeker
from frontend.pages.seeker.common import flash, render, see_other
from frontend.pages.seeker.forms import FormTooLarge, read_form
from models.errors import require_id
from recommender.casework import handoff

router = APIRouter(include_in_schema=False)

MSG_GIVEN = _("Thank you. Your agreement is saved.")
MSG_REVOKED = _("Your agreement is taken back. From now on, nothing more is passed on.")


@router.get("/my-data/handoff", response_class=HTMLResponse)
def read_handoff(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> HTMLResponse:
    """Whether the person agreed to pass their answers on, and what was already passed on."""
    seeker_id = require_id(job_seeker)
    return render(request, "seeker/handoff.html", {
        "consent": handoff.active_consent(session, job_seeker_id=seeker_id),
        "sent": handoff.sent_versions(session, job_seeker_id=seeker_id),
        "connected": handoff.jobcenter_reads_handoffs(session, jobcenter_id=job_seeker.jobcenter_id),
    })


@router.post("/my-data/handoff")
async def change_handoff(request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
                         _csrf: CsrfDep) -> Response:
    """Give or take back the agreement (logged), then show the page again."""
    try:
        form = await read_form(request)
    except FormTooLarge:
        form = None
    action = form.get("action") if form is not None else None
    if action == "give" and handoff.give_consent(session, job_seeker=job_seeker):
        flash(request, MSG_GIVEN)
    elif action == "revoke" and handoff.revoke_consent(session, job_seeker=job_seeker):
        flash(request, MSG_REVOKED)
    return see_other("/my-data/handoff")
