"""Postings are placed by Kreis name with qualifiers, by municipality and by postcode; the shipped
tables are the licensed sources unchanged in content."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from data.places import (
    AMBIGUOUS_PLACE,
    MUNICIPALITIES_FILE,
    NO_LOCATION,
    POSTCODES_FILE,
    UNKNOWN_PLACE,
    Location,
    locate,
)
from tests.conftest import SHARED_DATA

MUNICIPALITIES = SHARED_DATA / "regions" / "municipalities"


@pytest.mark.parametrize(
    ("location", "kreis", "reason"),
    [
        (Location("Ingolstadt, Donau"), "09161", None),
        (Location("Nürnberg, Mittelfranken"), "09564", None),
        (Location("Großmehring"), "09176", None),
        (Location("GROSSMEHRING"), "09176", None),
        (Location(postcode="85098"), "09176", None),
        (Location("Regensburg"), "09362", None),  # the city, not the Landkreis of the same name
        (Location("Neuenkirchen", "49586"), "03459", None),  # the postcode picks one of eleven
        (Location("Neuenkirchen"), None, AMBIGUOUS_PLACE),
        (Location("Kleinstadt am See", "99999"), None, UNKNOWN_PLACE),
        (Location(), None, NO_LOCATION),
    ],
)
def test_place_is_found_by_qualified_name_municipality_or_postcode(
    location: Location, kreis: str | None, reason: str | None
) -> None:
    placement = locate(location)
    assert placement.kreise == (frozenset({kreis}) if kreis else frozenset()) and placement.reason == reason


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.skipif(not MUNICIPALITIES.is_dir(), reason="../shared/data/regions/municipalities is not present")
def test_shipped_place_tables_are_the_licensed_sources_unchanged_in_content() -> None:
    source = {(r["ags8"], r["name"], r["plz"]) for r in _rows(MUNICIPALITIES / "gemeinden.csv")}
    assert {(r["ags8"], r["name"], r["plz"]) for r in _rows(MUNICIPALITIES_FILE)} == source
    geonames = {tuple(r.values()) for r in _rows(MUNICIPALITIES / "plz_kreis_geonames.csv")}
    assert {tuple(r.values()) for r in _rows(POSTCODES_FILE)} == geonames
