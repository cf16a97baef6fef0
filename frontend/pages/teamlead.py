"""Team-lead pages: team statistics (team level only) and case assignments with reassignment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth.deps import TeamLeadUser
from api.deps import SessionDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from frontend.pages.staff_common import render_staff
from models.tables import MAX_ROW_ID
from recommender.casework.assignment import reassign_case, team_assignments, team_members
from recommender.casework.caseload import resolve_team_case
from recommender.casework.queue import unassigned_queue_size
from recommender.casework.validation import ReviewError
from recommender.evaluate.drift import drift_report
from recommender.evaluate.monitoring import GROUPINGS, MIN_GROUP_SIZE, MIN_TEAM_MEMBERS, MonitoringError, team_report

router = APIRouter(prefix="/staff/team", include_in_schema=False)

_DONE = {"reassigned": _("The case was reassigned.")}


@router.get("", response_class=HTMLResponse)
def read_team_page(
    request: Request,
    user: TeamLeadUser,
    session: SessionDep,
    group_by: Annotated[str, Query(max_length=40)] = "module",
    days: Annotated[int, Query(ge=1, le=730)] = 90,
) -> Response:
    """Review statistics of the team by module or model version; alerts about the model."""
    error = None
    report = None
    if user.team_id is None:
        error = gettext("Your account belongs to no team, so there are no team statistics.", get_locale(request))
    else:
        try:
            report = team_report(session, team_id=user.team_id, group_by=group_by, days=days)
        except MonitoringError as exc:  # the page still shows its filters, with the reason in place of figures
            error = str(exc)
    context = {"report": report, "error": error, "group_by": group_by if group_by in GROUPINGS else "module",
               "days": days, "groupings": GROUPINGS, "min_group": MIN_GROUP_SIZE, "min_team": MIN_TEAM_MEMBERS,
               "unassigned_pending": unassigned_queue_size(session, jobcenter_id=user.jobcenter_id),
               "drift": drift_report(session)}
    return render_staff(request, "staff/team.html", user, context, status_code=422 if error and report is None
                        and user.team_id is not None else 200)


@router.get("/cases", response_class=HTMLResponse)
def read_team_cases_page(request: Request, user: TeamLeadUser, session: SessionDep, done: str | None = None,
                         ) -> Response:
    """Who looks after which case in the team (no case content), with reassignment."""
    flash = gettext(_DONE[done], get_locale(request)) if done in _DONE else None
    context = {"rows": team_assignments(session, team_lead=user),
               "members": team_members(session, team_id=user.team_id), "flash": flash, "flash_kind": "ok"}
    return render_staff(request, "staff/team_cases.html", user, context)


@router.post("/cases/{pseudonym}/reassign", response_class=HTMLResponse)
def submit_reassign(
    request: Request, pseudonym: str, user: TeamLeadUser, session: SessionDep, _csrf: CsrfDep,
    counsellor_id: Annotated[int, Form(ge=0, le=MAX_ROW_ID)] = 0, reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Move a case to another counsellor of the team (reason required, logged)."""
    seeker = resolve_team_case(session=session, team_lead=user, pseudonym=pseudonym, action="reassign")
    try:
        reassign_case(session, job_seeker=seeker, team_lead=user, new_counsellor_id=counsellor_id, reason=reason)
    except ReviewError as exc:  # the assignments page comes back with the reason, not an error page
        context = {"rows": team_assignments(session, team_lead=user),
                   "members": team_members(session, team_id=user.team_id), "error": str(exc)}
        return render_staff(request, "staff/team_cases.html", user, context, status_code=422)
    return RedirectResponse("/staff/team/cases?done=reassigned", status_code=303)
