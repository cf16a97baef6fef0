"""What every job-seeker page shares: rendering with navigation and one-shot messages, redirects."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.requests import Request

from api.i18n import get_locale, gettext
from api.i18n import lazy_gettext as _
from frontend.templating import templates

_FLASH_KEY = "flash"
NAV = (("/advice", _("My advice")), ("/plan", _("My plan")), ("/my-data", _("My data")))


def nav_items(locale: str) -> list[tuple[str, str]]:
    return [(href, gettext(label, locale)) for href, label in NAV]


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message for the next page the person sees (after POST-redirect-GET); stored translated."""
    request.session[_FLASH_KEY] = {"text": gettext(message, get_locale(request)), "kind": kind}


def render(request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200,
           with_nav: bool = True) -> HTMLResponse:
    context = dict(context or {})
    message = request.session.pop(_FLASH_KEY, None)
    if message and "flash" not in context:
        context["flash"] = message.get("text")
        context["flash_kind"] = message.get("kind", "ok")
    if with_nav:
        context.setdefault("nav_items", nav_items(get_locale(request)))
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def see_other(url: str) -> RedirectResponse:
    """POST-redirect-GET: a reload never sends the form twice."""
    return RedirectResponse(url, status_code=303)


def decision_path() -> ModuleType | None:
    """The decision path module, imported on use (None while it cannot be imported).

    Imported lazily so the pages load even when the recommender's model stack is not
    installed; tests replace it with a small fake.
    """
    try:
        from recommender.decide import decision_path as module
    except ImportError:
        return None
    return module


def registry_of(request: Request) -> Any:
    return getattr(request.app.state, "registry", None)
