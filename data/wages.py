"""Median monthly gross wages per 5-digit KldB code (BA Entgeltatlas).

Only a small documented subset ships (the source's terms are unclear, see ``data/README.md``);
``lotse data import wages FILE`` stores a validated full table under ``<var_dir>/reference/``,
which then takes precedence. Entgeltatlas negative values are sentinels (``-1`` not published,
``-2`` above the contribution ceiling, ``-100`` unknown), never wages: they map to ``None``.

Every figure is a median for **Germany** (all genders, ages and branches; :data:`WAGE_REGION`):
the Entgeltatlas also publishes Länder figures, but none ship. Each wage says when it was
obtained (``as_of``): the shipped subset was retrieved in February 2025 and its reference year
is not recorded in the source; an imported table carries the date it was imported.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from data.imported import reference_dir, reloads_with_var_dir

SHIPPED_WAGES_FILE = Path(__file__).resolve().parent / "reference" / "wages_kldb5_subset.csv"
IMPORTED_WAGES_NAME = "wages_kldb5.csv"
SHIPPED_AS_OF = "2025-02"  # month the shipped subset was retrieved (data/README.md)
WAGE_REGION = "DG"  # every median is for Germany (the BA statistics' code for Deutschland)


@dataclass(frozen=True)
class Wage:
    kldb5: str
    median_eur: float | None
    q25_eur: float | None
    q75_eur: float | None
    censored_above: float | None = None  # set when the median is above the ceiling
    source: str = "Entgeltatlas (BA)"
    as_of: str = SHIPPED_AS_OF  # YYYY-MM retrieved (shipped) or YYYY-MM-DD imported
    imported: bool = False


def imported_wages_file() -> Path:
    return reference_dir() / IMPORTED_WAGES_NAME


def _euro(value: str) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    number = float(value)
    return number if number >= 0 else None


def read_wage_rows(path: Path, *, as_of: str = SHIPPED_AS_OF, imported: bool = False) -> dict[str, Wage]:
    out: dict[str, Wage] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            censored = 7100.0 if row.get("median_eur", "").strip() == "-2" else None
            out[row["kldb5"]] = Wage(row["kldb5"], _euro(row["median_eur"]), _euro(row.get("q25_eur", "")),
                                     _euro(row.get("q75_eur", "")), censored, as_of=as_of, imported=imported)
    return out


@reloads_with_var_dir
@lru_cache(maxsize=1)
def load_wages() -> dict[str, Wage]:
    """Shipped subset, overlaid by an imported full table if one exists."""
    wages = read_wage_rows(SHIPPED_WAGES_FILE)
    imported = imported_wages_file()
    if imported.exists():
        when = datetime.fromtimestamp(imported.stat().st_mtime, UTC).date().isoformat()
        wages.update(read_wage_rows(imported, as_of=when, imported=True))
    return wages


def get_wage(kldb5: str) -> Wage | None:
    return load_wages().get(kldb5)


def median_wage(kldb5: str) -> float | None:
    """Median monthly gross wage in EUR for a 5-digit code.

    Returns
    -------
    float or None
        ``None`` when the figure is suppressed, censored, or not known for this code.

    Examples
    --------
    >>> median_wage("62102") is None or median_wage("62102") > 0
    True
    """
    wage = get_wage(kldb5)
    return wage.median_eur if wage else None
