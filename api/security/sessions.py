"""Signed-cookie sessions: HttpOnly, SameSite=Lax, Secure outside development and tests.

The cookie holds only ids (user id, job-seeker pseudonym, CSRF token), signed with
``LOTSE_SECRET_KEY``; personal data stays in the database.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from api.security.headers import SecurityHeadersMiddleware
from api.security.input_guard import BodyLimitMiddleware
from api.settings import Settings

SESSION_COOKIE = "lotse_session"
SESSION_MAX_AGE_SECONDS = 8 * 60 * 60


def install_security(app: FastAPI, settings: Settings) -> None:
    """Add session and security-header middleware according to *settings*."""
    production = settings.environment == "production"
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE_SECONDS,
        same_site="lax",
        https_only=production,
    )
    app.add_middleware(SecurityHeadersMiddleware, hsts=production)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
