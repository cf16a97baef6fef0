"""Choose the job from a list: field of work, group, level, occupation (issue 19).

Two ways in. When Lotse is not sure which occupation a typed title means, the onboarding sends
the person here instead of guessing, and the title they typed still orders the occupations
that remain. Anyone can also come here from the link "Beruf aus einer Liste wählen", for
example people who would rather not type a German job title. Every stage is a plain form (GET
to go on, POST with CSRF to save), so it works without JavaScript.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from api.deps import SessionDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from api.seeker import SessionJobSeeker
from data.kldb import get_occupation, occupations_at_level
from frontend.pages.seeker.common import render, see_other
from frontend.pages.seeker.forms import MSG_CHOICE, read_form
from frontend.pages.seeker.steps import STEP_SLUGS
from recommender.casework import journey

router = APIRouter(include_in_schema=False)
PATH = "/onboarding/occupation/list"

# The ten KldB occupational areas (Berufsbereiche, first digit) in plain words, with examples.
AREAS: tuple[tuple[str, str], ...] = (
    ("1", _("Farming, forestry, animals, gardening")),
    ("2", _("Production and manufacturing: metal, machines, electrics, food and cooking, textiles")),
    ("3", _("Building, building services, architecture")),
    ("4", _("Science, IT and computing")),
    ("5", _("Transport, warehouse, driving, security, cleaning")),
    ("6", _("Shops and sales, trade, hotels, restaurants, tourism")),
    ("7", _("Office, accounting, law, public administration")),
    ("8", _("Health, care, social work, teaching and childcare")),
    ("9", _("Media, art, culture, design, languages, research in the humanities")),
    ("0", _("Armed forces")),
)
# The skill level (fifth KldB digit) in plain words.
LEVELS: tuple[tuple[str, str], ...] = (
    ("1", _("Helper work: no vocational training needed")),
    ("2", _("Skilled work: usually after 2 to 3 years of vocational training")),
    ("3", _("Specialist work: master craftsman, technician or similar further training")),
    ("4", _("Expert work: usually a university degree")),
)
MSG_NO_OCCUPATION = _("There is no occupation of this level in this group. Please choose another level.")


def _groups(area: str) -> list[tuple[str, str]]:
    return [(o.code, o.title) for o in occupations_at_level(2) if o.code.startswith(area)]


def _stage(area: str, group: str, level: str) -> tuple[str, str, str, str | None]:
    """The furthest valid stage for the query; an impossible value goes back one stage with a message."""
    if area and area not in dict(AREAS):
        return "", "", "", MSG_CHOICE
    if group and (not area or group not in dict(_groups(area))):
        return area, "", "", MSG_CHOICE
    if level and (not group or level not in {*dict(LEVELS), "any"}):
        return area, group, "", MSG_CHOICE
    return area, group, level, None


def _page(request: Request, job_seeker: SessionJobSeeker, session: SessionDep, area: str, group: str, level: str,
          error: str | None, status_code: int = 200) -> HTMLResponse:
    profile = journey.current_profile(session, job_seeker=job_seeker)
    typed = profile.target_occupation_text or ""
    unsure = bool(typed) and not profile.target_occupation
    reading = journey.read_occupation(typed) if unsure else None
    choices: list[tuple[str, str]] = []
    if level:
        choices = journey.occupations_to_choose(typed, group=group, level=None if level == "any" else int(level))
        if not choices and error is None:
            error, status_code = MSG_NO_OCCUPATION, 200
    locale = get_locale(request)
    return render(request, "seeker/occupation_list.html", {
        "path": PATH, "area": area, "group": group, "level": level, "typed": typed, "unsure": unsure,
        "areas": AREAS, "groups": _groups(area) if area else [], "levels": LEVELS, "choices": choices,
        "suggested_level": str(reading.level) if reading and reading.level else "",
        "area_name": gettext(dict(AREAS).get(area, ""), locale) if area else "",
        "group_name": dict(_groups(area)).get(group, "") if group else "",
        "error": gettext(error, locale) if error else None,
    }, status_code=status_code)


@router.get(PATH, response_class=HTMLResponse)
def read_occupation_list(
    request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
    area: Annotated[str, Query(max_length=1)] = "", group: Annotated[str, Query(max_length=2)] = "",
    level: Annotated[str, Query(max_length=3)] = "",
) -> Response:
    """One stage of choosing the job from a list: field of work, group, level, then the occupation."""
    if journey.notice_needed(job_seeker):
        return see_other("/notice")
    area, group, level, error = _stage(area, group, level)
    return _page(request, job_seeker, session, area, group, level, error, 422 if error else 200)


@router.post(PATH)
async def save_occupation_choice(request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
                                 _csrf: CsrfDep) -> Response:
    """Save the chosen occupation; an unknown code shows the list again with a message, nothing saved."""
    form = await read_form(request)
    area, group, level, _error = _stage(str(form.get("area") or ""), str(form.get("group") or ""),
                                        str(form.get("level") or ""))
    code = str(form.get("code") or "")
    occupation = get_occupation(code) if len(code) == 5 else None
    if occupation is None or not code.startswith(group or "-"):
        return _page(request, job_seeker, session, area, group, level, MSG_CHOICE, status_code=422)
    profile = journey.current_profile(session, job_seeker=job_seeker)
    journey.save_answers(session, job_seeker=job_seeker, answers={
        "target_occupation": code, "target_occupation_text": profile.target_occupation_text or occupation.title})
    return see_other(f"/onboarding/{STEP_SLUGS[1]}")
