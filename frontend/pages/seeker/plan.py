"""Action plan, feedback per advice and outcome reporting: plain forms, POST-redirect-GET."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from api.deps import SessionDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from api.seeker import SessionJobSeeker
from frontend.pages.seeker.advice import render_advice_page
from frontend.pages.seeker.common import flash, render, see_other
from frontend.pages.seeker.forms import MSG_FORM_TOO_LARGE, FormTooLarge, read_form
from models.tables import JobSeeker, jobcenter_today
from recommender.casework import journey, plan

router = APIRouter(include_in_schema=False)

MSG_DATE = _("Please enter a date, for example 31.12.2026.")
MSG_DUE_RANGE = _("Please choose a date from today up to one year ahead.")
MSG_OUTCOME_RANGE = _("Please enter a date that is not in the future.")
MSG_FEEDBACK_KIND = _("Please choose one answer.")
MSG_COMMENT_LONG = _("Please shorten your comment to at most %(max)s characters.")
MSG_PLAN_ADDED = _("Added to your plan.")
MSG_PLAN_REMOVED = _("Removed from your plan.")
MSG_DONE = _("Well done! The step is marked as done.")
MSG_REOPENED = _("The step is open again.")
MSG_FEEDBACK_SAVED = _("Thank you for your feedback.")
MSG_OUTCOME_SAVED = _("Thank you for letting us know. Congratulations!")
OUTCOME_LABELS = (("job_found", _("I have found a job")), ("training_started", _("I have started training")),
                  ("self_employed", _("I have become self-employed")), ("other", _("Something else")))


def parse_date(value: str) -> date | None:
    """ISO (from a date picker) or German ``31.12.2026`` (typed without one); ValueError otherwise."""
    value = value.strip()
    if not value:
        return None
    if "." in value:
        day, month, year = value.split(".")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(value)


def _not_found() -> HTTPException:
    return HTTPException(status_code=404, detail="No such advice.")


def _back_with_errors(request: Request, session: Any, job_seeker: JobSeeker, origin: str, item_id: str,
                      errors: dict[str, str], values: dict[str, str]) -> Response:
    if origin == "plan":
        return _render_plan(request, session, job_seeker, {item_id: errors}, {item_id: values}, 422)
    return render_advice_page(request, session, job_seeker, item_errors={item_id: errors},
                              item_values={item_id: values}, status_code=422)


def _render_plan(request: Request, session: Any, job_seeker: JobSeeker, item_errors: dict[str, Any] | None = None,
                 item_values: dict[str, Any] | None = None, status_code: int = 200,
                 template: str = "seeker/plan.html") -> HTMLResponse:
    steps = plan.plan_view(session, job_seeker=job_seeker, locale=get_locale(request))
    return render(request, template, {"steps": steps, "item_errors": item_errors or {},
                                      "today_value": jobcenter_today(), "item_values": item_values or {}},
                  status_code=status_code)


async def _posted_form(request: Request, back: str) -> FormData | Response:
    """The posted form, or (for an absurdly large body) a flash and a redirect to ``back``.

    The plan, feedback and outcome forms all answer a too-large body the same way, decided here once.
    """
    try:
        return await read_form(request)
    except FormTooLarge:
        flash(request, MSG_FORM_TOO_LARGE, "error")
        return see_other(back)


def _origin(form: FormData) -> str:
    """Where the form was posted from: the plan page or (by default) the advice page."""
    return "plan" if form.get("origin") == "plan" else "advice"


@router.get("/plan", response_class=HTMLResponse)
def read_plan(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> Response:
    """The person's plan: steps with due dates, done or open."""
    if journey.notice_needed(job_seeker):
        return see_other("/notice")
    return _render_plan(request, session, job_seeker)


@router.get("/plan/print", response_class=HTMLResponse)
def read_plan_printable(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> Response:
    """The plan without forms and navigation, to print or save as PDF."""
    return _render_plan(request, session, job_seeker, template="seeker/plan_print.html")


@router.post("/plan/{item_id}")
async def update_plan(request: Request, item_id: str, job_seeker: SessionJobSeeker, session: SessionDep,
                      _csrf: CsrfDep) -> Response:
    """Add to / remove from the plan, mark done or open again."""
    locale = get_locale(request)
    form = await _posted_form(request, "/plan")
    if isinstance(form, Response):
        return form
    action = str(form.get("action") or "add")
    origin = _origin(form)
    raw_due = str(form.get("due_date") or "")[:20]
    try:
        if action == "add":
            try:
                due = parse_date(raw_due)
            except ValueError:
                return _back_with_errors(request, session, job_seeker, origin, item_id,
                                         {"due_date": gettext(MSG_DATE, locale)}, {"due_date": raw_due})
            plan.add_to_plan(session, job_seeker=job_seeker, item_id=item_id, due_date=due)
            message = MSG_PLAN_ADDED
        elif action == "remove":
            plan.remove_from_plan(session, job_seeker=job_seeker, item_id=item_id)
            message = MSG_PLAN_REMOVED
        elif action in ("done", "reopen"):
            plan.mark_done(session, job_seeker=job_seeker, item_id=item_id, done=action == "done")
            message = MSG_DONE if action == "done" else MSG_REOPENED
        else:
            raise _not_found()
    except journey.JourneyInputError:
        # Not an error page: the form comes back with the date the person typed and a hint.
        return _back_with_errors(request, session, job_seeker, origin, item_id,
                                 {"due_date": gettext(MSG_DUE_RANGE, locale)}, {"due_date": raw_due})
    flash(request, message)
    return see_other("/plan" if origin == "plan" or action != "add" else f"/advice#item-{item_id}")


@router.post("/feedback/{item_id}")
async def send_feedback(request: Request, item_id: str, job_seeker: SessionJobSeeker, session: SessionDep,
                        _csrf: CsrfDep) -> Response:
    """Helpful / not helpful / not possible for me, with an optional comment."""
    locale = get_locale(request)
    form = await _posted_form(request, "/advice")
    if isinstance(form, Response):
        return form
    origin = _origin(form)
    kind = str(form.get("kind") or "")
    comment = str(form.get("comment") or "")
    values = {"kind": kind, "comment": comment}
    errors: dict[str, str] = {}
    if kind not in journey.FEEDBACK_KINDS:
        errors["kind"] = gettext(MSG_FEEDBACK_KIND, locale)
    if len(comment.strip()) > journey.MAX_COMMENT_CHARS:
        errors["comment"] = gettext(MSG_COMMENT_LONG, locale, max=journey.MAX_COMMENT_CHARS)
    if errors:
        journey.own_item(session, job_seeker=job_seeker, item_id=item_id)
        return _back_with_errors(request, session, job_seeker, origin, item_id, errors, values)
    journey.record_feedback(session, job_seeker=job_seeker, item_id=item_id, kind=kind, comment=comment)
    flash(request, MSG_FEEDBACK_SAVED)
    return see_other("/plan" if origin == "plan" else f"/advice#item-{item_id}")


@router.get("/outcome", response_class=HTMLResponse)
def read_outcome_form(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> HTMLResponse:
    """'I have found a job' and other outcomes."""
    return render(request, "seeker/outcome.html", {
        "labels": OUTCOME_LABELS, "errors": {}, "values": {}, "today": jobcenter_today(),
        "reported": journey.outcomes_of(session, job_seeker=job_seeker)})


@router.post("/outcome")
async def report_outcome(request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
                         _csrf: CsrfDep) -> Response:
    """Store an outcome (kept for learning what helps), then thank the person."""
    locale = get_locale(request)
    form = await _posted_form(request, "/outcome")
    if isinstance(form, Response):
        return form
    kind = str(form.get("kind") or "")
    raw = str(form.get("occurred_on") or "")[:20]
    errors: dict[str, str] = {}
    occurred = None
    if kind not in journey.OUTCOME_KINDS:
        errors["kind"] = gettext(MSG_FEEDBACK_KIND, locale)
    try:
        occurred = parse_date(raw) or jobcenter_today()
    except ValueError:
        errors["occurred_on"] = gettext(MSG_DATE, locale)
    if not errors and occurred is not None:
        try:
            journey.report_outcome(session, job_seeker=job_seeker, kind=kind, occurred_on=occurred)
        except journey.JourneyInputError:  # the form comes back with the person's input and a hint
            errors["occurred_on"] = gettext(MSG_OUTCOME_RANGE, locale)
    if errors:
        return render(request, "seeker/outcome.html", {
            "labels": OUTCOME_LABELS, "errors": errors, "values": {"kind": kind, "occurred_on": raw},
            "today": jobcenter_today(), "reported": journey.outcomes_of(session, job_seeker=job_seeker)},
            status_code=422)
    flash(request, MSG_OUTCOME_SAVED)
    return see_other("/outcome")
