"""Synchroniser-token CSRF protection for every state-changing request.

The token lives in the signed session; forms send it as a hidden field, scripts as a
header. A missing or wrong token is answered 403 and nothing is changed. The session
cookie is also ``SameSite=Lax``, which stops most cross-site posts on its own; the token
covers the rest (old browsers, same-site sub-domains).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, HTTPException, Request

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_SESSION_KEY = "csrf"
CSRF_FAILED = "The form has expired or did not come from this site. Please submit it again."
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (call it when rendering a form)."""
    token = request.session.get(_SESSION_KEY)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[_SESSION_KEY] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Dependency: refuse a state-changing request without the session's token."""
    if request.method in _SAFE_METHODS:
        return
    expected = request.session.get(_SESSION_KEY)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not expected or not given or not hmac.compare_digest(str(expected), given):
        raise HTTPException(status_code=403, detail=CSRF_FAILED)


CsrfDep = Annotated[None, Depends(verify_csrf)]
