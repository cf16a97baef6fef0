"""Shared pieces of the staff pages: the menu per role, where each role starts, rendering."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from api.auth.deps import SignedIn
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from frontend.templating import templates
from models.tables import Role, UserAccount

ROLE_HOME = {
    Role.counsellor.value: "/staff/caseload",
    Role.team_lead.value: "/staff/team",
    Role.admin.value: "/staff/admin",
    Role.data_scientist.value: "/staff/data",
    Role.job_seeker.value: "/",
}

_NAV: dict[str, list[tuple[str, str]]] = {
    Role.counsellor.value: [("/staff/caseload", _("Caseload")), ("/staff/reviews", _("Review queue")),
                            ("/staff/cover", _("Colleague's case")), ("/staff/account", _("My account"))],
    Role.team_lead.value: [("/staff/team", _("Team overview")), ("/staff/team/cases", _("Assignments")),
                           ("/staff/benchlearning", _("Compare Jobcenters")),
                           ("/staff/caseload", _("Caseload")), ("/staff/reviews", _("Review queue")),
                           ("/staff/model-report", _("Model report")), ("/staff/account", _("My account"))],
    Role.admin.value: [("/staff/admin", _("Administration")), ("/staff/account", _("My account"))],
    Role.data_scientist.value: [("/staff/data", _("Models and data")),
                                ("/staff/data/models", _("Model versions and reports")),
                                ("/staff/model-report", _("Model report")),
                                ("/staff/account", _("My account"))],
}


def role_home(user: UserAccount) -> str:
    return ROLE_HOME.get(user.role, "/")


def render_staff(
    request: Request, template: str, user: UserAccount | SignedIn | None, context: dict[str, Any] | None = None,
    *, status_code: int = 200,
) -> HTMLResponse:
    locale = get_locale(request)
    nav = [(href, gettext(label, locale)) for href, label in _NAV.get(user.role, [])] if user else []
    return templates.TemplateResponse(
        request, template, {"staff_user": user, "staff_nav": nav, **(context or {})}, status_code=status_code
    )
