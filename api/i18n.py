"""Translations and locale-aware formatting (Babel/gettext), shared by pages and API errors.

The locale of a request comes from, in order: a choice the person made (kept in the signed
session and in a long-lived ``lotse_locale`` cookie, so it survives a new session), the
browser's ``Accept-Language`` as a first guess, then German. Code and templates use English
msgids and both catalogues carry every one of them (a test checks), so a missing German
string fails the build instead of showing silent English.

Catalogues live in ``api/locales/<locale>/LC_MESSAGES/messages.po``; ``make translations``
compiles the ``.mo`` files (git-ignored). When a ``.mo`` is missing (a fresh checkout running
tests without make) the ``.po`` is compiled in memory, so a page is never shown untranslated.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal, TypeGuard, get_args

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.dates import get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency as _babel_format_currency
from babel.numbers import format_decimal as _babel_format_decimal
from babel.support import NullTranslations, Translations
from starlette.requests import Request

LocaleCode = Literal["de", "en"]
LOCALES: tuple[LocaleCode, ...] = get_args(LocaleCode)
DEFAULT_LOCALE: LocaleCode = "de"
LOCALE_NAMES = {"de": "Deutsch", "en": "English"}
LOCALE_COOKIE = "lotse_locale"
LOCALE_SESSION_KEY = "locale"
LOCALE_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"


@lru_cache(maxsize=len(LOCALES))
def get_translations(locale: str) -> NullTranslations:
    """The compiled catalogue for *locale* (``.mo`` if built, else the ``.po`` compiled in memory)."""
    if locale not in LOCALES:
        locale = DEFAULT_LOCALE
    mo_path = LOCALE_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.mo"
    po_path = mo_path.with_suffix(".po")
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return NullTranslations()


# Every Jobcenter Lotse serves is in Germany: times are shown in German local time.
DISPLAY_TIMEZONE = get_timezone("Europe/Berlin")

def gettext(message: str, locale: str = DEFAULT_LOCALE, **variables: Any) -> str:
    """Translate *message* into *locale*; ``%(name)s`` placeholders are filled from *variables*."""
    text = get_translations(locale).gettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, locale: str = DEFAULT_LOCALE, **variables: Any) -> str:
    text = get_translations(locale).ngettext(singular, plural, n)
    return text % {"num": n, **variables}


def lazy_gettext(message: str) -> str:
    """Mark *message* for extraction without translating it now (module-level constants)."""
    return message


_ = lazy_gettext


def _offered(value: str) -> TypeGuard[LocaleCode]:
    return value in LOCALES


def normalise_locale(value: str | None) -> LocaleCode | None:
    """``"en-GB"`` -> ``"en"``; ``None`` for anything Lotse does not offer."""
    if not value:
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    return base if _offered(base) else None


def parse_accept_language(header: str | None) -> LocaleCode | None:
    """The best offered locale in an ``Accept-Language`` header, honouring q-values."""
    if not header:
        return None
    choices: list[tuple[float, int, LocaleCode]] = []
    for position, part in enumerate(header.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _sep, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        locale = normalise_locale(tag)
        if locale and quality > 0:
            choices.append((-quality, position, locale))
    return min(choices)[2] if choices else None


def get_locale(request: Request) -> LocaleCode:
    """The locale for this request (cached on ``request.state``)."""
    cached = getattr(request.state, "locale", None)
    if cached:
        return cached
    chosen = None
    if "session" in request.scope:
        chosen = normalise_locale(request.session.get(LOCALE_SESSION_KEY))
    chosen = (
        chosen
        or normalise_locale(request.cookies.get(LOCALE_COOKIE))
        or parse_accept_language(request.headers.get("accept-language"))
        or _configured_default(request)
    )
    request.state.locale = chosen
    return chosen


def _configured_default(request: Request) -> LocaleCode:
    settings = getattr(getattr(request, "app", None), "state", None)
    configured = getattr(getattr(settings, "settings", None), "default_locale", None)
    return normalise_locale(configured) or DEFAULT_LOCALE


def remember_locale(request: Request, locale: str) -> LocaleCode:
    """Store the person's explicit choice in the session; returns the normalised locale."""
    chosen = normalise_locale(locale) or DEFAULT_LOCALE
    request.session[LOCALE_SESSION_KEY] = chosen
    request.state.locale = chosen
    return chosen


def format_date(value: date | datetime | None, locale: str, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    return _babel_format_date(value, format=fmt, locale=_babel_locale(locale))


def format_datetime(value: datetime | None, locale: str, fmt: str = "medium") -> str:
    """*value* in the Jobcenter's time zone (Europe/Berlin) with the zone named ("06.12.26, 04:07 MEZ").

    Lotse stores UTC (SQLite hands it back without a zone); shown without conversion, a time
    would be an hour or two off for every reader.
    """
    if value is None:
        return ""
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    babel_locale = _babel_locale(locale)
    shown = _babel_format_datetime(moment, format=fmt, locale=babel_locale, tzinfo=DISPLAY_TIMEZONE)
    # British English names the zone (CET/CEST) where US English would print an offset.
    zone_locale = babel_locale if babel_locale.language == "de" else Locale.parse("en_GB")
    zone = _babel_format_datetime(moment, format="z", locale=zone_locale, tzinfo=DISPLAY_TIMEZONE)
    return f"{shown} {zone}"


def format_number(value: float | int | None, locale: str) -> str:
    if value is None:
        return ""
    return _babel_format_decimal(value, locale=_babel_locale(locale))


def format_euro(value: float | int | None, locale: str) -> str:
    if value is None:
        return ""
    return _babel_format_currency(value, "EUR", locale=_babel_locale(locale), format_type="standard")


@lru_cache(maxsize=8)
def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale if locale in LOCALES else DEFAULT_LOCALE)
    except UnknownLocaleError:
        return Locale.parse(DEFAULT_LOCALE)
