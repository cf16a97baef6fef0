"""The model report in the browser, in German and English: card, gates, policy value, fairness.

For data scientists and team leads (a team lead answers for the tool the team uses; the report
holds aggregates of SIMULATED people and gate evidence, no case). The archived ``report.html`` stays
a download (``frontend/pages/datascience.py``); this page shows the same stored evidence
(``recommender.evaluate.report_view``) in the reader's language, as tables readable from 768 px.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from api.auth.deps import require_roles
from api.deps import SettingsDep
from api.i18n import get_locale, gettext
from data.catalogue import load_catalogue
from frontend.pages.staff_common import render_staff
from models.tables import Role, UserAccount
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.report_view import ReportView, active_report_view, report_view

router = APIRouter(prefix="/staff/model-report", include_in_schema=False)
ReportReader = Annotated[UserAccount, require_roles(Role.data_scientist, Role.team_lead)]


def _render(request: Request, user: UserAccount, view: ReportView | None) -> Response:
    locale = get_locale(request)
    modules = {m.id: getattr(m.title, locale) for m in load_catalogue().modules}
    meanings = {row.name: gettext(row.meaning, locale) for row in view.metrics} if view else {}
    return render_staff(request, "staff/model_report.html", user,
                        {"report": view, "module_titles": modules, "meanings": meanings})


@router.get("", response_class=HTMLResponse)
def read_active_model_report(request: Request, settings: SettingsDep, user: ReportReader) -> Response:
    """The active model's card and report; says so when the rules give the advice."""
    return _render(request, user, active_report_view(ModelRegistry(settings.models_dir)))


@router.get("/{version}", response_class=HTMLResponse)
def read_model_report_page(request: Request, version: str, settings: SettingsDep, user: ReportReader) -> Response:
    """One stored version's card and report (unknown or unusable versions: 404)."""
    view = report_view(ModelRegistry(settings.models_dir), version)
    if view is None:
        raise HTTPException(status_code=404, detail=f"no usable model version {version!r}")
    return _render(request, user, view)
