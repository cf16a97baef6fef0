"""Derive the shipped files in ``data/reference/`` from the official source files.

Kept in the repository so every shipped row can be traced back to its source: run
``python -m data.build_reference ../shared/data`` to rebuild them. The KldB 2010 and the
Kreise are published for free reuse with attribution (see ``data/README.md``), so they ship
whole; the Entgeltatlas figures have unclear terms, so only a small documented subset ships.
"""

from __future__ import annotations

import csv
import html
import re
import sys
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# Codes whose Entgeltatlas median ships (common target occupations of SGB II job-seekers);
# everything else comes from ``lotse data import wages FILE``.
WAGE_SUBSET = (
    "11101", "12101", "12201", "21112", "24412", "25212", "26212", "29301", "29302", "32101",
    "33102", "34202", "43102", "43412", "51312", "51322", "51422", "51522", "52122", "52202",
    "53112", "54101", "61122", "62102", "62112", "62182", "63302", "63312", "71302", "71402",
    "72213", "73202", "81302", "81313", "82102", "82112", "83112", "83132", "84114", "93202",
)

_EXAMPLE = re.compile(r"(\d{5})-\d{3} (.*?)(?=\s{2}\d{5}-\d{3} |$)")
_BUNDESLAENDER = {
    "01": "Schleswig-Holstein", "02": "Hamburg", "03": "Niedersachsen", "04": "Bremen",
    "05": "Nordrhein-Westfalen", "06": "Hessen", "07": "Rheinland-Pfalz", "08": "Baden-Württemberg",
    "09": "Bayern", "10": "Saarland", "11": "Berlin", "12": "Brandenburg", "13": "Mecklenburg-Vorpommern",
    "14": "Sachsen", "15": "Sachsen-Anhalt", "16": "Thüringen",
}


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(text).replace("\xa0", " ")).strip()


def build_kldb(source: Path, target: Path) -> int:
    """Write code, level, titles and the official example job titles (``|``-joined)."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))[1:]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["code", "level", "title", "short_title", "example_titles"])
        for row in rows:
            level = int(row[1])
            code = row[0].strip().zfill(level)
            examples = []
            if level == 5:
                raw = html.unescape(row[6]).replace("\xa0", " ")
                examples = [_clean(m.group(2)) for m in _EXAMPLE.finditer(raw) if m.group(1) == code]
            writer.writerow([code, level, _clean(row[2]), _clean(row[3]), " | ".join(examples)])
    return len(rows)


def build_regions(source: Path, target: Path) -> int:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter=";"))
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["ags", "name", "type", "bundesland", "nuts3", "population"])
        for row in rows:
            ags = row["AGS"].zfill(5)
            writer.writerow([ags, row["name"], row["type"], _BUNDESLAENDER[ags[:2]], row["NUTS3"], row["population"]])
    return len(rows)


def build_wage_subset(source: Path, target: Path) -> int:
    with source.open(encoding="utf-8", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if row["kldb5"] in WAGE_SUBSET]
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["kldb5", "median_eur", "q25_eur", "q75_eur"])
        for row in rows:
            writer.writerow([row["kldb5"], row["median_eur"], row["q25_eur"], row["q75_eur"]])
    return len(rows)


def main(shared_data: Path) -> dict[str, int]:
    REFERENCE_DIR.mkdir(exist_ok=True)
    return {
        "kldb2010.csv": build_kldb(shared_data / "kldb2010" / "kldb2010_v2020_gliederung.csv",
                                   REFERENCE_DIR / "kldb2010.csv"),
        "kreise.csv": build_regions(shared_data / "regions" / "districts.csv", REFERENCE_DIR / "kreise.csv"),
        "wages_kldb5_subset.csv": build_wage_subset(
            shared_data / "entgeltatlas" / "entgeltatlas_wages_kldb5.csv", REFERENCE_DIR / "wages_kldb5_subset.csv"
        ),
    }


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
