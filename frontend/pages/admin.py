"""Administration pages: accounts, the AI kill switch, retention; and the data-science start page.

The admin manages accounts and switches but reads no case content; the data scientist sees
only aggregate, pseudonymised figures here (training and audits run through ``lotse``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, func, select

from api.auth.accounts import (
    AccountError,
    create_user,
    disable_user,
    generate_password,
    reset_password,
    sign_out_everywhere,
)
from api.auth.deps import AdminUser, require_roles
from api.deps import RowId, SessionDep, SettingsDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from api.settings import MIN_RETENTION_DAYS
from frontend.pages.staff_common import render_staff
from models.tables import MAX_ROW_ID, Decision, DecisionItem, Role, Team, UserAccount
from recommender.decide.killswitch import KillSwitchError, kill_switch_on, set_kill_switch

router = APIRouter(prefix="/staff", include_in_schema=False)

_CANNOT_DISABLE_SELF = _("You cannot disable your own account; ask another admin.")
_DONE = {
    "disabled": _("The account was disabled; its sessions have ended."),
    "signed_out": _("Every session of the account has ended."),
    "switch_on": _("The AI is switched off for everyone: advice comes from the rules only, from the next request."),
    "switch_off": _("The AI is switched on again."),
    "unchanged": _("Nothing changed."),
}


def _admin_context(request: Request, session: Session, admin: UserAccount, settings: Any,
                   done: str | None = None) -> dict[str, Any]:
    users = session.exec(select(UserAccount).where(UserAccount.jobcenter_id == admin.jobcenter_id)
                         .order_by(col(UserAccount.username))).all()
    teams = session.exec(select(Team).where(Team.jobcenter_id == admin.jobcenter_id).order_by(col(Team.name))).all()
    return {
        "users": users,
        "teams": teams,
        "roles": [r.value for r in Role],
        "kill_switch": kill_switch_on(session),
        "retention_days": settings.log_retention_days,
        "min_retention_days": MIN_RETENTION_DAYS,
        "flash": gettext(_DONE[done], get_locale(request)) if done in _DONE else None,
        "flash_kind": "ok",
    }


@router.get("/admin", response_class=HTMLResponse)
def read_admin_page(request: Request, admin: AdminUser, session: SessionDep, settings: SettingsDep,
                    done: str | None = None) -> Response:
    """Accounts of the Jobcenter, the kill switch, the retention setting."""
    return render_staff(request, "staff/admin.html", admin, _admin_context(request, session, admin, settings, done))


@router.post("/admin/users", response_class=HTMLResponse)
def submit_create_user(
    request: Request, admin: AdminUser, session: SessionDep, settings: SettingsDep, _csrf: CsrfDep,
    username: Annotated[str, Form(max_length=64)] = "", role: Annotated[str, Form(max_length=32)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "", team_id: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Create an account with a generated password, shown once on the answer page."""
    password = generate_password()
    team = int(team_id) if team_id.isdigit() and int(team_id) <= MAX_ROW_ID else None
    try:
        user = create_user(session, username=username, password=password, role=role, jobcenter_id=admin.jobcenter_id,
                           team_id=team, display_name=display_name,
                           actor_role=admin.role, actor_id=admin.id)
    except AccountError as exc:  # the form comes back with the input kept and the reason
        context = _admin_context(request, session, admin, settings)
        context.update({"error": str(exc), "form": {"username": username, "display_name": display_name}})
        return render_staff(request, "staff/admin.html", admin, context, status_code=422)
    context = _admin_context(request, session, admin, settings)
    context["new_password"] = {"username": user.username, "password": password}
    # Shows a new password once: never cached, like every response (SecurityHeadersMiddleware).
    return render_staff(request, "staff/admin.html", admin, context, status_code=201)


def _own_user(session: Session, admin: UserAccount, user_id: int) -> UserAccount | None:
    user = session.get(UserAccount, user_id)
    return user if user is not None and user.jobcenter_id == admin.jobcenter_id else None


@router.post("/admin/users/{user_id}/disable", response_class=HTMLResponse)
def submit_disable_user(request: Request, user_id: RowId, admin: AdminUser, session: SessionDep,
                        settings: SettingsDep, _csrf: CsrfDep,
                        reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Disable an account."""
    user = _own_user(session, admin, user_id)
    if user is None:
        return render_staff(request, "staff/message.html", admin,
                            {"title": gettext("No such account.", get_locale(request))}, status_code=404)
    if user.id == admin.id:
        context = _admin_context(request, session, admin, settings)
        context["error"] = gettext(_CANNOT_DISABLE_SELF, get_locale(request))
        return render_staff(request, "staff/admin.html", admin, context, status_code=422)
    changed = disable_user(session, user=user, actor_role=admin.role, actor_id=admin.id, reason=reason)
    return RedirectResponse(f"/staff/admin?done={'disabled' if changed else 'unchanged'}", status_code=303)


@router.post("/admin/users/{user_id}/sign-out", response_class=HTMLResponse)
def submit_sign_out_everywhere(request: Request, user_id: RowId, admin: AdminUser, session: SessionDep,
                               _csrf: CsrfDep) -> Response:
    """End every session of an account."""
    user = _own_user(session, admin, user_id)
    if user is None:
        return render_staff(request, "staff/message.html", admin,
                            {"title": gettext("No such account.", get_locale(request))}, status_code=404)
    sign_out_everywhere(session, user=user, actor_role=admin.role, actor_id=admin.id)
    return RedirectResponse("/staff/admin?done=signed_out", status_code=303)


@router.post("/admin/users/{user_id}/reset-password", response_class=HTMLResponse)
def submit_reset_password(request: Request, user_id: RowId, admin: AdminUser, session: SessionDep,
                          settings: SettingsDep, _csrf: CsrfDep) -> Response:
    """Give an account a new generated password, shown once."""
    user = _own_user(session, admin, user_id)
    if user is None:
        return render_staff(request, "staff/message.html", admin,
                            {"title": gettext("No such account.", get_locale(request))}, status_code=404)
    password = generate_password()
    reset_password(session, user=user, new_password=password, actor_role=admin.role, actor_id=admin.id)
    context = _admin_context(request, session, admin, settings)
    context["new_password"] = {"username": user.username, "password": password}
    return render_staff(request, "staff/admin.html", admin, context)


@router.post("/admin/kill-switch", response_class=HTMLResponse)
def submit_kill_switch(
    request: Request, admin: AdminUser, session: SessionDep, settings: SettingsDep, _csrf: CsrfDep,
    on: Annotated[str, Form(max_length=8)] = "", reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Switch the AI off (kill switch on) or on again, with a reason."""
    turn_on = on == "yes"
    try:
        changed = set_kill_switch(session, on=turn_on, actor_role=admin.role, actor_id=admin.id, reason=reason)
    except KillSwitchError as exc:  # the admin page comes back with the reason, not an error page
        context = _admin_context(request, session, admin, settings)
        context["error"] = str(exc)
        return render_staff(request, "staff/admin.html", admin, context, status_code=422)
    done = ("switch_on" if turn_on else "switch_off") if changed else "unchanged"
    return RedirectResponse(f"/staff/admin?done={done}", status_code=303)


@router.get("/data", response_class=HTMLResponse)
def read_data_page(request: Request, session: SessionDep,
                   user: Annotated[UserAccount, require_roles(Role.data_scientist)]) -> Response:
    """Aggregate figures per model version and mode; no pseudonyms, names or contact data."""
    rows = session.exec(
        select(Decision.model_version, Decision.mode, func.count(col(Decision.id)))
        .group_by(Decision.model_version, Decision.mode).order_by(Decision.model_version)
    ).all()
    states = session.exec(
        select(DecisionItem.review_state, func.count(col(DecisionItem.id))).group_by(DecisionItem.review_state)
    ).all()
    return render_staff(request, "staff/data.html", user, {"rows": rows, "states": states})
