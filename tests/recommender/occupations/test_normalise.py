"""German gender forms and spellings fold onto one form, so spelling never decides the occupation."""

from __future__ import annotations

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
        ("Fachangestellte/r für Bürokommunikation", "fachangestellt für bürokommunikation"),
        ("Medizinischer Fachangestellter", "medizinisch fachangestellt"),
        ("Medizinische Fachangestellte", "medizinisch fachangestellt"),
        ("Fachkräfte für Lagerlogistik", "fachkraft für lagerlogistik"),
        ("Pflegefachperson", "pflegefachmann"),
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


@pytest.mark.parametrize("word", ["Meister", "Montage", "Hersteller", "Maler", "Reiniger"])
def test_nouns_that_end_like_inflections_are_kept(word: str) -> None:
    """A general lemma table turned "Meister" into "meist" and "Montage" into "Montag"."""
    assert normalise_title(word) == word.casefold()
