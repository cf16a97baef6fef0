"""Advice texts in uk, ar, tr and ru: the translators' files are checked whole against advice.yaml.

Each shipped ``data/catalogue/translations/<locale>.yaml`` must be complete and made from the current
catalogue version (skipped while a language's file is not there yet). The other tests use a
SYNTHETIC pseudo-Arabic file (tests/pseudo_locale.py) and break it on purpose.
"""

from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from data.catalogue import (
    DEFAULT_CATALOGUE_FILE,
    CatalogueError,
    load_catalogue,
    parse_catalogue,
    read_catalogue,
    reset_catalogue_cache,
    translation_problems,
)
from data.catalogue_translations import (
    SHIPPED_TRANSLATIONS_DIR,
    apply_translation,
    parse_translation,
    read_translation,
    with_translations,
)
from data.languages import TRANSLATED_LOCALES
from tests.pseudo_locale import pseudo, pseudo_translation, write_pseudo_translation


@pytest.fixture
def catalogue() -> Any:
    """advice.yaml alone, without the shipped translations (the tests add their own)."""
    reset_catalogue_cache()
    yield read_catalogue(DEFAULT_CATALOGUE_FILE)
    reset_catalogue_cache()


def _parse(raw: dict[str, Any], catalogue: Any) -> Any:
    return parse_translation(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), catalogue,
                             file="tr.yaml", language=raw["language"])


@pytest.mark.parametrize("locale", TRANSLATED_LOCALES)
def test_each_shipped_translation_is_complete_and_current(locale: str, catalogue: Any) -> None:
    path = SHIPPED_TRANSLATIONS_DIR / f"{locale}.yaml"
    if not path.exists():
        pytest.skip(f"no {locale} advice translation yet (translators' branch)")
    texts = read_translation(path, catalogue)
    assert set(texts.modules) == set(catalogue.ids)
    translated = load_catalogue()
    assert all(m.title.get(locale) == texts.modules[m.id].title for m in translated.modules)
    assert translation_problems() == []


def test_a_complete_translation_is_shown_for_titles_texts_and_every_rule_text(catalogue: Any) -> None:
    raw = pseudo_translation(catalogue, "tr")
    translated = apply_translation(catalogue, _parse(raw, catalogue))
    module = translated.get("interview_preparation")
    assert module.title.get("tr") == pseudo(module.title.en)
    assert module.text.get("tr") == pseudo(module.text.en)
    rule = module.eligibility[0]
    assert rule.reason("tr") == pseudo(rule.reason_en)
    assert rule.label is not None and rule.label.get("tr") == pseudo(rule.label.en)
    assert rule.because is not None and rule.because.get("tr") == pseudo(rule.because.en)
    # Other languages are untouched: German where none was given.
    assert module.title.get("ru") == module.title.de and rule.reason("ru") == rule.reason_de


@pytest.mark.parametrize(("change", "key", "message"), [
    (lambda raw: raw["modules"].update(no_such_module={"title": "x", "text": "y"}),
     "modules.no_such_module", "unknown module id"),
    (lambda raw: raw["modules"].pop("broaden_radius"), "modules.broaden_radius", "missing"),
    (lambda raw: raw["modules"]["cv_documents"].pop("text"), "modules.cv_documents.text", "Field required"),
    (lambda raw: raw["modules"]["broaden_occupations"]["rules"].pop("occupation_known"),
     "modules.broaden_occupations.rules.occupation_known", "missing"),
    (lambda raw: raw["modules"]["broaden_occupations"]["rules"].update(nope={"reason": "x"}),
     "modules.broaden_occupations.rules.nope", "unknown rule id"),
    (lambda raw: raw["modules"]["cv_documents"]["rules"]["cv_current"].update(because="x"),
     "modules.cv_documents.rules.cv_current.because", "not in advice.yaml"),
    (lambda raw: raw["modules"]["broaden_occupations"]["rules"]["occupation_known"].pop("label"),
     "modules.broaden_occupations.rules.occupation_known.label", "missing"),
    (lambda raw: raw["modules"]["broaden_occupations"].update(title=""), "modules.broaden_occupations.title",
     "at least 1 character"),
    (lambda raw: raw.update(source_version="2026.01-1"), "source_version", "stale translation"),
    (lambda raw: raw.update(language="ru"), "language", "named for 'tr'"),
])
def test_a_faulty_translation_is_refused_naming_file_line_and_key(catalogue: Any, change: Any, key: str,
                                                                  message: str) -> None:
    raw = copy.deepcopy(pseudo_translation(catalogue, "tr"))
    change(raw)
    with pytest.raises(CatalogueError) as caught:
        parse_translation(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), catalogue, file="tr.yaml",
                          language="tr")
    text = str(caught.value)
    assert text.startswith("tr.yaml, line ") and f": {key}: " in text and message in text, text


def test_a_stale_file_is_left_out_whole_logged_and_german_is_shown(catalogue: Any, tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    write_pseudo_translation(tmp_path, catalogue, "uk")
    stale = pseudo_translation(catalogue, "ru")
    stale["source_version"] = "2025.01-1"
    (tmp_path / "ru.yaml").write_text(yaml.safe_dump(stale, allow_unicode=True), encoding="utf-8")
    with caplog.at_level(logging.ERROR):
        translated, problems = with_translations(catalogue, tmp_path)
    module = translated.get("broaden_radius")
    assert module.title.get("uk") == pseudo(module.title.en)
    assert module.title.get("ru") == module.title.de  # the stale Russian text is never shown
    assert len(problems) == 1 and "ru.yaml" in problems[0] and "stale translation" in problems[0]
    assert "German is shown instead" in caplog.text


def test_the_active_catalogue_reads_translations_from_the_configured_folder(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch,
                                                                          catalogue: Any) -> None:
    write_pseudo_translation(tmp_path, catalogue, "ar")
    monkeypatch.setenv("LOTSE_CATALOGUE_TRANSLATIONS_DIR", str(tmp_path))
    reset_catalogue_cache()
    module = load_catalogue().get("cv_documents")
    assert module.text.get("ar") == pseudo(module.text.en)
    assert module.text.get("de") == catalogue.get("cv_documents").text.de


def test_advice_yaml_itself_cannot_carry_other_languages() -> None:
    text = DEFAULT_CATALOGUE_FILE.read_text(encoding="utf-8").replace(
        'title: {de: "Suchen Sie auch in verwandten Berufen", en: "Also search in related jobs"}',
        'title: {de: "Suchen Sie auch in verwandten Berufen", en: "Also search in related jobs", '
        'translations: {uk: "unchecked"}}', 1)
    with pytest.raises(CatalogueError, match=r"line 8: modules\.0\.title: other languages belong in"):
        parse_catalogue(text, file="advice.yaml")
