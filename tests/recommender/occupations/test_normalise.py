"""German gender forms and spellings fold onto one form, so spelling never decides the occupation."""

from __future__ import annotations

import time
from typing import Any

import pytest

from recommender.occupations.normalise import base_form, normalise_title, strip_gender_markers


@pytest.mark.parametrize(
    "spelling",
    ["Verkäufer", "Verkäuferin", "Verkäuferinnen", "Verkäufer/in", "Verkäufer/-in", "Verkäufer*in",
     "Verkäufer:in", "Verkäufer_innen", "VerkäuferIn", "Verkäufer (m/w/d)", "Verkäufer(in)", "Verkäufer/Verkäuferin",
     "Verkäufer (w/m/d)", "verkäufer M/W/D"],
)
def test_gender_forms_fold_to_the_base_form(spelling: str) -> None:
    assert normalise_title(spelling) == "verkäufer"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Kaufmann/-frau - Büromanagement", "kaufmann büromanagement"),
        ("Bürokauffrau", "bürokaufmann"),
        ("Assistenzarzt/-ärztin", "assistenzarzt"),
        ("Ärztin", "arzt"),
        ("Köchin", "koch"),
        ("Bürogehilf(e/in)", "bürogehilfe"),
        ("Fachangestellte/r für Bürokommunikation", "fachangestellte für bürokommunikation"),
        ("Biologin", "biologe"),
        ("Pflegekräfte (w/m/d)", "pflegekraft"),
        ("Helfer/in - Gartenbau", "helfer gartenbau"),
    ],
)
def test_titles_normalise_to_their_neutral_form(title: str, expected: str) -> None:
    assert normalise_title(title) == expected


@pytest.mark.parametrize("word", ["Medizin", "Verein", "Termin", "Stein", "Disziplin"])
def test_words_that_only_look_feminine_are_kept(word: str) -> None:
    assert base_form(word) == word.casefold()


def test_gender_tag_is_removed_without_touching_the_rest() -> None:
    assert strip_gender_markers("Lagerhelfer (m/w/d) Vollzeit") == "Lagerhelfer Vollzeit"


def test_concurrent_first_callers_load_the_pipeline_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight cold suggest calls at once loaded the lemma tables eight times (1.4 GB, issue 16)."""
    from concurrent.futures import ThreadPoolExecutor

    from recommender.occupations import normalise

    loads: list[str] = []
    real_blank = normalise.spacy.blank

    def slow_blank(lang: str) -> Any:
        loads.append(lang)
        time.sleep(0.2)
        return real_blank(lang)

    monkeypatch.setattr(normalise.spacy, "blank", slow_blank)
    normalise._load_pipeline.cache_clear()
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            pipelines = list(pool.map(lambda _: normalise.german_pipeline(), range(3)))
    finally:
        normalise._load_pipeline.cache_clear()
    assert len(loads) == 1 and pipelines[0] is pipelines[1] is pipelines[2]
