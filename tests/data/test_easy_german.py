"""Leichte Sprache for every advice item: complete, short sentences, hard words explained."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import yaml

import data.easy_german as easy_module
from data.catalogue import CatalogueError, load_catalogue
from data.easy_german import EASY_GERMAN_FILE, MAX_WORDS, easy_german, easy_text, easy_texts, parse_easy_german


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


def test_a_broken_file_hides_the_links_and_is_logged_instead_of_breaking_the_advice(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    raw = _raw()
    raw["source_version"] = "2020.01-1"
    broken = tmp_path / "easy_german.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(easy_module, "EASY_GERMAN_FILE", broken)
    easy_german.cache_clear()
    try:
        with caplog.at_level(logging.ERROR):
            assert easy_texts() == {} and easy_text("salary_check") is None
        assert "stale" in caplog.text
    finally:
        easy_german.cache_clear()
