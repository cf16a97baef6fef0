"""Sign-in and sign-out pages for staff (and job-seekers with an account)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth.deps import OptionalUser, end_user_session, safe_next, start_user_session
from api.auth.login import LoginFailed, LoginThrottled, authenticate
from api.auth.policy import PUBLIC
from api.deps import SessionDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.routes.auth import client_address
from api.security import CsrfDep
from frontend.pages.staff_common import render_staff, role_home

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

_LOGIN_FAILED = _("Username, password or code is wrong.")
_LOGIN_THROTTLED = _(
    "Too many failed sign-in attempts. Please wait until %(until)s UTC (about %(seconds)s seconds) and try again."
)


@router.get("/login", response_class=HTMLResponse)
def read_login(request: Request, user: OptionalUser, next: str | None = None, signed_out: int = 0) -> Response:
    """The sign-in form (a signed-in user goes straight to their start page)."""
    if user is not None:
        return RedirectResponse(safe_next(next) or role_home(user), status_code=303)
    context = {"next_path": safe_next(next), "signed_out": bool(signed_out)}
    return render_staff(request, "staff/login.html", None, context)


@router.post("/login", response_class=HTMLResponse)
def submit_login(
    request: Request,
    session: SessionDep,
    _csrf: CsrfDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
    totp_code: Annotated[str, Form(max_length=12)] = "",
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the credentials; on success start a fresh session and go on."""
    locale = get_locale(request)
    context = {"next_path": safe_next(next), "username": username}
    try:
        user = authenticate(session, username=username, password=password, totp_code=totp_code or None,
                            client=client_address(request))
    # The login form comes back with the message (not an error page); the failure must stay committed.
    except LoginThrottled as exc:
        message = gettext(_LOGIN_THROTTLED, locale, until=exc.until.strftime("%H:%M:%S"), seconds=exc.seconds)
        response = render_staff(request, "staff/login.html", None, {**context, "error": message}, status_code=429)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    except LoginFailed:
        message = gettext(_LOGIN_FAILED, locale)
        return render_staff(request, "staff/login.html", None, {**context, "error": message}, status_code=401)
    start_user_session(request, user)
    return RedirectResponse(safe_next(next) or role_home(user), status_code=303)


@router.get("/logout", response_class=HTMLResponse)
def read_logout(request: Request, user: OptionalUser) -> Response:
    """A confirmation button (signing out changes state, so it is a POST with a CSRF token)."""
    return render_staff(request, "staff/logout.html", user)


@router.post("/logout")
def submit_logout(request: Request, session: SessionDep, user: OptionalUser,
                  _csrf: CsrfDep) -> RedirectResponse:
    """End the session - every copy of the cookie, not just this browser's."""
    end_user_session(request, session, user)
    return RedirectResponse("/login?signed_out=1", status_code=303)
