"""First visit and onboarding: start a trial case, read the notice, answer one topic per screen.

Each step is saved when sent (a new profile snapshot), so nothing already answered is lost
when a later step fails, the session expires or the person comes back another day.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.auth import PUBLIC
from api.deps import SessionDep
from api.i18n import format_number, get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from api.seeker import NewOrSessionJobSeeker, SessionJobSeeker
from data.kldb import get_occupation
from data.regions import get_region
from frontend.pages.seeker.common import decision_path, flash, render, see_other
from frontend.pages.seeker.forms import (
    MSG_FORM_TOO_LARGE,
    MSG_REGION_UNKNOWN,
    FormTooLarge,
    StepInput,
    parse_fields,
    read_form,
    schema_errors,
)
from frontend.pages.seeker.occupation_list import PATH as OCCUPATION_LIST
from frontend.pages.seeker.steps import STEP_SLUGS, STEPS, StepSpec, step_by_slug
from models.schemas import Profile
from recommender.casework import journey

# Titles typed in Ukrainian, Arabic, Turkish or Russian are not recognised (docs/translations.md); this
# list by field of work is the way for those readers.
OCCUPATION_PICKER_PATH = OCCUPATION_LIST
router = APIRouter(include_in_schema=False)


@router.post("/start")
def start_trial(request: Request, job_seeker: NewOrSessionJobSeeker, session: SessionDep, _csrf: CsrfDep) -> Response:
    """Open an anonymous trial case (or continue the session's one) and show the notice first."""
    journey.touch(session, job_seeker=job_seeker, locale=get_locale(request))
    return see_other("/continue")


@router.get("/continue")
def continue_journey(job_seeker: SessionJobSeeker, session: SessionDep) -> RedirectResponse:
    """Where the person left off: notice, next unanswered step, or their advice."""
    if journey.notice_needed(job_seeker):
        return see_other("/notice")
    module = decision_path()
    if module is not None and module.latest_decision_view(session, job_seeker=job_seeker, locale="de"):
        return see_other("/advice")
    if journey.latest_snapshot(session, job_seeker=job_seeker) is None:
        return see_other(f"/onboarding/{STEP_SLUGS[0]}")
    return see_other("/onboarding/summary")


@router.get("/occupations/suggest", dependencies=[PUBLIC])
def suggest_occupations(q: Annotated[str, Query(max_length=100)] = "") -> JSONResponse:
    """Official job titles for the autocomplete (JavaScript only improves the plain text field)."""
    hits = journey.suggest_occupations(q, limit=8)
    # Not cacheable either: the URL holds what the person typed (SecurityHeadersMiddleware).
    return JSONResponse([{"code": code, "title": title} for code, title in hits])


@router.get("/notice", response_class=HTMLResponse)
def read_notice(request: Request, job_seeker: SessionJobSeeker) -> HTMLResponse:
    """The first-use notice: AI assists, a person decides, what data is used, the right to object."""
    renewed = job_seeker.notice_version_acknowledged is not None and journey.notice_needed(job_seeker)
    return render(request, "seeker/notice.html", {"renewed": renewed, "acknowledged": not journey.notice_needed(
        job_seeker)}, with_nav=False)


@router.post("/notice")
def acknowledge_notice(request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
                       _csrf: CsrfDep) -> RedirectResponse:
    """Record that the person read the notice (logged with its text version)."""
    if journey.notice_needed(job_seeker):
        journey.acknowledge_notice(session, job_seeker=job_seeker, locale=get_locale(request))
    return see_other("/continue" if journey.latest_snapshot(session, job_seeker=job_seeker) else
                     f"/onboarding/{STEP_SLUGS[0]}")


def _saved_values(profile: Profile, step: StepSpec, locale: str) -> dict[str, Any]:
    data = profile.model_dump(mode="json")
    values: dict[str, Any] = {}
    for spec in step.fields:
        if spec.name == "region_query":
            region = get_region(profile.region_ags) if profile.region_ags else None
            values[spec.name] = region.name if region else ""
            continue
        if spec.name == "target_occupation_text" and not profile.target_occupation_text:
            # Given as a KldB code (the API): its official title, never a bare number.
            occupation = get_occupation(profile.target_occupation) if profile.target_occupation else None
            values[spec.name] = occupation.title if occupation else ""
            continue
        node: Any = data
        for part in spec.name.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if spec.kind == "bool":
            values[spec.name] = "" if node is None else ("yes" if node else "no")
        elif spec.kind == "multi":
            values[spec.name] = list(node or [])
        else:
            values[spec.name] = "" if node is None else str(node)
    return values


def _render_step(request: Request, step: StepSpec, values: dict[str, Any], errors: dict[str, str],
                 status_code: int = 200) -> HTMLResponse:
    index = STEP_SLUGS.index(step.slug)
    return render(request, "seeker/onboarding_step.html", {
        "step": step, "values": values, "errors": errors, "number": index + 1, "total": len(STEPS),
        "previous": STEP_SLUGS[index - 1] if index > 0 else None,
        "occupation_picker": OCCUPATION_PICKER_PATH if step.slug == "occupation" else None,
    }, status_code=status_code)


def _step_or_404(slug: str) -> StepSpec:
    step = step_by_slug(slug)
    if step is None:
        raise HTTPException(status_code=404, detail="No such step.")
    return step


@router.get("/onboarding/summary", response_class=HTMLResponse)
def read_summary(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> Response:
    """All answers on one page, each with a link to change it, and the button to get advice."""
    if journey.notice_needed(job_seeker):
        return see_other("/notice")
    rows = read_summary_rows(session, job_seeker, get_locale(request))
    return render(request, "seeker/onboarding_summary.html", {"rows": rows})


def read_summary_rows(session: Any, job_seeker: Any, locale: str) -> list[tuple[StepSpec, list[tuple[Any, str]]]]:
    """Each step with its fields and the saved answers as the person would say them."""
    return answer_rows(journey.current_profile(session, job_seeker=job_seeker), locale)


def answer_rows(profile: Profile, locale: str) -> list[tuple[StepSpec, list[tuple[Any, str]]]]:
    """The onboarding questions with *profile*'s answers in words: only what onboarding asks, labelled.

    The counsellor's decision page shows a snapshot this way too, instead of field names and ``True``.
    """
    rows = []
    for step in STEPS:
        values = _saved_values(profile, step, locale)
        rows.append((step, [(spec, _display(spec, values.get(spec.name), locale)) for spec in step.fields]))
    return rows


def _display(spec: Any, value: Any, locale: str) -> str:
    if value in (None, "", []):
        return ""
    labels = dict(spec.options)
    if spec.kind == "multi":
        return ", ".join(gettext(labels.get(v, v), locale) for v in value)
    if spec.kind in ("choice", "bool"):
        return gettext(labels.get(value, value), locale)
    shown = format_number(value, locale) if spec.kind == "int" else str(value)  # 2.500 / 2,500 / 2 500
    return f"{shown} {gettext(spec.unit, locale)}" if spec.unit else shown


@router.get("/onboarding/{slug}", response_class=HTMLResponse)
def read_step(request: Request, slug: str, job_seeker: SessionJobSeeker, session: SessionDep) -> Response:
    """One onboarding question screen, pre-filled with what the person already answered."""
    if journey.notice_needed(job_seeker):
        return see_other("/notice")
    step = _step_or_404(slug)
    profile = journey.current_profile(session, job_seeker=job_seeker)
    return _render_step(request, step, _saved_values(profile, step, get_locale(request)), {})


def _apply_lookups(step: StepSpec, form_values: StepInput, form: Any, locale: str) -> bool:
    """Free text to codes: the job title to a KldB code, the place to a Kreis (AGS).

    Returns True when Lotse is not sure which occupation the typed title means: then no code is
    saved and the person is asked for the field of work and the level (``occupation_list``).
    """
    answers = form_values.answers
    ask = False
    if step.slug == "occupation" and "target_occupation_text" in answers:
        chosen = str(form.get("target_occupation") or "")
        text = answers["target_occupation_text"]
        if chosen and text and journey.match_occupation(chosen):
            answers["target_occupation"] = chosen
        else:
            reading = journey.read_occupation(text or "")
            answers["target_occupation"], ask = reading.code, reading.ask
    if step.slug == "region" and "region_query" in answers:
        query = answers.pop("region_query")
        region = journey.match_region(query) if query else None
        if query and region is None:
            form_values.errors["region_query"] = gettext(MSG_REGION_UNKNOWN, locale)
        answers["region_ags"] = region.ags if region else None
    return ask


@router.post("/onboarding/{slug}")
async def save_step(request: Request, slug: str, job_seeker: SessionJobSeeker, session: SessionDep,
                    _csrf: CsrfDep) -> Response:
    """Save one step; on bad input show the same step with the input kept and a message per field."""
    step = _step_or_404(slug)
    locale = get_locale(request)
    try:
        form = await read_form(request)
    except FormTooLarge:
        profile = journey.current_profile(session, job_seeker=job_seeker)
        errors = {step.fields[0].name: gettext(MSG_FORM_TOO_LARGE, locale)}
        return _render_step(request, step, _saved_values(profile, step, locale), errors, status_code=413)
    parsed = parse_fields(form, step.fields, locale)
    ask_occupation = _apply_lookups(step, parsed, form, locale)
    if not parsed.errors:
        try:
            journey.save_answers(session, job_seeker=job_seeker, answers=parsed.answers)
        except ValidationError as exc:
            parsed.errors.update(schema_errors(exc, locale, step.fields))
    if parsed.errors:
        return _render_step(request, step, parsed.raw, parsed.errors, status_code=422)
    if ask_occupation:
        return see_other(OCCUPATION_PICKER_PATH)
    index = STEP_SLUGS.index(step.slug)
    if form.get("go") == "back" and index > 0:
        return see_other(f"/onboarding/{STEP_SLUGS[index - 1]}")
    if index + 1 < len(STEP_SLUGS):
        return see_other(f"/onboarding/{STEP_SLUGS[index + 1]}")
    flash(request, _("Thank you. Your answers are saved."))
    return see_other("/onboarding/summary")
