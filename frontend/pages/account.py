"""A staff member's own account: change the password, set up two-step sign-in (TOTP)."""

from __future__ import annotations

from typing import Annotated

import pyotp
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth.accounts import PasswordPolicyError, reset_password
from api.auth.deps import StaffUser, start_user_session
from api.auth.login import LoginThrottled, verify_current_password
from api.deps import SessionDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.routes.auth import client_address
from api.security import CsrfDep
from frontend.pages.staff_common import render_staff

router = APIRouter(prefix="/staff/account", include_in_schema=False)

_DONE = {
    "password": _("Your password was changed. Other sessions of your account have ended."),
    "totp": _("Two-step sign-in is on. From now on, sign-in asks for the code from your app."),
}
_WRONG_PASSWORD = _("The current password is wrong.")
_PASSWORDS_DIFFER = _("The two new passwords differ.")
_TOO_MANY_WRONG = _(
    "Too many wrong passwords. Please wait until %(until)s UTC (about %(seconds)s seconds) and try again."
)
_WRONG_CODE = _("The code does not match. Check the time on your phone and enter the current code.")


def _render(request: Request, user: StaffUser, *, error: str | None = None, status_code: int = 200,
            done: str | None = None, secret: str | None = None) -> Response:
    secret = secret or pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Lotse")
    flash = gettext(_DONE[done], get_locale(request)) if done in _DONE else None
    # Shows a fresh TOTP key: never cached, like every response (SecurityHeadersMiddleware).
    return render_staff(request, "staff/account.html", user, {
        "error": error, "flash": flash, "flash_kind": "ok", "totp_enabled": user.totp_secret is not None,
        "totp_secret": secret, "totp_uri": uri,
    }, status_code=status_code)


@router.get("", response_class=HTMLResponse)
def read_account_page(request: Request, user: StaffUser, done: str | None = None) -> Response:
    """Own account settings."""
    return _render(request, user, done=done)


@router.post("/password", response_class=HTMLResponse)
def submit_password_change(
    request: Request, user: StaffUser, session: SessionDep, _csrf: CsrfDep,
    current_password: Annotated[str, Form(max_length=256)] = "",
    new_password: Annotated[str, Form(max_length=256)] = "",
    repeat_password: Annotated[str, Form(max_length=256)] = "",
) -> Response:
    """Change one's own password (policy-checked); this session continues, others end."""
    locale = get_locale(request)
    try:
        if not verify_current_password(session, user=user, password=current_password, client=client_address(request)):
            return _render(request, user, error=gettext(_WRONG_PASSWORD, locale), status_code=422)
    except LoginThrottled as exc:
        message = gettext(_TOO_MANY_WRONG, locale, until=exc.until.strftime("%H:%M:%S"), seconds=exc.seconds)
        response = _render(request, user, error=message, status_code=429)
        response.headers["Retry-After"] = str(exc.seconds)
        return response
    if new_password != repeat_password:
        return _render(request, user, error=gettext(_PASSWORDS_DIFFER, locale), status_code=422)
    try:
        reset_password(session, user=user, new_password=new_password, actor_role=user.role, actor_id=user.id)
    except PasswordPolicyError as exc:  # the form comes back naming each rule the password broke
        return _render(request, user, error=" ".join(gettext(p, locale) for p in exc.problems), status_code=422)
    start_user_session(request, user)
    return RedirectResponse("/staff/account?done=password", status_code=303)


@router.post("/totp", response_class=HTMLResponse)
def submit_totp_setup(
    request: Request, user: StaffUser, session: SessionDep, _csrf: CsrfDep,
    secret: Annotated[str, Form(max_length=64)] = "", code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """Switch on two-step sign-in once the app shows a matching code (so nobody locks themselves out)."""
    digits = "".join(code.split())
    valid_secret = len(secret) >= 16 and secret.isalnum()
    if not valid_secret or not digits.isdigit() or not pyotp.TOTP(secret).verify(digits, valid_window=1):
        return _render(request, user, error=gettext(_WRONG_CODE, get_locale(request)), status_code=422,
                       secret=secret if valid_secret else None)
    user.totp_secret = secret
    session.add(user)
    return RedirectResponse("/staff/account?done=totp", status_code=303)
