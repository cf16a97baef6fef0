"""The Jinja2 environment shared by every page (autoescape on for all templates).

Every template gets, without the route passing them: ``locale`` and its writing ``direction``,
``_``/``gettext``/``ngettext`` (and ``{% trans %}``) in that locale, ``csrf_token()`` for forms,
the offered languages with their own names and review notes and ``current_path`` for the
language switch, and Babel formatters (``format_date``, ``format_number``, ``format_euro``).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
from fastapi.templating import Jinja2Templates
from starlette.requests import Request

from api.i18n import (
    LOCALE_QUERY,
    MSG_UNREVIEWED,
    format_date,
    format_datetime,
    format_euro,
    format_number,
    get_locale,
    get_translations,
    is_unreviewed,
    locale_names,
    offered_locales,
    text_direction,
)
from api.security import CSRF_FIELD, csrf_token

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"


@jinja2.pass_context
def _ctx_gettext(context: jinja2.runtime.Context, message: str) -> str:
    return get_translations(context.get("locale") or "de").gettext(message)


@jinja2.pass_context
def _ctx_ngettext(context: jinja2.runtime.Context, singular: str, plural: str, n: int) -> str:
    return get_translations(context.get("locale") or "de").ngettext(singular, plural, n)


def _page_context(request: Request) -> dict[str, Any]:
    locale = get_locale(request)
    return {
        "locale": locale,
        "direction": text_direction(locale),
        "locales": offered_locales(),
        "locale_names": locale_names(),
        "unreviewed_note": {code: get_translations(code).gettext(MSG_UNREVIEWED)
                            for code in offered_locales() if is_unreviewed(code)},
        "text_direction": text_direction,
        "csrf_field": CSRF_FIELD,
        "csrf_token": lambda: csrf_token(request),
        "current_path": _path_without_lang(request),
        "format_date": lambda value, fmt="medium": format_date(value, locale, fmt),
        "format_datetime": lambda value, fmt="medium": format_datetime(value, locale, fmt),
        "format_number": lambda value: format_number(value, locale),
        "format_euro": lambda value, whole=False: format_euro(value, locale, whole=whole),
        "jobcenter_contact": _jobcenter_contact(request),
    }


def _path_without_lang(request: Request) -> str:
    """This page's path and query, minus a one-off ``?lang=`` (the switch's way back)."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != LOCALE_QUERY])
    return request.url.path + (f"?{query}" if query else "")


def _jobcenter_contact(request: Request) -> dict[str, str]:
    """The configured contact details (``LOTSE_JOBCENTER_*``), so "Ihre Ansprechperson" can be reached."""
    settings = getattr(request.app.state, "settings", None)
    fields = ("phone", "email", "address", "opening_hours")
    return {name: value for name in fields if (value := getattr(settings, f"jobcenter_{name}", ""))}


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
# The i18n extension adds this method at run time, so Environment's type does not declare it.
_env.install_gettext_callables(_ctx_gettext, _ctx_ngettext, newstyle=True)  # type: ignore[attr-defined]

templates = Jinja2Templates(env=_env, context_processors=[_page_context])


def compile_templates() -> None:
    """Compile every page template before the worker says ready, not on the first visit (issue 16).

    Best effort: a template that does not compile fails its own page, as it would without this.
    """
    for name in _env.list_templates(extensions=["html"]):
        try:
            _env.get_template(name)
        except jinja2.TemplateError:
            logger.warning("template %s does not compile", name, exc_info=True)
