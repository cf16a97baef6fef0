"""HTML routers; ``PAGES`` is what ``frontend.main`` mounts (one module per page group)."""

from fastapi import APIRouter

from frontend.pages import (
    account,
    admin,
    benchlearning,
    counsellor,
    datascience,
    language,
    login,
    model_report,
    start,
    teamlead,
)
from frontend.pages.seeker import SEEKER_PAGES

PAGES: list[APIRouter] = [
    start.router, language.router, login.router, counsellor.router, teamlead.router, benchlearning.router,
    admin.router,
    account.router, datascience.router, model_report.router,
    *SEEKER_PAGES,
]
