"""A printable application template: a one-page CV skeleton and a short cover letter (de and en).

The advice "Machen Sie Ihren Lebenslauf fertig" promises a template; this is it. The page is
plain HTML with print styles (no JavaScript, no download), readable on a phone and on paper. It
is prefilled only with what the person told Lotse, their target job in their own words and
their place, and never with anything else: every other field stays an empty line to fill in.
Anyone may open it; without a case it is simply empty.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.auth import PUBLIC
from api.auth.deps import OptionalUser
from api.deps import SessionDep
from api.seeker import find_session_job_seeker
from data.regions import get_region
from frontend.pages.seeker.common import render
from models.schemas import Profile
from models.tables import Role
from recommender.casework import journey

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])
TEMPLATE_PATH = "/application-template"


def place_name(profile: Profile) -> str:
    """The person's place as they would write it under a letter ("Regensburg"), or empty."""
    region = get_region(profile.region_ags) if profile.region_ags else None
    return region.name.split(",")[0].strip() if region else ""


@router.get(TEMPLATE_PATH, response_class=HTMLResponse)
def read_application_template(request: Request, session: SessionDep, user: OptionalUser) -> HTMLResponse:
    """CV and cover letter skeleton with plain instructions, to print or save as PDF."""
    seeker = find_session_job_seeker(request, session, user) if user is None or user.role == Role.job_seeker \
        else None
    profile = journey.current_profile(session, job_seeker=seeker) if seeker is not None else Profile()
    return render(request, "seeker/application_template.html", {
        "occupation": (profile.target_occupation_text or "").strip(), "place": place_name(profile),
        "known": seeker is not None,
    })
