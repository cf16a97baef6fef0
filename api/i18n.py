"""Translations and locale-aware formatting (Babel/gettext), shared by pages and API errors.

The locale of a request comes from, in order: a choice the person made (kept in the signed
session and in a long-lived ``lotse_locale`` cookie, so it survives a new session), the
browser's ``Accept-Language`` as a first guess, then German. Code and templates use English
msgids; the German and English catalogues carry every one of them (a test checks), so a missing
German string fails the build instead of showing silent English.

Lotse knows six languages (``data/languages.py``); one is *offered* once its catalogue
``api/locales/<locale>/LC_MESSAGES/messages.po`` exists, so the switch never names a language
that would only show German. A msgid the catalogue of an offered language lacks (or has fuzzy)
is shown in German, never in English; the test suite fails for it. Each language's own name,
writing direction and review status are in ``api/locales/languages.yaml``.

``make translations`` compiles the ``.mo`` files (git-ignored). When a ``.mo`` is missing (a
fresh checkout running tests without make) the ``.po`` is compiled in memory, so a page is never
shown untranslated. ``LOTSE_LOCALE_DIR`` points at another folder of catalogues (a translator's
preview, the browser tests' pseudo-locale).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

import yaml
from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_format_date
from babel.dates import format_datetime as _babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency as _babel_format_currency
from babel.numbers import format_decimal as _babel_format_decimal
from babel.support import NullTranslations, Translations
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.requests import Request

from data.languages import DEFAULT_LOCALE, LOCALES, SOURCE_LOCALES, is_locale, use_translator
from data.languages import Locale as LocaleCode
from models.tables import JOBCENTER_TIMEZONE, jobcenter_date

__all__ = ["DEFAULT_LOCALE", "LOCALES", "LocaleCode"]

LOCALE_COOKIE = "lotse_locale"
LOCALE_SESSION_KEY = "locale"
LOCALE_QUERY = "lang"
SHIPPED_LOCALE_DIR = Path(__file__).resolve().parent / "locales"
LANGUAGES_FILE = SHIPPED_LOCALE_DIR / "languages.yaml"
DOMAIN = "messages"


_Day = date  # the field below is called ``date`` as in the YAML, which would hide the type


class LanguageInfo(BaseModel):
    """One entry of ``api/locales/languages.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    direction: Literal["ltr", "rtl"]
    status: Literal["source", "reviewed", "unreviewed"]
    reviewer: str | None = None
    date: _Day | None = None

    @model_validator(mode="after")
    def _reviewed_names_who_and_when(self) -> LanguageInfo:
        if self.status == "reviewed" and not (self.reviewer and self.date):
            raise ValueError("a reviewed language needs reviewer and date")
        return self


@lru_cache(maxsize=1)
def languages() -> dict[str, LanguageInfo]:
    """Every language Lotse knows, from ``languages.yaml`` (validated; one entry per code)."""
    raw = yaml.safe_load(LANGUAGES_FILE.read_text(encoding="utf-8"))
    infos = {code: LanguageInfo.model_validate(entry) for code, entry in raw.items()}
    if set(infos) != set(LOCALES):
        raise ValueError(f"{LANGUAGES_FILE}: codes {sorted(infos)} differ from data/languages.py {sorted(LOCALES)}")
    return infos


def locale_dir() -> Path:
    """Where the catalogues are read from (``LOTSE_LOCALE_DIR`` or the shipped ``api/locales``)."""
    return Path(os.environ.get("LOTSE_LOCALE_DIR") or SHIPPED_LOCALE_DIR)


def catalogue_path(locale: str) -> Path:
    return locale_dir() / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=1)
def offered_locales() -> tuple[LocaleCode, ...]:
    """German, English and every other language whose catalogue is present, in a fixed order."""
    return tuple(code for code in LOCALES if code in SOURCE_LOCALES or catalogue_path(code).exists())


def locale_names() -> dict[str, str]:
    """Each offered language by its own name, in its own script (``Українська``, ``العربية``)."""
    infos = languages()
    return {code: infos[code].name for code in offered_locales()}


def text_direction(locale: str) -> Literal["ltr", "rtl"]:
    """``rtl`` for a language written right to left (Arabic), else ``ltr``."""
    info = languages().get(locale)
    return info.direction if info else "ltr"


def is_unreviewed(locale: str) -> bool:
    """Whether no native speaker has reviewed this language's texts yet (the switch says so)."""
    info = languages().get(locale)
    return info is not None and info.status == "unreviewed"


def _read_catalogue(locale: str) -> NullTranslations:
    po_path = catalogue_path(locale)
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale, domain=DOMAIN)
        buffer = BytesIO()
        write_mo(buffer, catalog)  # leaves out empty and fuzzy entries: those fall back to German
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return NullTranslations()


@lru_cache(maxsize=len(LOCALES))
def get_translations(locale: str) -> NullTranslations:
    """The compiled catalogue for *locale*; what it lacks comes from the German catalogue."""
    if locale not in offered_locales():
        locale = DEFAULT_LOCALE
    translations = _read_catalogue(locale)
    if locale not in SOURCE_LOCALES:  # English msgids are English already; a translated language falls back to German
        translations.add_fallback(get_translations(DEFAULT_LOCALE))
    return translations


def translated(message: str, locale: str) -> str | None:
    """*message* in *locale* if that catalogue has it, else None (no fallback; see ``data.languages``).

    The recommender logs finished English sentences ("You sent 4 applications in 3 months. This
    speaks for this tip."), so besides an exact msgid this matches each sentence against the
    msgids with placeholders (``You sent %(n)s applications in 3 months.``) and translates the
    values too where they are msgids themselves. One sentence without a translation: None.
    """
    if locale not in offered_locales():
        return None
    catalog = _catalog(locale)
    exact = catalog.get(message)
    if isinstance(exact, str) and exact:
        return exact
    sentences = _SENTENCE_BREAK.split(message.strip())
    parts = [_sentence(sentence, locale, catalog) for sentence in sentences]
    return " ".join(p for p in parts if p is not None) if all(p is not None for p in parts) else None


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Placeholders whose value is itself a msgid (a label): "You have %(certificate)s." also matches "You
# have already applied for jobs.", which is another sentence, not a certificate.
_LABELS = frozenset({"certificate", "what"})


def _sentence(sentence: str, locale: str, catalog: dict[Any, Any]) -> str | None:
    exact = catalog.get(sentence)
    if isinstance(exact, str) and exact:
        return exact
    for pattern, msgid in _templates(locale):
        match = pattern.fullmatch(sentence)
        if match and all(catalog.get(value) for name, value in match.groupdict().items() if name in _LABELS):
            values = {name: (catalog.get(value) or value) for name, value in match.groupdict().items()}
            try:
                return str(catalog[msgid]) % values
            except (KeyError, ValueError, TypeError):
                return None
    return None


@lru_cache(maxsize=len(LOCALES))
def _templates(locale: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """Every translated msgid of *locale* with ``%(name)s`` placeholders, as a pattern matching its English.

    The most specific first (the most fixed text): "You have %(certificate)s." matches "You have been
    looking for work for 14 months." too, and must not win over that sentence's own msgid.
    """
    out = []
    for msgid in _catalog(locale):
        if isinstance(msgid, str) and _PLACEHOLDER.search(msgid):
            pieces = _PLACEHOLDER.split(msgid)  # text, name, text, name, ..., text
            pattern = "".join(re.escape(piece) if index % 2 == 0 else f"(?P<{piece}>.+?)"
                              for index, piece in enumerate(pieces))
            try:
                out.append((len("".join(pieces[::2])), re.compile(pattern), msgid))
            except re.error:  # the same name twice in one msgid: exact matches only
                continue
    return tuple((pattern, msgid) for _fixed, pattern, msgid in sorted(out, key=lambda t: -t[0]))


def _catalog(locale: str) -> dict[Any, Any]:
    catalog = getattr(_read_catalogue_cached(locale), "_catalog", {})
    return catalog if isinstance(catalog, dict) else {}


@lru_cache(maxsize=len(LOCALES))
def _read_catalogue_cached(locale: str) -> NullTranslations:
    return _read_catalogue(locale)


def reset_translations() -> None:
    """Forget cached catalogues and the offered list (tests that point ``LOTSE_LOCALE_DIR`` elsewhere)."""
    for cached in (get_translations, _read_catalogue_cached, _templates, offered_locales, languages):
        cached.cache_clear()


use_translator(translated)


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

# Said, in its own language, beside every language no native speaker has reviewed yet.
MSG_UNREVIEWED = _("not yet reviewed by a native speaker")


def normalise_locale(value: str | None) -> LocaleCode | None:
    """``"en-GB"`` -> ``"en"``; ``None`` for anything Lotse does not offer."""
    if not value:
        return None
    base = value.strip().replace("_", "-").split("-")[0].lower()
    return base if is_locale(base) and base in offered_locales() else None


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
    # ``?lang=de`` shows one page in that language without changing the choice (the binding German
    # version of a legal text is linked this way).
    chosen = normalise_locale(request.query_params.get(LOCALE_QUERY))
    if not chosen and "session" in request.scope:
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
        value = jobcenter_date(value)  # a stored moment's German date, like format_datetime's time
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
    shown = _babel_format_datetime(moment, format=fmt, locale=babel_locale, tzinfo=JOBCENTER_TIMEZONE)
    # British English names the zone (CET/CEST) where US English would print an offset.
    zone_locale = babel_locale if babel_locale.language == "de" else Locale.parse("en_GB")
    zone = _babel_format_datetime(moment, format="z", locale=zone_locale, tzinfo=JOBCENTER_TIMEZONE)
    return f"{shown} {zone}"


def format_number(value: float | int | None, locale: str) -> str:
    if value is None:
        return ""
    return _babel_format_decimal(value, locale=_babel_locale(locale))


def format_euro(value: float | int | None, locale: str, *, whole: bool = False) -> str:
    """An amount in EUR in the locale's format; *whole* rounds to whole euros ("4.749 €", "€4,749")."""
    if value is None:
        return ""
    babel_locale = _babel_locale(locale)
    if whole:
        pattern = babel_locale.currency_formats["standard"].pattern.replace(".00", "")
        return _babel_format_currency(round(value), "EUR", format=pattern, locale=babel_locale, currency_digits=False)
    return _babel_format_currency(value, "EUR", locale=babel_locale, format_type="standard")


@lru_cache(maxsize=8)
def _babel_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale if is_locale(locale) else DEFAULT_LOCALE)
    except UnknownLocaleError:
        return Locale.parse(DEFAULT_LOCALE)
