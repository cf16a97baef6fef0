"""My data: see everything stored, download it (JSON, CSV), object to AI, delete it (GDPR Art 15-21)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep, audit_store
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.routes.privacy import personal_export
from api.security import CsrfDep
from api.seeker import SESSION_SEEKER_KEY, SessionJobSeeker
from frontend.pages.seeker.advice import generate_advice
from frontend.pages.seeker.common import decision_path, flash, render, see_other
from frontend.pages.seeker.forms import FormTooLarge, read_form
from frontend.pages.seeker.onboarding import read_summary_rows
from frontend.pages.seeker.plan import OUTCOME_LABELS
from models.errors import require_id
from recommender.casework import data_rights as privacy
from recommender.casework import handoff, journey, plan
from recommender.casework.erasure_journal import erasure_journal

router = APIRouter(include_in_schema=False)

MSG_OBJECTED = _("Your objection is saved. From now on you get suggestions without AI.")
MSG_WITHDRAWN = _("Your objection is withdrawn. The AI may help to sort your suggestions again.")
MSG_CONFIRM = _("Please tick the box to confirm that all your data should be deleted.")
MSG_ERASED = _("Your data has been deleted. Thank you for using Lotse.")
FEEDBACK_LABELS = {"helpful": _("Helpful"), "not_helpful": _("Not helpful"), "not_possible": _("Not possible for me")}
RECORD_LABELS = {
    "profile_snapshot": _("Saved versions of your answers"),
    "decision": _("Sets of suggestions"),
    "decision_item": _("Suggestions"),
    "feedback": _("Your feedback"),
    "outcome": _("What you told us happened"),
    "case_assignment": _("Contact persons assigned to you"),
    "case_access_grant": _("Permissions for staff to open your case"),
    "case_note": _("Notes by your contact person"),
    "case_mode": _("Whether your case runs without AI"),
    "plan_step": _("Steps in your plan"),
    "external_case": _("Your case number at the Jobcenter"),
    "handoff_consent": _("Your agreements to pass your answers to the Jobcenter"),
    "handoff": _("Versions of your answers the Jobcenter received"),
}


@router.get("/my-data", response_class=HTMLResponse)
def read_my_data(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> HTMLResponse:
    """Everything Lotse stores about the person, in plain words, with the download links."""
    locale = get_locale(request)
    counts, events = privacy.personal_data_counts(session, job_seeker=job_seeker)
    return render(request, "seeker/my_data.html", {
        "job_seeker": job_seeker, "rows": read_summary_rows(session, job_seeker, locale), "counts": counts,
        "events": events, "record_labels": RECORD_LABELS,
        "plan": plan.plan_view(session, job_seeker=job_seeker, locale=locale),
        "outcomes": journey.outcomes_of(session, job_seeker=job_seeker), "outcome_labels": OUTCOME_LABELS,
        "feedback": list(journey.latest_feedback(session, job_seeker=job_seeker).values()),
        "feedback_labels": FEEDBACK_LABELS,
        "handoff_consent": handoff.active_consent(session, job_seeker_id=require_id(job_seeker)),
    })


def _download(request: Request, session: SessionDep, job_seeker: SessionJobSeeker, kind: str) -> Response:
    export = personal_export(request, session, job_seeker)
    name = f"lotse-meine-daten-{job_seeker.pseudonym[:8]}.{kind}"
    body, media = (export.to_json(), "application/json") if kind == "json" else (export.to_csv(), "text/csv")
    return Response(body, media_type=f"{media}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/my-data/export.json")
def export_json(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> Response:
    """Download all stored data as JSON (logged as data_exported)."""
    return _download(request, session, job_seeker, "json")


@router.get("/my-data/export.csv")
def export_csv(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> Response:
    """Download all stored data as one CSV table (logged as data_exported)."""
    return _download(request, session, job_seeker, "csv")


@router.post("/my-data/objection")
async def change_objection(request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
                           _csrf: CsrfDep) -> Response:
    """File or withdraw the objection to AI-assisted advice (Art 21), then refresh the advice."""
    form = await request.form()
    if form.get("action") == "withdraw":
        changed = privacy.withdraw_objection(session, job_seeker=job_seeker)
        flash(request, MSG_WITHDRAWN)
    else:
        changed = privacy.file_objection(session, job_seeker=job_seeker)
        flash(request, MSG_OBJECTED)
    module = decision_path()
    if changed and module is not None and module.latest_decision_view(session, job_seeker=job_seeker,
                                                                       locale=get_locale(request)):
        generate_advice(request, session, job_seeker)  # the advice shown follows the choice at once
    return see_other("/my-data#objection")


@router.get("/my-data/delete", response_class=HTMLResponse)
def read_delete_confirmation(request: Request, job_seeker: SessionJobSeeker) -> HTMLResponse:
    """The confirmation step before erasure."""
    return render(request, "seeker/delete.html", {"error": None})


@router.post("/my-data/delete")
async def delete_my_data(request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
                         _csrf: CsrfDep) -> Response:
    """Erase the person's data (Art 17) after the confirmation box was ticked; end the session."""
    try:
        form = await read_form(request)
    except FormTooLarge:
        form = None
    if form is None or form.get("confirm") != "yes":
        return render(request, "seeker/delete.html", {"error": gettext(MSG_CONFIRM, get_locale(request))},
                      status_code=422)
    with audit_store(request.app.state.settings) as audit_engine:
        privacy.erase_personal_data(session, job_seeker=job_seeker, confirmation=privacy.CONFIRMATION_WORD,
                                    audit_engine=audit_engine,
                                    journal=erasure_journal(request.app.state.settings.var_dir))
    request.session.pop(SESSION_SEEKER_KEY, None)
    flash(request, MSG_ERASED)
    return see_other("/")
