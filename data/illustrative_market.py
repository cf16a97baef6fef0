"""Generate the ILLUSTRATIVE market table shipped as ``reference/market_illustrative.csv``.

No open table of unemployed and vacancies by occupation x Kreis exists in the sources we may
ship, so Lotse ships made-up but plausible figures until an operator imports the official
BA "Arbeitsmarkt in Zahlen" file. Every row says ``illustrative=true``. Assumptions:

1. National total of 2.9 million registered unemployed (the order of magnitude the BA
   reported for 2025; not checked against a table). More than half of them look for Helfer
   work, so within a group the split favours level 1 (weights 4 / 2 / 0.6 / 0.6 by skill
   level, times a random factor in [0.2, 1]).
2. Each Berufsgruppe (3-digit) gets a share drawn log-uniformly (seed 42), i.e. group sizes
   vary by a factor of about 50, as real ones do.
3. Market tension depends on the skill level: unemployed per vacancy is drawn around 5.0 for
   Helfer, 1.6 Fachkraft, 1.0 Spezialist, 0.9 Experte, with a log-normal spread (sigma 0.35):
   Helfer markets are slack, specialist markets tight (the direction of the BA's
   Engpassanalyse, not its numbers). The resulting vacancy total (about 2.3 million) is far
   above the roughly 0.6 million registered vacancies: use the table for relative tension
   between occupations, never for levels.
4. Vacancies a year earlier differ by a trend drawn uniformly in [-15 %, +5 %].
5. Kreis rows exist for ten sample Kreise only (3-digit codes), scaled by population share
   with a random factor in [0.6, 1.4]; elsewhere lookups fall back to national figures.

Run ``python -m data.illustrative_market`` to rebuild the file; the output is deterministic.
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

from data.kldb import occupations_at_level
from data.regions import load_regions

ILLUSTRATIVE_FILE = Path(__file__).resolve().parent / "reference" / "market_illustrative.csv"
PERIOD = "2025-06"
SEED = 42
TOTAL_UNEMPLOYED = 2_900_000
SAMPLE_KREISE = ("09362", "09375", "11000", "02000", "09162", "05315", "14713", "12073", "08111", "03241")
_RATIO_BY_SKILL = {1: 5.0, 2: 1.6, 3: 1.0, 4: 0.9}
_UNEMPLOYED_WEIGHT_BY_SKILL = {1: 4.0, 2: 2.0, 3: 0.6, 4: 0.6}
HEADER = ["stichtag", "region", "kldb", "arbeitslose", "gemeldete_arbeitsstellen",
          "gemeldete_arbeitsstellen_vorjahr", "illustrative"]


def generate_rows() -> list[list[str]]:
    """Deterministic illustrative rows in the importer's format (see ``data.importers.market``)."""
    rng = random.Random(SEED)
    groups = occupations_at_level(3)
    weights = {g.code: math.exp(rng.uniform(0, math.log(50))) for g in groups}
    total = sum(weights.values())
    rows: list[list[str]] = []
    national_unemployed: dict[str, int] = {}
    national_ratio: dict[str, float] = {}
    children: dict[str, list[str]] = {}
    for level5 in occupations_at_level(5):
        children.setdefault(level5.code[:3], []).append(level5.code)

    def emit(region: str, code: str, unemployed: int, ratio: float) -> None:
        vacancies = max(0, round(unemployed / ratio))
        trend = rng.uniform(-0.15, 0.05)
        year_ago = max(0, round(vacancies / (1 + trend)))
        rows.append([PERIOD, region, code, str(unemployed), str(vacancies), str(year_ago), "true"])

    for group in groups:
        unemployed = round(TOTAL_UNEMPLOYED * weights[group.code] / total)
        members = children.get(group.code, [])
        split = [rng.uniform(0.2, 1.0) * _UNEMPLOYED_WEIGHT_BY_SKILL[int(code[4])] for code in members]
        group_vacancies = 0.0
        for code, part in zip(members, split, strict=True):
            share = round(unemployed * part / sum(split))
            ratio = _RATIO_BY_SKILL[int(code[4])] * math.exp(rng.gauss(0, 0.35))
            emit("DG", code, share, ratio)
            group_vacancies += int(rows[-1][4])
        ratio = unemployed / group_vacancies if group_vacancies else 2.0
        national_ratio[group.code] = ratio
        national_unemployed[group.code] = unemployed
        emit("DG", group.code, unemployed, ratio)
    regions = load_regions()
    population = sum(region.population for region in regions.values())
    for ags in SAMPLE_KREISE:
        region = regions[ags]  # the sample Kreise are shipped; a KeyError names a wrong one
        for group in groups:
            scaled = national_unemployed[group.code] * region.population / population * rng.uniform(0.6, 1.4)
            emit(ags, group.code, round(scaled), national_ratio[group.code] * rng.uniform(0.7, 1.3))
    return rows


def write_csv(path: Path = ILLUSTRATIVE_FILE) -> int:
    rows = generate_rows()
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return len(rows)


if __name__ == "__main__":
    write_csv()
