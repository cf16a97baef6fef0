"""Job-ad titles lose their noise and keep their occupation, main title and level words."""

from __future__ import annotations

import pytest

from recommender.occupations.aliases import expand_aliases
from recommender.occupations.job_ad import level_hint, read_job_title, strip_noise


@pytest.mark.parametrize(("ad", "kept"), [
    ("Verkäuferin (m/w/d) in Teilzeit ab sofort", "Verkäuferin"),
    ("Koch (m/w/d) für unsere Filiale in Leipzig", "Koch"),
    ("Lagerhelfer (w/m/d) Vollzeit/Teilzeit", "Lagerhelfer"),
    ("Servicekraft ? (w/m/d) ? Veranstaltung", "Servicekraft Veranstaltung"),
    ("Fachhelfer Maschinenbedienung (m/w/d/x) bis zu 20,05 € / Stunde", "Fachhelfer Maschinenbedienung"),
    ("Steuerberater (m/w/d) in Bamberg", "Steuerberater"),
    ("Lagerist bei Müller Logistik GmbH", "Lagerist"),
    ("Call Center Mitarbeiter (gn)", "Call Center Mitarbeiter"),
    ("Schreiner (m/w/d) gesucht!", "Schreiner"),
])
def test_noise_of_job_ads_is_removed(ad: str, kept: str) -> None:
    assert strip_noise(ad) == kept


def test_words_that_merely_contain_a_company_form_are_kept() -> None:
    assert strip_noise("Medizinische Fachangestellte für die Dialyse") == "Medizinische Fachangestellte für die Dialyse"


def test_main_title_and_specialisation_are_read_apart() -> None:
    title = read_job_title("Koch / Köchin (w/m/d) - Gemeinschaftsverpflegung in Erlangen")
    assert (title.main, title.specialisation) == ("Koch / Köchin", "Gemeinschaftsverpflegung")


@pytest.mark.parametrize(("typed", "level"), [
    ("Küchenhilfe", 1), ("Aushilfe im Verkauf", 1), ("Elektromeister", 3), ("Techniker Elektrotechnik", 3),
    ("Entwicklungsingenieur", 4), ("Leiter Fuhrpark", 4), ("Hausmeister", None), ("Verkäufer", None),
])
def test_level_is_read_only_from_words_that_state_it(typed: str, level: int | None) -> None:
    assert level_hint(typed) == level


def test_abbreviations_are_written_out_as_whole_words_only() -> None:
    assert expand_aliases("MFA") == "Medizinische/r Fachangestellte/r"
    assert expand_aliases("SHK-Helfer") == "SHK-Helfer"  # an expansion of several words is not glued
    assert expand_aliases("Asia-Koch") == "Asia-Koch"  # "si" inside a word is no abbreviation
