"""Derive the place tables in ``data/reference/`` that put a job posting into a Kreis.

Run ``python -m data.build_places ../shared/data/regions/municipalities``. Only sources whose
licence allows shipping are used (see ``data/README.md``): the Destatis Gemeindeverzeichnis
(dl-de/by-2-0) for municipality names and the GeoNames postcodes (CC BY 4.0) for PLZ. The
OpenStreetMap PLZ tables are ODbL share-alike and are deliberately not read.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from data.places import MUNICIPALITIES_FILE, POSTCODES_FILE


def _write(target: Path, header: list[str], rows: list[list[str]]) -> None:
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def build(source: Path) -> None:
    """Write the municipality table (``ags8,name,plz``) and the postcode table (``plz,kreis_ags5,places``)."""
    with (source / "gemeinden.csv").open(encoding="utf-8", newline="") as handle:
        municipalities = [[row["ags8"], row["name"], row["plz"]] for row in csv.DictReader(handle)]
    _write(MUNICIPALITIES_FILE, ["ags8", "name", "plz"], sorted(municipalities))
    with (source / "plz_kreis_geonames.csv").open(encoding="utf-8", newline="") as handle:
        postcodes = [[row["plz"], row["kreis_ags5"], row["share_or_count"]] for row in csv.DictReader(handle)]
    _write(POSTCODES_FILE, ["plz", "kreis_ags5", "places"], sorted(postcodes))


if __name__ == "__main__":
    build(Path(sys.argv[1]))
