"""The deny-list of protected attributes (G2) and a scanner for payloads (G11).

AGG §1 grounds (race/ethnic origin, gender, religion or belief, disability, age, sexual
identity), GDPR Art 9 categories (incl. health), plus nationality, name, photo and family
status. Names are normalised (lower case, no separators) and matched with synonyms in German
and English, so ``Geschlecht``, ``gender`` and ``sex_f`` are all caught. Only the separate
audit store may hold such values, and only for fairness audits (G3).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

# Each stem matches a normalised name that contains it. Keep stems specific enough not to
# catch allowed features (e.g. "age" alone would catch "wage", so age has its own pattern).
_DENIED_STEMS: dict[str, tuple[str, ...]] = {
    "gender": ("gender", "geschlecht", "sex", "female", "male", "weiblich", "maennlich", "divers"),
    "age": ("birth", "geburt", "alter", "jahrgang", "dob"),
    "nationality": ("nationality", "nationalit", "citizenship", "staatsang", "migration", "foreigner", "auslaend"),
    "ethnic_origin": ("ethnic", "ethni", "race", "rasse", "herkunft", "origin", "mothertongue", "muttersprach",
                      "nativelanguage", "birthplace", "geburtsort", "countryofbirth"),
    "religion": ("religion", "religio", "belief", "weltanschauung", "konfession", "faith"),
    "disability": ("disab", "behinder", "handicap", "schwerbehind", "gdb"),
    "health": ("health", "gesundheit", "illness", "krankheit", "medical", "diagnos", "pregnan", "schwanger"),
    "sexual_identity": ("sexual", "sexuell", "orientation", "lgbt", "transgender"),
    "family_status": ("family", "familien", "marital", "married", "verheirat", "children", "kinder", "singleparent",
                      "alleinerzieh", "spouse"),
    "name": ("firstname", "lastname", "surname", "vorname", "nachname", "fullname", "givenname"),
    "photo": ("photo", "foto", "picture", "portrait", "image"),
}
# "age" as a whole word or token (age, age_band, ageband) - not inside wage, stage, percentage.
_AGE_TOKEN = re.compile(r"(^|_)(age|ageband|agegroup)(_|$)")
_NAME_TOKEN = re.compile(r"(^|_)name(_|$)")


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
                  .replace("ß", "ss"))


@lru_cache(maxsize=4096)
def protected_category(name: str) -> str | None:
    """Return the protected category *name* falls under, or None if it is not deny-listed.

    Examples
    --------
    >>> protected_category("Geschlecht")
    'gender'
    >>> protected_category("age_band")
    'age'
    >>> protected_category("median_wage_ratio") is None
    True
    """
    snake = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if _AGE_TOKEN.search(snake):
        return "age"
    if _NAME_TOKEN.search(snake):
        return "name"
    flat = _normalise(name)
    for category, stems in _DENIED_STEMS.items():
        if any(stem in flat for stem in stems):
            return category
    return None


def denied_names(names: Iterable[str]) -> list[str]:
    """The names in *names* that are protected attributes (empty list: all allowed)."""
    return [name for name in names if protected_category(name) is not None]


def find_protected_keys(payload: Any, path: str = "") -> list[str]:
    """Every key path inside a nested JSON-like *payload* whose key is deny-listed.

    Runs on every logged event: a path is only spelled out for a hit or on the way to one.
    """
    found: list[str] = []
    if isinstance(payload, dict):
        for key, value in payload.items():
            if protected_category(str(key)) is not None:
                found.append(f"{path}.{key}" if path else str(key))
            if isinstance(value, (dict, list)) and value:
                found.extend(find_protected_keys(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(payload, list):
        for index, value in enumerate(payload):
            if isinstance(value, (dict, list)) and value:
                found.extend(find_protected_keys(value, f"{path}[{index}]"))
    return found
