"""Errors on HTML pages explain themselves in the person's language; the JSON API keeps problem+json.

A person whose form expired (CSRF) or whose session ended must learn what happened and that
the answers already sent are saved - not see a JSON error document. Domain errors
(``models/errors.py``) get the same status as on the API: staff pages name the exact reason
(the message of the error), the job-seeker's pages the plain page for that status.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.errors import KIND_STATUS, log_unhandled, status_of
from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from api.security.csrf import CSRF_FAILED
from api.seeker import NO_CASE
from frontend.pages.staff_common import render_staff
from frontend.templating import templates
from models.errors import ForbiddenError, LotseError, NotFoundError

_API_PREFIXES = ("/api/", "/static/", "/health", "/docs", "/openapi.json")
_SESSION_ENDED_PATH = "/?session=ended"
_STAFF_PREFIX = "/staff/"
_MESSAGES = {
    400: (_("Please check your input"),
          _("Some characters you sent cannot be stored, so nothing was saved. Please remove them and try again.")),
    403: (_("This form has expired"),
          _("For your security, forms are only valid for a limited time. Nothing from this form was saved, "
            "but all answers you sent before are kept. Please open the page again and send the form once more.")),
    409: (_("Changed in the meantime"), _("Someone changed this in the meantime. Please open the page again.")),
    404: (_("Page not found"), _("This page does not exist or is no longer available.")),
    405: (_("Page not found"), _("This page does not exist or is no longer available.")),
    413: (_("Too much text"), _("What you sent is far too long, so it was not saved. Please shorten your answers.")),
    422: (_("Please check your input"), _("Some of what you sent could not be read. Please go back and try again.")),
    429: (_("Please wait a little"),
          _("Too many new sessions were started from your network. Please try again later or sign in to your "
            "account.")),
    503: (_("Temporarily unavailable"),
          _("This part of Lotse is not available at the moment. Please try again later.")),
}
_GENERIC = (_("Something went wrong"), _("Please try again later. Your saved answers are kept."))
# Staff save reviews and notes: whether the failed request saved them is not known to the page.
_STAFF_GENERIC = _("Please try again later. If you were saving something, open the page again and check whether it "
                   "was saved before you send it again.")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(_API_PREFIXES)


def _error_page(request: Request, status: int, forbidden_other: bool = False) -> Response:
    title, text = _MESSAGES.get(status, _GENERIC)
    if forbidden_other:
        title, text = _("Access denied"), _("You cannot open this page with your current login.")
    back = request.headers.get("referer", "")
    host = request.headers.get("host", "")
    back_path = back.split(host, 1)[1] if host and host in back else "/"
    if not back_path.startswith("/") or back_path.startswith("//"):
        back_path = "/"
    return templates.TemplateResponse(request, "error.html", {"title": title, "text": text, "back": back_path},
                                      status_code=status)


def _staff_message(request: Request, status: int, title: str, text: str | None = None) -> Response:
    """A staff page's error: the staff layout and menu, *title* and *text* in the reader's language."""
    locale = get_locale(request)
    return render_staff(request, "staff/message.html", getattr(request.state, "signed_in", None),
                        {"title": gettext(title, locale), "text": gettext(text, locale) if text else None},
                        status_code=status)


def install_page_errors(app: FastAPI) -> None:
    """Wrap the API's handlers: HTML pages get an explaining page, ``/api`` keeps problem+json."""
    # The API's handlers are coroutines; Starlette's map types each as sync or async (hence the misc ignores).
    api_http = app.exception_handlers[StarletteHTTPException]
    api_validation = app.exception_handlers[RequestValidationError]
    api_domain = app.exception_handlers[NotFoundError]
    api_unhandled = app.exception_handlers[Exception]

    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        if not _wants_html(request) or exc.status_code in (301, 302, 303, 307, 308):
            return await api_http(request, exc)  # type: ignore[misc]
        if exc.status_code == 401 and exc.detail == NO_CASE:
            # The trial session ended (or the case was deleted): start again, nothing is shown.
            return RedirectResponse(_SESSION_ENDED_PATH, status_code=303)
        csrf = exc.status_code == 403 and exc.detail == CSRF_FAILED
        page = _error_page(request, exc.status_code, forbidden_other=exc.status_code == 403 and not csrf)
        page.headers.update(exc.headers or {})  # e.g. Retry-After
        return page

    async def validation_error(request: Request, exc: RequestValidationError) -> Any:
        if not _wants_html(request):
            return await api_validation(request, exc)  # type: ignore[misc]
        return _error_page(request, 422)

    async def domain_error(request: Request, exc: LotseError) -> Any:
        if not _wants_html(request):
            return await api_domain(request, exc)  # type: ignore[misc]
        status = status_of(exc)
        if request.url.path.startswith(_STAFF_PREFIX):
            return _staff_message(request, status, str(exc))
        return _error_page(request, status, forbidden_other=isinstance(exc, ForbiddenError))

    async def unhandled_error(request: Request, exc: Exception) -> Any:
        # E.g. the database went away mid-request: a person gets a page in their language, not JSON.
        if not _wants_html(request):
            return await api_unhandled(request, exc)  # type: ignore[misc]
        log_unhandled(request)
        if request.url.path.startswith(_STAFF_PREFIX):
            return _staff_message(request, 500, _GENERIC[0], _STAFF_GENERIC)
        return _error_page(request, 500)

    # Starlette types a handler as taking any Exception; ours take the one class they are registered for.
    for kind in KIND_STATUS:
        app.add_exception_handler(kind, domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, unhandled_error)
    app.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]
