"""Median wages per KldB 5-digit code in the Entgeltatlas export format.

Required columns: ``kldb5`` (aliases ``kldb``, ``code``) and ``median_eur`` (``median``);
optional ``q25_eur``, ``q75_eur``. Negative values are the Entgeltatlas sentinels (``-1`` not
published, ``-2`` above the contribution ceiling, ``-100``) and stay sentinels; empty means
unknown. The validated table is written atomically to ``<var_dir>/reference/wages_kldb5.csv``.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from pathlib import Path

from data import wages
from data.errors import ImportFileError, RowProblem
from data.importers.base import ImportDiff, ImportResult, read_csv_table, sorted_problems
from data.kldb import is_valid_kldb5

WAGE_COLUMNS: dict[str, tuple[str, ...]] = {"kldb5": ("kldb", "code"), "median_eur": ("median",)}
WAGE_OPTIONAL: dict[str, tuple[str, ...]] = {"q25_eur": ("q25",), "q75_eur": ("q75",)}

_UNKNOWN_KLDB5 = "{value!r} is not a 5-digit code of the KldB 2010 (revised 2020)"
_BAD_EURO = ("{value!r} is not an amount in EUR; expected a plain number (e.g. 3150 or 3150.5), "
             "a negative sentinel or empty")
_DUPLICATE = "duplicate KldB code {value}; first given on line {first}"


_AMOUNT = re.compile(r"-?[0-9]{1,9}(?:\.[0-9]{1,4})?")  # plain decimal: no exponent, NaN, infinity or digit lookalikes


def _is_amount(value: str) -> bool:
    return value == "" or _AMOUNT.fullmatch(value) is not None


def parse_wage_file(path: Path, *, encoding: str = "utf-8") -> dict[str, tuple[str, str, str]]:
    """Validate every row; return ``{kldb5: (median, q25, q75)}`` as written in the file."""
    table = read_csv_table(path, required=WAGE_COLUMNS, optional=WAGE_OPTIONAL, encoding=encoding)
    problems: list[RowProblem] = list(table.problems)
    out: dict[str, tuple[str, str, str]] = {}
    first: dict[str, int] = {}
    for line, row in table.rows:
        code = row["kldb5"]
        if not is_valid_kldb5(code):
            problems.append(RowProblem(table.file, line, table.columns["kldb5"], _UNKNOWN_KLDB5.format(value=code)))
        elif code in first:
            problems.append(RowProblem(table.file, line, table.columns["kldb5"],
                                       _DUPLICATE.format(value=code, first=first[code])))
        first.setdefault(code, line)
        for column in ("median_eur", "q25_eur", "q75_eur"):
            if column in row and not _is_amount(row[column]):
                message = _BAD_EURO.format(value=row[column])
                problems.append(RowProblem(table.file, line, table.columns[column], message))
        out[code] = (row["median_eur"], row.get("q25_eur", ""), row.get("q75_eur", ""))
    if problems:
        raise ImportFileError(sorted_problems(problems))
    return out


def import_wages(path: Path, *, dry_run: bool = False, encoding: str = "utf-8") -> ImportResult:
    """Validate, diff against the wages in use, and (unless *dry_run*) install the new table."""
    new = parse_wage_file(path, encoding=encoding)
    current = wages.load_wages()
    added = sum(1 for code in new if code not in current)
    removed = sum(1 for code in current if code not in new)
    changed = sum(
        1 for code, (median, _, _) in new.items()
        if code in current and current[code].median_eur != wages._euro(median)
    )
    diff = ImportDiff(added, removed, changed, len(new) - added - changed)
    if not dry_run:
        target = wages.imported_wages_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["kldb5", "median_eur", "q25_eur", "q75_eur"])
            writer.writerows([code, *values] for code, values in sorted(new.items()))
        os.replace(tmp, target)
        wages.load_wages.cache_clear()
    return ImportResult("wages", str(path), len(new), diff, applied=not dry_run)
