"""Put a posting's place into a Kreis: by municipality name, by Kreis name, or by postcode.

Job postings name places the way Deutsche Post does ("Ingolstadt, Donau", "Nürnberg,
Mittelfranken", "Großmehring") and usually give a postcode. Two shipped tables answer that
(sources and licences in ``data/README.md``): the Destatis Gemeindeverzeichnis (municipality
-> Kreis, dl-de/by-2-0) and GeoNames postcodes (PLZ -> Kreise, CC BY 4.0). A postcode is the
more precise hint; a name alone that occurs in several Kreise ("Neuenkirchen") stays unplaced
rather than guessed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from data.regions import find_region_by_place, fold_name

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
MUNICIPALITIES_FILE = REFERENCE_DIR / "gemeinden.csv"
POSTCODES_FILE = REFERENCE_DIR / "plz_kreise.csv"

NO_LOCATION = "no place or postcode given"
UNKNOWN_PLACE = "neither the place nor the postcode is known"
AMBIGUOUS_PLACE = "the place name exists in several Kreise and no postcode tells them apart"
_QUALIFIER = re.compile(r"\s*(\([^)]*\)|/.*)$")


@dataclass(frozen=True)
class Location:
    """One place of work as a posting gives it; either part may be empty."""

    place: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class Placement:
    """The Kreise (AGS) a posting is placed in, or why it is placed in none."""

    kreise: frozenset[str]
    reason: str | None = None  # None when placed


def name_keys(name: str) -> tuple[str, ...]:
    """Lookup keys of a place name, most specific first.

    ``"Ingolstadt, Donau"`` -> ``("ingolstadt",)``; ``"Halle (Saale), Stadt"`` ->
    ``("halle (saale)", "halle")``; ``"Lauenburg/ Elbe, Stadt"`` -> ``("lauenburg/ elbe", "lauenburg")``.
    """
    base = fold_name(name).split(",")[0].strip()
    bare = _QUALIFIER.sub("", base).strip()
    return tuple(dict.fromkeys(key for key in (base, bare) if key))


@lru_cache(maxsize=1)
def municipality_kreise() -> dict[str, frozenset[str]]:
    """Every lookup key of every municipality -> the Kreise of the municipalities with that key."""
    found: dict[str, set[str]] = defaultdict(set)
    with MUNICIPALITIES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for key in name_keys(row["name"]):
                found[key].add(row["ags8"][:5])
    return {key: frozenset(kreise) for key, kreise in found.items()}


@lru_cache(maxsize=1)
def postcode_kreise() -> dict[str, dict[str, int]]:
    """PLZ -> {Kreis AGS: number of GeoNames places of that PLZ in that Kreis}."""
    found: dict[str, dict[str, int]] = defaultdict(dict)
    with POSTCODES_FILE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            found[row["plz"]][row["kreis_ags5"]] = int(row["places"])
    return dict(found)


def kreise_by_name(place: str) -> frozenset[str]:
    """Kreise a place name can mean: municipalities first, then Kreis names ("Landkreis Rostock")."""
    table = municipality_kreise()
    for key in name_keys(place):
        if key in table:
            return table[key]
    region = find_region_by_place(place.split(",")[0])
    return frozenset({region.ags}) if region else frozenset()


def locate(location: Location) -> Placement:
    """The Kreis of one location; a postcode decides between several Kreise of the same name."""
    by_name = kreise_by_name(location.place) if location.place else frozenset()
    by_postcode = postcode_kreise().get(location.postcode.strip(), {})
    if by_postcode:
        agreeing = {ags: n for ags, n in by_postcode.items() if ags in by_name} or by_postcode
        return Placement(frozenset({max(sorted(agreeing), key=agreeing.__getitem__)}))
    if len(by_name) == 1:
        return Placement(by_name)
    if by_name:
        return Placement(frozenset(), AMBIGUOUS_PLACE)
    if not location.place and not location.postcode:
        return Placement(frozenset(), NO_LOCATION)
    return Placement(frozenset(), UNKNOWN_PLACE)


def place_posting(locations: tuple[Location, ...]) -> Placement:
    """Every Kreis any of the locations lies in; the first reason when none could be placed."""
    placements = [locate(location) for location in locations]
    kreise = frozenset().union(*(p.kreise for p in placements))
    if kreise:
        return Placement(kreise)
    return Placement(frozenset(), next((p.reason for p in placements), NO_LOCATION))
