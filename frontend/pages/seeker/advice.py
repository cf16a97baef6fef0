"""Diagnostic and advice cards with "Warum?", and the full explanation of a decision (G12, G13).

Items waiting for a counsellor show only that they wait, never their content (G8). No score,
rank figure or prognosis of the person appears on these pages (G7).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from functools import partial
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from api.deps import SessionDep, write_session
from api.i18n import LocaleCode, get_locale
from api.i18n import lazy_gettext as _
from api.lane import in_lane
from api.review_status import pending_status
from api.security import CsrfDep
from api.seeker import EXISTING_CASE_IN_LANE, SessionJobSeeker, read_job_seeker
from data.easy_german import easy_texts
from data.kldb import get_occupation
from data.regions import get_region
from frontend.pages.seeker.application import TEMPLATE_PATH
from frontend.pages.seeker.common import decision_path, flash, registry_of, render, see_other
from frontend.pages.seeker.steps import STEPS
from models.db import read_session, release
from models.errors import require_id
from models.schemas import Profile
from models.staff import visible_case_notes
from models.tables import Decision, JobSeeker
from recommender.casework import journey
from recommender.decide.advice_details import details_for_snapshot
from recommender.records.chain import EventType, append_event, insert_event, prepare_event

router = APIRouter(include_in_schema=False)

# Which onboarding step asks for a profile field the advice would profit from.
FIELD_STEP = {spec.name.split(".")[-1]: (step.slug, spec.label) for step in STEPS for spec in step.fields}
FIELD_STEP.update({"target_occupation": FIELD_STEP["target_occupation_text"],
                   "region_ags": FIELD_STEP["region_query"]})
MODE_MESSAGES = {
    "objection": _("You objected to the use of AI. These suggestions come from fixed rules, without AI."),
    "kill_switch": _("The AI is switched off at the moment. These suggestions come from fixed rules, without AI."),
    "no_model": _("These suggestions come from fixed rules, without AI."),
    "counsellor_without_ai": _("Your contact person works on your case without AI. These suggestions come from "
                               "fixed rules."),
}
# Advice that sends the person searching for postings: its card links to the BA Jobbörse search,
# prefilled with their occupation and place (a plain link: Lotse calls no API and shares nothing).
JOB_SEARCH_MODULES = frozenset({"broaden_occupations", "broaden_radius", "spontaneous_applications",
                                "online_job_boards", "shortage_occupations", "temporary_agency_work",
                                "part_time_search", "commute_and_childcare"})
JOBSUCHE_SEARCH = "https://www.arbeitsagentur.de/jobsuche/suche"
# Advice whose text promises a template: its card links to the printable application template.
TEMPLATE_MODULES = frozenset({"cv_documents", "spontaneous_applications"})
MSG_NOT_AVAILABLE = _("Advice cannot be prepared at the moment. Your answers are saved; please try again later.")
MSG_NEW_ADVICE = _("Your advice has been updated.")


def _feature_label(feature: str, locale: LocaleCode) -> str | None:
    try:
        from recommender.decide.decision_explanation import FEATURE_LABELS, feature_label
    except ImportError:
        return None
    return feature_label(feature, locale) if feature in FEATURE_LABELS else None


def _card_data(view: Any, locale: LocaleCode, feedback: dict[str, Any]) -> list[dict[str, Any]]:
    cards = []
    for item in view.items:
        labels = [label for f in item.data_used if (label := _feature_label(f, locale))]
        cards.append({"item": item, "data_used": labels, "feedback": feedback.get(item.item_id)})
    return cards


def jobsuche_url(profile: Profile) -> str | None:
    """The Jobbörse search for the person's occupation and place, or None without an occupation."""
    occupation = get_occupation(profile.target_occupation) if profile.target_occupation else None
    what = profile.target_occupation_text or (occupation.short_title if occupation else "")
    if not what:
        return None
    region = get_region(profile.region_ags) if profile.region_ags else None
    where = region.name if region else (profile.postcode or "")
    return f"{JOBSUCHE_SEARCH}?{urlencode({'was': what, 'wo': where} if where else {'was': what})}"


def _missing(view: Any) -> list[tuple[str, str]]:
    seen, out = set(), []
    for name in getattr(view, "missing_fields", []) or []:
        hit = FIELD_STEP.get(name.split(".")[-1])
        if hit and hit not in seen:
            seen.add(hit)
            out.append(hit)
    return out


@router.get("/advice", response_class=HTMLResponse, dependencies=[EXISTING_CASE_IN_LANE])
async def read_advice(request: Request) -> Response:
    """The main obstacles in plain words, then the advice cards.

    Read and rendered without the write lock, in one hop of the decision lane (``api.lane``);
    only the ``client_viewed`` event is written, in a short transaction of its own (issue 16).
    """
    return await in_lane(request, partial(_advice_page, request))


def _advice_page(request: Request) -> Response:
    return _after_notice(request, lambda reader, job_seeker: render_advice_page(
        request, reader, job_seeker, log_in=write_session))


def _after_notice(request: Request, answer: Callable[[Session, JobSeeker], Response]) -> Response:
    """Lane work for the request's own case, read without the write lock; no advice before the notice (G13)."""
    with read_session(request.app.state.engine) as reader:
        job_seeker = read_job_seeker(request, reader)
        if journey.notice_needed(job_seeker):
            return see_other("/notice")
        return answer(reader, job_seeker)


def render_advice_page(request: Request, session: Any, job_seeker: JobSeeker, *,
                       item_errors: dict[str, dict[str, str]] | None = None,
                       item_values: dict[str, dict[str, str]] | None = None, status_code: int = 200,
                       log_in: Callable[[Request], AbstractContextManager[Session]] | None = None) -> Response:
    """The advice page; a refused plan or feedback form comes back with its input and messages.

    The view is logged (``client_viewed``) once the page is rendered: in *session*, or, when
    *session* only reads, in the short write transaction *log_in* opens.
    """
    locale = get_locale(request)
    module = decision_path()
    # Held for the whole page: the session then finds it by id again without a query when the
    # decision's view and details read their snapshot (usually this one, the latest).
    snapshot = journey.latest_snapshot(session, job_seeker=job_seeker)
    view = module.latest_decision_view(session, job_seeker=job_seeker, locale=locale) if module else None
    if view is None:
        if snapshot is None:
            return see_other("/onboarding/occupation")
        return render(request, "seeker/advice.html", {"view": None, "available": module is not None})
    feedback = journey.latest_feedback(session, job_seeker=job_seeker)
    shown = {item.module_id for item in view.items if item.visible}
    waiting = any(not item.visible for item in view.items)  # only these cards say who checks them
    page = render(request, "seeker/advice.html", {
        "view": view, "cards": _card_data(view, locale, feedback), "missing": _missing(view),
        "mode_message": MODE_MESSAGES.get(view.mode_reason or "", MODE_MESSAGES["no_model"])
        if view.mode != "model" else None,
        "available": True, "item_errors": item_errors or {}, "item_values": item_values or {},
        "notes": visible_case_notes(session=session, job_seeker_id=require_id(job_seeker)),
        "jobsuche_url": jobsuche_url(journey.profile_of(snapshot)),
        "job_search_modules": JOB_SEARCH_MODULES,
        "easy_modules": set(easy_texts()),
        "template_modules": TEMPLATE_MODULES, "template_path": TEMPLATE_PATH,
        "details": details_for_snapshot(session, snapshot_id=view.snapshot_id, shown=shown),
        "pending_status": pending_status(session, job_seeker=job_seeker, locale=locale,
                                         working_days=request.app.state.settings.review_working_days)
        if waiting else None,
    }, status_code=status_code)
    viewed = {"event_type": EventType.client_viewed, "actor_role": "job_seeker", "actor_id": job_seeker.pseudonym,
              "case_pseudonym": job_seeker.pseudonym, "decision_id": view.decision_id,
              "model_version": view.model_version,
              "outputs": {"items_shown": [i.item_id for i in view.items if i.visible], "locale": locale}}
    if log_in is None:
        append_event(session, **viewed)
    else:
        checked = prepare_event(**viewed)  # checked outside the write; the write only links and inserts
        release(session)  # all is read: its connection goes back to the pool before the write takes one
        with log_in(request) as writer:
            insert_event(writer, checked)
    return page


def plan_and_write_advice(request: Request, reader: Session, job_seeker: JobSeeker) -> bool:
    """The decision path in two phases (issue 16): computed in *reader*, then only inserted in a
    short write transaction, in arrival order; False when the path is not available."""
    module = decision_path()
    if module is None:
        return False
    profile = journey.current_profile(reader, job_seeker=job_seeker)
    plan = module.plan_decision(reader, job_seeker=job_seeker, profile=profile, registry=registry_of(request),
                                actor_role="job_seeker", actor_id=job_seeker.pseudonym, locale=get_locale(request))
    release(reader)  # its connection goes back to the pool before the write takes one
    with write_session(request) as writer:
        module.write_decision(writer, plan)
    return True


def generate_advice(request: Request, session: Any, job_seeker: JobSeeker) -> bool:
    """Run the decision path on the saved profile in *session*'s transaction (with the change that
    asked for new advice, e.g. an objection); False when it is not available."""
    module = decision_path()
    if module is None:
        return False
    profile = journey.current_profile(session, job_seeker=job_seeker)
    module.recommend(session, job_seeker=job_seeker, profile=profile, registry=registry_of(request),
                     actor_role="job_seeker", actor_id=job_seeker.pseudonym, locale=get_locale(request))
    return True


@router.post("/advice", dependencies=[EXISTING_CASE_IN_LANE])
async def create_advice(request: Request, _csrf: CsrfDep) -> Response:
    """Compute advice from the saved answers (POST-redirect-GET), in one hop of the decision lane."""
    return await in_lane(request, partial(_new_advice, request))


def _new_advice(request: Request) -> Response:
    def plan(reader: Session, job_seeker: JobSeeker) -> Response:
        if not plan_and_write_advice(request, reader, job_seeker):
            flash(request, MSG_NOT_AVAILABLE, "error")
            return see_other("/onboarding/summary")
        flash(request, MSG_NEW_ADVICE)
        return see_other("/advice")

    return _after_notice(request, plan)


@router.get("/explanation/{decision_id}", response_class=HTMLResponse)
def read_explanation(request: Request, decision_id: str, job_seeker: SessionJobSeeker,
                     session: SessionDep) -> HTMLResponse:
    """Everything about how this advice came about: reasons, data used, rules, model version."""
    decision = session.get(Decision, decision_id[:32])
    if decision is None or decision.job_seeker_id != job_seeker.id:
        raise HTTPException(status_code=404, detail="No such explanation.")
    locale = get_locale(request)
    try:
        from recommender.decide.decision_explanation import explanation_view
    except ImportError as exc:
        raise HTTPException(status_code=503, detail="Explanations are not available.") from exc
    explanation = explanation_view(session, decision=decision, locale=locale)
    append_event(session, event_type=EventType.explanation_shown, actor_role="job_seeker",
                 actor_id=job_seeker.pseudonym, case_pseudonym=job_seeker.pseudonym, decision_id=decision.id,
                 model_version=decision.model_version, outputs={"explanation_id": explanation.explanation_id},
                 ui_text_version=explanation.ui_text_version)
    return render(request, "seeker/explanation.html", {"explanation": explanation, "decision": decision})
