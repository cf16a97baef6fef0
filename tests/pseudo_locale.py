"""A SYNTHETIC pseudo-Arabic locale for tests: every English text with its Latin letters swapped for Arabic ones.

It is not Arabic and says nothing: it exists so that right-to-left layout, the language switch and
the catalogue loaders can be tested before (and independently of) the real translations, which
translators write. Placeholders (``%(name)s``) are kept, so the texts still format.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from data.catalogue import Catalogue

ROOT = Path(__file__).resolve().parents[1]
_ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهو"
_SWAP = str.maketrans(string.ascii_lowercase + string.ascii_uppercase,
                      _ARABIC[:26] + _ARABIC[:26])
_PLACEHOLDER = re.compile(r"(%\([a-z_]+\)[sd]|%[sd]|https?://\S+|[\w.+-]+@[\w.-]+)")


def pseudo(text: str) -> str:
    """*text* with Latin letters replaced, placeholders, addresses and links untouched."""
    return "".join(part if _PLACEHOLDER.fullmatch(part) else part.translate(_SWAP)
                   for part in _PLACEHOLDER.split(text))


def write_pseudo_catalogue(folder: Path, locale: str = "ar", *, skip: int = 0) -> Path:
    """``<folder>/<locale>/LC_MESSAGES/messages.po`` from the English catalogue; *skip* leaves the first n empty."""
    with (ROOT / "api" / "locales" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        english = read_po(handle, locale="en")
    catalog = Catalog(locale=locale, project="Lotse (SYNTHETIC pseudo-locale)")
    for number, message in enumerate(m for m in english if m.id):
        empty = number < skip
        if isinstance(message.id, tuple):
            forms = catalog.num_plurals
            plural = [] if empty else [pseudo(message.string[min(i, 1)]) for i in range(forms)]
            catalog.add(message.id, tuple(plural) if plural else ("",) * forms, flags=message.flags)
        else:
            catalog.add(message.id, "" if empty else pseudo(message.string or message.id), flags=message.flags)
    target = folder / locale / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        write_po(handle, catalog)
    return target


def pseudo_translation(catalogue: Catalogue, locale: str = "ar") -> dict[str, object]:
    """A complete translation file (the translators' format) of *catalogue* in pseudo-Arabic."""
    modules: dict[str, object] = {}
    for module in catalogue.modules:
        rules: dict[str, dict[str, str]] = {}
        for rule in module.eligibility:
            texts = {"reason": pseudo(rule.reason_en)}
            if rule.label is not None:
                texts["label"] = pseudo(rule.label.en)
            if rule.because is not None:
                texts["because"] = pseudo(rule.because.en)
            rules[rule.id] = texts
        modules[module.id] = {"title": pseudo(module.title.en), "text": pseudo(module.text.en),
                              **({"rules": rules} if rules else {})}
    return {"language": locale, "source_version": catalogue.version, "modules": modules}


def write_pseudo_translation(folder: Path, catalogue: Catalogue, locale: str = "ar") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{locale}.yaml"
    target.write_text(yaml.safe_dump(pseudo_translation(catalogue, locale), allow_unicode=True, sort_keys=False),
                      encoding="utf-8")
    return target
