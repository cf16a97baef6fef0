"""Leichte Sprache for every advice item: complete, short sentences, hard words explained."""

from __future__ import annotations

import pytest
import yaml

from data.catalogue import CatalogueError, load_catalogue
from data.easy_german import EASY_GERMAN_FILE, MAX_WORDS, easy_german, parse_easy_german


def _raw() -> dict[str, object]:
    return yaml.safe_load(EASY_GERMAN_FILE.read_text(encoding="utf-8"))


def test_every_advice_item_has_its_leichte_sprache() -> None:
    easy = easy_german()
    catalogue = load_catalogue()
    assert set(easy.modules) == set(catalogue.ids) and len(easy.modules) == 28
    for text in easy.modules.values():
        assert text.words, "hard words must be explained"
        assert all(len(sentence.split()) <= MAX_WORDS for sentence in text.sentences)


@pytest.mark.parametrize(("change", "message"), [
    (lambda raw: raw["modules"].pop("salary_check"), "modules.salary_check: missing"),
    (lambda raw: raw["modules"]["salary_check"]["sentences"].append(
        "Dieser Satz ist viel zu lang, weil er sehr viele Wörter hat und nicht aufhört zu reden."),
     "sentence 5: 17 words"),
    (lambda raw: raw["modules"]["salary_check"]["sentences"].append("Ein Satz. Noch ein Satz."),
     "more than one sentence"),
    (lambda raw: raw["modules"]["salary_check"].update(words=[]), "modules.salary_check.words"),
    (lambda raw: raw["modules"].update(gibt_es_nicht=raw["modules"]["salary_check"]), "unknown module id"),
    (lambda raw: raw.update(source_version="2020.01-1"), "stale"),
])
def test_a_faulty_file_is_refused_with_file_line_and_key(change: object, message: str) -> None:
    raw = _raw()
    change(raw)  # type: ignore[operator]
    with pytest.raises(CatalogueError) as caught:
        parse_easy_german(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), load_catalogue(),
                          file="easy.yaml")
    assert str(caught.value).startswith("easy.yaml, line ") and message in str(caught.value), caught.value
