"""The languages Lotse speaks, and how a text is picked for one of them (German when it is missing).

Every layer needs the list of locale codes (the catalogue's texts, the recommender's views, the
pages), so it lives here at the bottom and nothing above keeps its own copy. German is the source
language and the binding one: whenever a text has no reviewed-or-not translation in the reader's
language, the German text is shown, never an empty string and never a guessed English one.

Texts that the recommender writes as German/English pairs (reasons, rule outcomes, explanation
sentences) carry their English wording as a gettext msgid. The recommender may not import the
web layer, so ``api.i18n`` registers its catalogue lookup here at import (:func:`use_translator`);
:func:`localise` then asks it for the other languages and falls back to German.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, TypeGuard, get_args

Locale = Literal["de", "en", "uk", "ar", "tr", "ru"]
LOCALES: tuple[Locale, ...] = get_args(Locale)
DEFAULT_LOCALE: Locale = "de"
# German and English texts are written by the project itself; the others come from translators.
SOURCE_LOCALES: tuple[Locale, ...] = ("de", "en")
TRANSLATED_LOCALES: tuple[Locale, ...] = tuple(code for code in LOCALES if code not in SOURCE_LOCALES)

# (msgid, locale) -> translation, or None when the catalogue has none (then German is shown).
Translator = Callable[[str, str], str | None]
_translator: list[Translator] = []


def is_locale(value: object) -> TypeGuard[Locale]:
    return value in LOCALES


def pick(texts: Mapping[str, str], locale: str) -> str:
    """The text in *locale* from a ``{locale: text}`` mapping, else the German one (else any)."""
    text = texts.get(locale) or texts.get(DEFAULT_LOCALE)
    if text:
        return text
    return next((value for value in texts.values() if value), "")


def use_translator(translator: Translator) -> None:
    """Register the catalogue lookup :func:`localise` uses for languages beyond de and en."""
    _translator[:] = [translator]


def localise(de: str, en: str, locale: str) -> str:
    """A German/English pair in *locale*: the English text is the msgid of the other languages."""
    if locale == "de":
        return de
    if locale == "en":
        return en
    translated = _translator[0](en, locale) if _translator and is_locale(locale) else None
    return translated or de
