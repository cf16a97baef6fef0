"""Counsellor pages: caseload, review queue, case (with outcomes), decision with review forms, colleague's case.

Access is decided by the dependencies (``CounsellorUser``, ``StaffCase``), never by the
templates. Messages after an action travel as fixed codes (``?done=approved``), never as
text from the request, so nothing a visitor puts in a URL is echoed into the page.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from api.auth.deps import CounsellorUser, StaffCase
from api.deps import SessionDep
from api.errors import status_of
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from frontend.pages.seeker.mydata import FEEDBACK_LABELS
from frontend.pages.seeker.onboarding import answer_rows
from frontend.pages.staff_common import render_staff
from models.errors import require_id
from models.schemas import Profile
from models.staff import CaseMode
from models.tables import JobSeeker, UserAccount, jobcenter_today
from recommender.casework.assignment import claim_case
from recommender.casework.case_mode import set_case_mode
from recommender.casework.caseload import ACCESS_PURPOSES, CaseAccessError, PurposeError, resolve_case
from recommender.casework.counsellor_outcome import CounsellorOutcomeError, parse_start_date, record_counsellor_outcome
from recommender.casework.journey import OUTCOME_KINDS, outcomes_of
from recommender.casework.notes import add_note, case_notes
from recommender.casework.plan import plan_view
from recommender.casework.queue import (
    CASELOAD_SORTS,
    case_decisions,
    case_feedback,
    caseload_overview,
    decision_detail,
    review_queue,
    review_queue_size,
    unassigned_queue,
    unassigned_queue_size,
)
from recommender.casework.review import REASON_CODES, add_counsellor_advice, review_item
from recommender.casework.validation import ReviewConflict, ReviewError, ReviewNotFound

router = APIRouter(prefix="/staff", include_in_schema=False)

_DONE = {
    "approved": _("The item was approved. The job-seeker can see it now."),
    "edited": _("Your changes were saved. The job-seeker sees the edited version."),
    "rejected": _("The item was rejected. The job-seeker will not see it."),
    "advice": _("Your advice was added and is visible to the job-seeker."),
    "note": _("The note was saved."),
    "outcome": _("The outcome was saved. It counts for learning what helps."),
    "mode": _("The AI setting for this case was changed."),
    "mode_unchanged": _("The AI setting for this case was already like that."),
    "claimed": _("You have taken on this case. Its suggestions are now in your review queue."),
}
OUTCOME_KIND_LABELS = {"job_found": _("Found a job"), "training_started": _("Started training"),
                       "self_employed": _("Self-employed"), "other": _("Other")}
OUTCOME_SOURCE_LABELS = {"job_seeker": _("job-seeker"), "counsellor": _("counsellor"),
                         "case_management": _("case management")}
QUEUE_PAGE_SIZE = 100  # the oldest first; a longer list helps nobody work through it
_BAD_DATE = "The due date {given!r} is not a date; use the format YYYY-MM-DD."


def _parse_date(value: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ReviewError(_BAD_DATE.format(given=value[:20])) from None


def _done_message(request: Request, done: str | None) -> str | None:
    return gettext(_DONE[done], get_locale(request)) if done in _DONE else None


@router.get("/caseload", response_class=HTMLResponse)
def read_caseload_page(
    request: Request,
    user: CounsellorUser,
    session: SessionDep,
    open_reviews: bool = False,
    inactive_days: Annotated[str, Query(max_length=4)] = "",
    sort: Annotated[str, Query(max_length=20)] = "last_activity",
) -> Response:
    """The counsellor's cases, filterable by open reviews and inactivity, sorted by activity (never by a score)."""
    if sort not in CASELOAD_SORTS:
        sort = "last_activity"
    days = int(inactive_days) if inactive_days.isdigit() else None
    rows = caseload_overview(session, user=user, open_reviews_only=open_reviews, sort=sort, inactive_days=days)
    return render_staff(request, "staff/caseload.html", user,
                        {"rows": rows, "open_reviews": open_reviews, "sort": sort, "sorts": CASELOAD_SORTS,
                         "inactive_days": days})


def _queue_context(session: Session, user: UserAccount) -> dict[str, Any]:
    """Both queues: the user's own caseload and the Jobcenter's cases nobody has taken on yet."""
    rows = review_queue(session, user=user, limit=QUEUE_PAGE_SIZE)
    total = review_queue_size(session, user=user) if len(rows) == QUEUE_PAGE_SIZE else len(rows)
    open_rows = unassigned_queue(session, jobcenter_id=user.jobcenter_id, limit=QUEUE_PAGE_SIZE)
    open_total = (unassigned_queue_size(session, jobcenter_id=user.jobcenter_id)
                  if len(open_rows) == QUEUE_PAGE_SIZE else len(open_rows))
    return {"rows": rows, "total": total, "unassigned": open_rows, "unassigned_total": open_total}


@router.get("/reviews", response_class=HTMLResponse)
def read_review_queue_page(request: Request, user: CounsellorUser, session: SessionDep,
                           done: str | None = None) -> Response:
    """Items waiting for review in the caseload, then those of unassigned cases; the longest-waiting first."""
    context = {**_queue_context(session, user), "flash": _done_message(request, done), "flash_kind": "ok"}
    return render_staff(request, "staff/reviews.html", user, context)


@router.post("/reviews/claim", response_class=HTMLResponse)
def submit_claim(
    request: Request, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep,
    pseudonym: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Take on an unassigned case from the shared queue (logged); then open it."""
    try:
        case = claim_case(session, pseudonym=pseudonym.strip(), user=user)
    except (ReviewNotFound, ReviewError) as exc:
        status = 404 if isinstance(exc, ReviewNotFound) else 409
        context = {**_queue_context(session, user), "error": str(exc)}
        return render_staff(request, "staff/reviews.html", user, context, status_code=status)
    return _back_to_case(case, "claimed")


@router.get("/cover", response_class=HTMLResponse)
def read_cover_page(request: Request, user: CounsellorUser) -> Response:
    """Open a colleague's case (vacation cover etc.): the purpose is asked for and logged."""
    return render_staff(request, "staff/cover.html", user, {"purposes": ACCESS_PURPOSES})


@router.post("/cover", response_class=HTMLResponse)
def submit_cover(
    request: Request,
    user: CounsellorUser,
    session: SessionDep,
    _csrf: CsrfDep,
    pseudonym: Annotated[str, Form(max_length=64)] = "",
    purpose: Annotated[str, Form(max_length=32)] = "",
    purpose_note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the purpose, grant time-limited access (logged) and open the case."""
    context: dict[str, Any] = {"purposes": ACCESS_PURPOSES, "pseudonym": pseudonym, "purpose": purpose,
                               "purpose_note": purpose_note}
    if not purpose:
        context["error"] = gettext("Please choose the purpose of reading this case.", get_locale(request))
        return render_staff(request, "staff/cover.html", user, context, status_code=422)
    try:
        resolve_case(session=session, user=user, pseudonym=pseudonym.strip(), action="cover_request",
                     purpose=purpose, note=purpose_note)
    # The cover form comes back with the input kept and the reason, not an error page.
    except PurposeError as exc:
        context["error"] = str(exc)
        return render_staff(request, "staff/cover.html", user, context, status_code=422)
    except CaseAccessError as exc:
        context["error"] = str(exc)
        return render_staff(request, "staff/cover.html", user, context, status_code=404)
    return RedirectResponse(f"/staff/cases/{pseudonym.strip()}", status_code=303)


def _case_context(session: Session, case: JobSeeker, locale: str) -> dict[str, Any]:
    case_id = require_id(case)
    mode = session.get(CaseMode, case_id)
    return {
        "case": case,
        "without_ai": bool(mode and mode.without_ai),
        "mode": mode,
        "decisions": case_decisions(session, job_seeker_id=case_id),
        "notes": case_notes(session, job_seeker_id=case_id),
        "outcomes": outcomes_of(session, job_seeker=case),
        "outcome_kinds": {kind: OUTCOME_KIND_LABELS.get(kind, kind) for kind in OUTCOME_KINDS},
        "outcome_sources": OUTCOME_SOURCE_LABELS,
        "today": jobcenter_today().isoformat(),
        "feedback": case_feedback(session, job_seeker_id=case_id),
        "feedback_labels": FEEDBACK_LABELS,
        "plan": plan_view(session, job_seeker=case, locale=locale),
    }


def _back_to_case(case: JobSeeker, done: str) -> RedirectResponse:
    """POST-redirect-GET to the case page; ``done`` is one of the fixed ``_DONE`` codes, never request text."""
    return RedirectResponse(f"/staff/cases/{case.pseudonym}?done={done}", status_code=303)


def _render_case(request: Request, user: UserAccount, session: Session, case: JobSeeker, *,
                 error: str | None = None, status_code: int = 200, done: str | None = None,
                 form: dict[str, Any] | None = None) -> Response:
    context = _case_context(session, case, get_locale(request))
    context.update({"error": error, "flash": _done_message(request, done), "flash_kind": "ok", "form": form or {}})
    return render_staff(request, "staff/case.html", user, context, status_code=status_code)


@router.get("/cases/{pseudonym}", response_class=HTMLResponse)
def read_case_page(request: Request, case: StaffCase, user: CounsellorUser, session: SessionDep,
                   done: str | None = None) -> Response:
    """One case: decisions, notes, the AI switch, own advice."""
    return _render_case(request, user, session, case, done=done)


def _answers(snapshot: dict[str, Any], locale: str) -> list[Any]:
    """The snapshot as the onboarding questions and their answers in words; none if it was erased."""
    try:
        return answer_rows(Profile.model_validate(snapshot), locale)
    except ValidationError:
        return []


def _render_decision(request: Request, user: UserAccount, session: Session, case: JobSeeker, decision_id: str, *,
                     error: str | None = None, error_item: str | None = None, status_code: int = 200,
                     done: str | None = None, form: dict[str, Any] | None = None) -> Response:
    detail = decision_detail(session, job_seeker=case, decision_id=decision_id)
    context = {**detail, "answers": _answers(detail["snapshot"], get_locale(request)),
               "case": case, "reason_codes": REASON_CODES, "error": error, "error_item": error_item,
               "flash": _done_message(request, done), "flash_kind": "ok", "form": form or {},
               "today": jobcenter_today().isoformat()}
    return render_staff(request, "staff/decision.html", user, context, status_code=status_code)


@router.get("/cases/{pseudonym}/decisions/{decision_id}", response_class=HTMLResponse)
def read_decision_page(request: Request, case: StaffCase, decision_id: str, user: CounsellorUser,
                       session: SessionDep, done: str | None = None) -> Response:
    """A decision: profile snapshot, diagnostic, each item with score, reasons, rules, model version."""
    return _render_decision(request, user, session, case, decision_id, done=done)


@router.post("/cases/{pseudonym}/items/{item_id}/review", response_class=HTMLResponse)
def submit_review_form(
    request: Request,
    case: StaffCase,
    item_id: str,
    user: CounsellorUser,
    session: SessionDep,
    _csrf: CsrfDep,
    decision_id: Annotated[str, Form(max_length=32)] = "",
    action: Annotated[str, Form(max_length=16)] = "",
    version: Annotated[int, Form(ge=1)] = 1,
    reason_code: Annotated[str, Form(max_length=40)] = "",
    reason_text: Annotated[str, Form(max_length=2000)] = "",
    edited_text: Annotated[str, Form(max_length=4000)] = "",
    due_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Approve, edit or reject an item; errors come back on the same page with the input kept."""
    form = {"action": action, "reason_code": reason_code, "reason_text": reason_text, "edited_text": edited_text,
            "due_date": due_date}
    try:
        item = review_item(session, job_seeker=case, item_id=item_id, reviewer=user, action=action,
                           reason_code=reason_code, reason_text=reason_text, expected_version=version,
                           edited_text=edited_text or None, due_date=_parse_date(due_date))
    except (ReviewError, ReviewConflict) as exc:
        # Not the kind handler's page: the decision comes back with the counsellor's input and the reason.
        status = status_of(exc)
        try:
            return _render_decision(request, user, session, case, decision_id, error=str(exc), error_item=item_id,
                                    status_code=status, form=form)
        except ReviewNotFound:  # the form named no decision of this case: the reason alone, same status
            return render_staff(request, "staff/message.html", user, {"title": str(exc)}, status_code=status)
    target = f"/staff/cases/{case.pseudonym}/decisions/{item.decision_id}?done={item.review_state}#item-{item.id}"
    return RedirectResponse(target, status_code=303)


@router.post("/cases/{pseudonym}/advice", response_class=HTMLResponse)
def submit_advice_form(
    request: Request, case: StaffCase, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep,
    text: Annotated[str, Form(max_length=4000)] = "", due_date: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Add the counsellor's own advice."""
    try:
        add_counsellor_advice(session, job_seeker=case, author=user, text=text, due_date=_parse_date(due_date))
    except ReviewError as exc:  # the case page comes back with the input kept and the reason
        return _render_case(request, user, session, case, error=str(exc), status_code=422,
                            form={"advice_text": text, "advice_due": due_date})
    return _back_to_case(case, "advice")


@router.post("/cases/{pseudonym}/notes", response_class=HTMLResponse)
def submit_note_form(
    request: Request, case: StaffCase, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep,
    text: Annotated[str, Form(max_length=4000)] = "", visible: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    """Add a note (shown to the job-seeker only if ticked)."""
    try:
        add_note(session, job_seeker=case, author=user, text=text, visible_to_job_seeker=visible == "yes")
    except ReviewError as exc:  # the case page comes back with the input kept and the reason
        return _render_case(request, user, session, case, error=str(exc), status_code=422, form={"note_text": text})
    return _back_to_case(case, "note")


@router.post("/cases/{pseudonym}/outcomes", response_class=HTMLResponse)
def submit_outcome_form(
    request: Request, case: StaffCase, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep,
    kind: Annotated[str, Form(max_length=32)] = "job_found", occurred_on: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Record an outcome of the case (e.g. the day a job started), source ``counsellor``."""
    try:
        record_counsellor_outcome(session, job_seeker=case, counsellor=user, kind=kind,
                                  occurred_on=parse_start_date(occurred_on))
    except CounsellorOutcomeError as exc:  # the case page comes back with the input kept and the reason
        return _render_case(request, user, session, case, error=gettext(str(exc), get_locale(request)),
                            status_code=422, form={"outcome_kind": kind, "outcome_date": occurred_on})
    return _back_to_case(case, "outcome")


@router.post("/cases/{pseudonym}/mode", response_class=HTMLResponse)
def submit_mode_form(
    request: Request, case: StaffCase, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep,
    without_ai: Annotated[str, Form(max_length=8)] = "", reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Switch "work without AI" for this case (reason required)."""
    try:
        changed = set_case_mode(session, job_seeker=case, user=user, without_ai=without_ai == "yes", reason=reason)
    except ReviewError as exc:  # the case page comes back with the input kept and the reason
        return _render_case(request, user, session, case, error=str(exc), status_code=422)
    return _back_to_case(case, "mode" if changed else "mode_unchanged")
