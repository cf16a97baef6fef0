"""The language switch on every page: remembers the choice in the session and a cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from api.auth import PUBLIC
from api.auth.deps import safe_next
from api.i18n import LOCALE_COOKIE, remember_locale
from api.security import CsrfDep

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

_ONE_YEAR = 365 * 24 * 60 * 60


@router.post("/language")
def change_language(
    request: Request,
    _csrf: CsrfDep,
    locale: Annotated[str, Form(max_length=8)] = "de",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> RedirectResponse:
    """Switch the interface language and go back to the page the person was on."""
    chosen = remember_locale(request, locale)
    response = RedirectResponse(safe_next(next) or "/", status_code=303)
    response.set_cookie(LOCALE_COOKIE, chosen, max_age=_ONE_YEAR, httponly=True, samesite="lax")
    return response
