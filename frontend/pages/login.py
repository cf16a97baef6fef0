"""Sign-in and sign-out pages: staff at ``/login`` (with the two-step code), job-seekers at ``/sign-in``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from api.auth.deps import OptionalUser, end_user_session, safe_next, start_user_session
from api.auth.login import LoginFailed, LoginThrottled, authenticate
from api.auth.policy import PUBLIC
from api.deps import SessionDep
from api.i18n import format_datetime, get_locale, gettext
from api.i18n import lazy_gettext as _
from api.routes.auth import client_address
from api.security import CsrfDep
from frontend.pages.seeker.common import render
from frontend.pages.staff_common import render_staff, role_home
from models.tables import Role

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

_LOGIN_FAILED = _("Username, password or code is wrong.")
_LOGIN_THROTTLED = _(
    "Too many failed sign-in attempts. Please wait until %(until)s (about %(seconds)s seconds) and try again."
)
_STAFF_ELSEWHERE = _("This is the sign-in for job-seekers. Jobcenter staff sign in on the staff sign-in page.")


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
    def page(context: dict[str, Any], status_code: int) -> HTMLResponse:
        return render_staff(request, "staff/login.html", None, context, status_code=status_code)

    return _sign_in(request, session, page, username=username, password=password, totp_code=totp_code, next=next)


@router.get("/sign-in", response_class=HTMLResponse)
def read_seeker_sign_in(request: Request, user: OptionalUser) -> Response:
    """The job-seeker's own sign-in page: their account's name and password, no staff wording or code field."""
    if user is not None:
        return RedirectResponse(role_home(user), status_code=303)
    return render(request, "seeker/sign_in.html", {}, with_nav=False)


@router.post("/sign-in", response_class=HTMLResponse)
def submit_seeker_sign_in(
    request: Request,
    session: SessionDep,
    _csrf: CsrfDep,
    username: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Sign a job-seeker in; staff accounts are sent to the staff page (they may need their code)."""
    def page(context: dict[str, Any], status_code: int) -> HTMLResponse:
        return render(request, "seeker/sign_in.html", context, status_code=status_code, with_nav=False)

    return _sign_in(request, session, page, username=username, password=password, totp_code="", next="",
                    roles=frozenset({Role.job_seeker.value}))


def _sign_in(request: Request, session: Session, page: Callable[[dict[str, Any], int], HTMLResponse], *,
             username: str, password: str, totp_code: str, next: str, roles: frozenset[str] | None = None,
             ) -> Response:
    """One sign-in for both pages: throttling, the same answer for every failure, a fresh session."""
    locale = get_locale(request)
    context = {"next_path": safe_next(next), "username": username}
    try:
        user = authenticate(session, username=username, password=password, totp_code=totp_code or None,
                            client=client_address(request))
    # The login form comes back with the message (not an error page); the failure must stay committed.
    except LoginThrottled as exc:
        message = gettext(_LOGIN_THROTTLED, locale, until=format_datetime(exc.until, locale, "medium"),
                          seconds=exc.seconds)
        response = page({**context, "error": message}, 429)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    except LoginFailed:
        return page({**context, "error": gettext(_LOGIN_FAILED, locale)}, 401)
    if roles is not None and user.role not in roles:
        return page({**context, "error": gettext(_STAFF_ELSEWHERE, locale)}, 401)
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
