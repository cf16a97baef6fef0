"""Turn a trial case into an account (Jobcenter code + username + password), so answers survive the session.

People try Lotse first and register only when it proved useful (Bob Emploi shipped this "late
sign-up" in 2019, bayesimpact/bob-emploi HISTORY.md). The case keeps its pseudonym and
everything saved; the password is hashed with argon2id by ``api.auth`` and must pass its policy.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import select

from api.auth.deps import start_user_session
from api.auth.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PASSWORD_IS_USERNAME,
    PASSWORD_ONE_CHARACTER,
    PASSWORD_TOO_COMMON,
    check_password_policy,
    hash_password,
)
from api.deps import SessionDep
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security import CsrfDep
from api.seeker import SessionJobSeeker
from frontend.pages.seeker.common import flash, render, see_other
from frontend.pages.seeker.forms import FormTooLarge, read_form
from models.crud import get_jobcenter_by_code
from models.tables import Role, UserAccount
from recommender.records.chain import EventType, append_event

router = APIRouter(include_in_schema=False)

MSG_CODE_UNKNOWN = _("We do not know this Jobcenter code. Please check the letter from your Jobcenter.")
MSG_USERNAME = _("Please choose a username of 3 to 100 characters.")
MSG_USERNAME_TAKEN = _("This username is already taken. Please choose another one.")
MSG_PW_SHORT = _("The password needs at least %(min)s characters. A phrase of several words works well.")
MSG_PW_LONG = _("The password may have at most %(max)s characters.")
MSG_PW_COMMON = _("This password is too easy to guess. Please choose another one.")
MSG_PW_USERNAME = _("The password must not be the same as the username.")
MSG_PW_REPEAT = _("The password repeats one character. Please choose a phrase or several words.")
MSG_PW_MISMATCH = _("The two passwords are not the same.")
MSG_CREATED = _("Your account is ready. Next time, sign in with your username and password.")


def _password_errors(password: str, username: str, locale: str) -> list[str]:
    out = []
    for problem in check_password_policy(password, username=username):
        if problem == PASSWORD_TOO_COMMON:
            out.append(gettext(MSG_PW_COMMON, locale))
        elif problem == PASSWORD_IS_USERNAME:
            out.append(gettext(MSG_PW_USERNAME, locale))
        elif problem == PASSWORD_ONE_CHARACTER:
            out.append(gettext(MSG_PW_REPEAT, locale))
        elif len(password) > MAX_PASSWORD_LENGTH:
            out.append(gettext(MSG_PW_LONG, locale, max=MAX_PASSWORD_LENGTH))
        else:
            out.append(gettext(MSG_PW_SHORT, locale, min=MIN_PASSWORD_LENGTH))
    return out


@router.get("/account", response_class=HTMLResponse)
def read_account_form(request: Request, job_seeker: SessionJobSeeker) -> Response:
    """The form that turns the trial into an account (or says there already is one)."""
    return render(request, "seeker/account.html", {"errors": {}, "values": {"jobcenter_code": "demo"},
                                                   "has_account": job_seeker.user_id is not None})


@router.post("/account")
async def create_account(request: Request, job_seeker: SessionJobSeeker, session: SessionDep,
                         _csrf: CsrfDep) -> Response:
    """Create the account, link the case to it and sign the person in."""
    if job_seeker.user_id is not None:
        return see_other("/my-data")
    locale = get_locale(request)
    try:
        form = await read_form(request)
    except FormTooLarge:
        form = None
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in ("jobcenter_code", "username")} if form \
        else {}
    password = str(form.get("password") or "") if form else ""
    repeat = str(form.get("password_repeat") or "") if form else ""
    errors: dict[str, str] = {}
    jobcenter = get_jobcenter_by_code(session=session, code=values.get("jobcenter_code", "")[:32])
    if jobcenter is None:
        errors["jobcenter_code"] = gettext(MSG_CODE_UNKNOWN, locale)
    username = values.get("username", "")
    if not 3 <= len(username) <= 100:
        errors["username"] = gettext(MSG_USERNAME, locale)
    elif session.exec(select(UserAccount).where(UserAccount.username == username)).first():
        errors["username"] = gettext(MSG_USERNAME_TAKEN, locale)
    problems = _password_errors(password, username, locale)
    if problems:
        errors["password"] = " ".join(problems)
    elif password != repeat:
        errors["password_repeat"] = gettext(MSG_PW_MISMATCH, locale)
    if errors or jobcenter is None or jobcenter.id is None:
        return render(request, "seeker/account.html", {"errors": errors, "values": values, "has_account": False},
                      status_code=422)
    user = UserAccount(jobcenter_id=jobcenter.id, username=username, password_hash=hash_password(password),
                       role=Role.job_seeker.value)
    session.add(user)
    session.flush()
    job_seeker.user_id = user.id
    job_seeker.jobcenter_id = jobcenter.id
    session.add(job_seeker)
    append_event(session, event_type=EventType.user_created, actor_role="job_seeker", actor_id=job_seeker.pseudonym,
                 case_pseudonym=job_seeker.pseudonym, outputs={"role": Role.job_seeker.value})
    start_user_session(request, user)
    flash(request, MSG_CREATED)
    return see_other("/my-data")
