"""German Kreise (districts) keyed by their 5-digit AGS (Amtlicher Gemeindeschlüssel prefix).

As of 31.12.2018 (Destatis): 401 Kreise. Eisenach (16056) merged into the Wartburgkreis
(16063) on 1 July 2021; it is kept so older official files still import.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REGIONS_FILE = Path(__file__).resolve().parent / "reference" / "kreise.csv"
NATIONAL = "DG"  # BA statistics' code for Deutschland; stored where a figure is national
_AGS = re.compile(r"^\d{5}$")


@dataclass(frozen=True)
class Region:
    """A Kreis (district) or kreisfreie Stadt.

    Attributes
    ----------
    ags : str
        5 digits with leading zero (``"09362"``).
    name : str
        Official name, e.g. ``"Regensburg, Stadt"``.
    kind : str
        ``Kreisfreie Stadt``, ``Landkreis``, ``Kreis``, ``Stadtkreis`` or ``Regionalverband``.
    bundesland : str
    nuts3 : str
        NUTS-2016 code.
    population : int
        Residents on 31.12.2018.
    """

    ags: str
    name: str
    kind: str
    bundesland: str
    nuts3: str
    population: int


@lru_cache(maxsize=1)
def load_regions(path: Path = REGIONS_FILE) -> dict[str, Region]:
    """Read the shipped Kreise once; keyed by AGS."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["ags"]: Region(row["ags"], row["name"], row["type"], row["bundesland"], row["nuts3"],
                               int(row["population"]))
            for row in csv.DictReader(handle)
        }


def get_region(ags: str) -> Region | None:
    """Return the Kreis with this AGS, or ``None`` for unknown or malformed codes."""
    if not isinstance(ags, str) or not _AGS.match(ags):
        return None
    return load_regions().get(ags)


def is_well_formed_ags(ags: str) -> bool:
    return isinstance(ags, str) and bool(_AGS.match(ags))


def fold_name(text: str) -> str:
    """Case-, accent- and ß-insensitive form of a place name (``"Großmehring"`` -> ``"grossmehring"``)."""
    text = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@lru_cache(maxsize=1)
def _folded_names() -> list[tuple[str, Region]]:
    return [(fold_name(region.name), region) for region in load_regions().values()]


def search_regions(query: str, limit: int = 10) -> list[Region]:
    """Kreise whose name starts with (first) or contains *query*; an AGS prefix also matches.

    Accent- and case-insensitive, so ``"munchen"`` finds ``"München, Landeshauptstadt"``.
    """
    folded = fold_name(query.strip())
    if not folded:
        return []
    if folded.isdigit():
        return [r for r in load_regions().values() if r.ags.startswith(folded)][:limit]
    starts = [r for name, r in _folded_names() if name.startswith(folded)]
    inside = [r for name, r in _folded_names() if folded in name and not name.startswith(folded)]
    return (starts + inside)[:limit]


def find_region_by_place(place: str) -> Region | None:
    """Best-effort Kreis for a place name as job postings give it (``"Regensburg"``).

    Prefers the kreisfreie Stadt over the Landkreis of the same name; ``None`` when the
    place is not itself a Kreis name (postings then count at national level only).
    """
    folded = fold_name(place.strip())
    if not folded:
        return None
    hits = [r for name, r in _folded_names() if name.split(",")[0].strip() == folded]
    hits.sort(key=lambda r: r.kind not in ("Kreisfreie Stadt", "Stadtkreis"))
    return hits[0] if hits else None
