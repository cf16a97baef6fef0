"""Web security primitives shared by the JSON API and the HTML pages (G20).

Sessions are signed cookies (Starlette's SessionMiddleware, itsdangerous); every
state-changing form carries a per-session CSRF token; every response carries strict
security headers.
"""

from api.security.csrf import CSRF_FIELD, CSRF_HEADER, CsrfDep, csrf_token, verify_csrf
from api.security.headers import SecurityHeadersMiddleware
from api.security.sessions import SESSION_COOKIE, install_security

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "CsrfDep",
    "SecurityHeadersMiddleware",
    "csrf_token",
    "install_security",
    "verify_csrf",
]
