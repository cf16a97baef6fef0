"""The advice catalogue in languages beyond German and English (``data/catalogue/translations/``).

One file per language, ``<locale>.yaml``, written by translators::

    language: uk
    source_version: "2026.12-2"        # the advice.yaml version it was translated from
    modules:
      <module_id>:
        title: "..."
        text: "..."
        rules:
          <rule_id>:
            reason: "..."   # translation of reason_en
            label: "..."    # only where the rule has a label
            because: "..."  # only where the rule has because

A file is used whole or not at all: an unknown or missing module or rule id, a missing or
surplus field, another language code than its name, or a ``source_version`` that is not the
catalogue's version (a *stale* translation: the German may have changed since) is an error
naming the file, line and key. The app then shows German for that language and logs the error
(never the stale text); the test suite fails on it. ``LOTSE_CATALOGUE_TRANSLATIONS_DIR`` points at
another folder (a translator's preview, the browser tests' pseudo-locale).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from data.catalogue import Catalogue, CatalogueError, LocalText, ModuleSpec, Rule, yaml_line
from data.languages import TRANSLATED_LOCALES, Locale

SHIPPED_TRANSLATIONS_DIR = Path(__file__).resolve().parent / "catalogue" / "translations"
_LOCATED = "{file}, line {line}: {key}: {message}"
_log = logging.getLogger(__name__)


class RuleTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=1)
    label: str | None = Field(default=None, min_length=1)
    because: str | None = Field(default=None, min_length=1)


class ModuleTexts(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    rules: dict[str, RuleTexts] = Field(default_factory=dict)


class TranslationFile(BaseModel):
    """One language's texts for the catalogue, as translators write them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    language: Locale
    source_version: str = Field(min_length=1)
    modules: dict[str, ModuleTexts]


def translations_dir() -> Path:
    return Path(os.environ.get("LOTSE_CATALOGUE_TRANSLATIONS_DIR") or SHIPPED_TRANSLATIONS_DIR)


def _faults(texts: TranslationFile, catalogue: Catalogue, expected_language: str) -> list[tuple[tuple[Any, ...], str]]:
    """Everything that does not match the catalogue, each with its key path."""
    faults: list[tuple[tuple[Any, ...], str]] = []
    if texts.language != expected_language:
        faults.append((("language",), f"is {texts.language!r}, but the file is named for {expected_language!r}"))
    if texts.source_version != catalogue.version:
        faults.append((("source_version",), f"stale translation: made from catalogue {texts.source_version!r}, "
                       f"the catalogue is now {catalogue.version!r}; check the changed German texts and "
                       "update source_version"))
    specs = {module.id: module for module in catalogue.modules}
    for module_id in texts.modules.keys() - specs.keys():
        faults.append((("modules", module_id), f"unknown module id; known: {', '.join(sorted(specs))}"))
    for module_id, module in specs.items():
        given = texts.modules.get(module_id)
        if given is None:
            faults.append((("modules", module_id), "missing: every module needs title and text"))
            continue
        rules = {rule.id: rule for rule in module.eligibility}
        for rule_id in given.rules.keys() - rules.keys():
            faults.append((("modules", module_id, "rules", rule_id),
                           f"unknown rule id; this module's rules: {', '.join(rules) or 'none'}"))
        for rule_id, rule in rules.items():
            rule_texts = given.rules.get(rule_id)
            where = ("modules", module_id, "rules", rule_id)
            if rule_texts is None:
                faults.append((where, "missing: every rule needs reason"))
                continue
            for name in ("label", "because"):
                has_source, has_text = getattr(rule, name) is not None, getattr(rule_texts, name) is not None
                if has_source != has_text:
                    faults.append(((*where, name), "missing" if has_source else "not in advice.yaml, so not allowed"))
    return faults


def parse_translation(text: str, catalogue: Catalogue, *, file: str, language: str) -> TranslationFile:
    """Validate one translation file against *catalogue*; :class:`CatalogueError` names file, line and key."""
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CatalogueError(_LOCATED.format(file=file, line=line, key="-", message=f"not valid YAML: {exc}")) from None
    try:
        texts = TranslationFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise CatalogueError(_LOCATED.format(file=file, line=yaml_line(node, loc), key=".".join(map(str, loc)),
                                             message=first["msg"].removeprefix("Value error, "))) from None
    faults = _faults(texts, catalogue, language)
    if faults:
        loc, message = faults[0]
        more = f" (and {len(faults) - 1} more)" if len(faults) > 1 else ""
        raise CatalogueError(_LOCATED.format(file=file, line=yaml_line(node, loc), key=".".join(map(str, loc)),
                                             message=message + more))
    return texts


def read_translation(path: Path, catalogue: Catalogue) -> TranslationFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the translation: {exc}") from None
    return parse_translation(text, catalogue, file=str(path), language=path.stem)


def translation_files(directory: Path | None = None) -> dict[str, Path]:
    """The translation file of each language that has one (only known translated languages)."""
    folder = directory or translations_dir()
    return {code: path for code in TRANSLATED_LOCALES if (path := folder / f"{code}.yaml").exists()}


def _with(text: LocalText, locale: str, value: str) -> LocalText:
    return text.model_copy(update={"translations": {**text.translations, locale: value}})


def _translated_rule(rule: Rule, locale: str, texts: RuleTexts) -> Rule:
    update: dict[str, Any] = {"reason_translations": {**rule.reason_translations, locale: texts.reason}}
    if rule.label is not None and texts.label is not None:
        update["label"] = _with(rule.label, locale, texts.label)
    if rule.because is not None and texts.because is not None:
        update["because"] = _with(rule.because, locale, texts.because)
    return rule.model_copy(update=update)


def _translated_module(module: ModuleSpec, locale: str, texts: ModuleTexts) -> ModuleSpec:
    rules = [_translated_rule(rule, locale, texts.rules[rule.id]) for rule in module.eligibility]
    return module.model_copy(update={"title": _with(module.title, locale, texts.title),
                                     "text": _with(module.text, locale, texts.text), "eligibility": rules})


def apply_translation(catalogue: Catalogue, texts: TranslationFile) -> Catalogue:
    """*catalogue* with one validated language added to every title, text and rule text."""
    modules = [_translated_module(m, texts.language, texts.modules[m.id]) for m in catalogue.modules]
    return catalogue.model_copy(update={"modules": modules})


def with_translations(catalogue: Catalogue, directory: Path | None = None) -> tuple[Catalogue, list[str]]:
    """*catalogue* with every valid translation file applied, and the errors of the others.

    An invalid or stale file is left out whole (its language shows German) and logged.
    """
    problems: list[str] = []
    for _code, path in sorted(translation_files(directory).items()):
        try:
            catalogue = apply_translation(catalogue, read_translation(path, catalogue))
        except CatalogueError as exc:
            problems.append(str(exc))
            _log.error("advice translation not used, German is shown instead: %s", exc)
    return catalogue, problems
