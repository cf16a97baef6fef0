"""KldB 2010 (5-digit) -> ISCO-08 (4-digit), only when an operator has imported a crosswalk.

The transcription of the BA's "Umsteigeschlüssel" we know of is licensed CC BY-NC-SA 4.0, so
nothing ships; ``lotse data import isco FILE`` (columns ``kldb5,isco08[,rank]``; rank 1 = the
recommended match) validates a crosswalk and stores it under ``<var_dir>/reference/``.
"""

from __future__ import annotations

import csv
import os
import re
import tempfile
from functools import lru_cache
from pathlib import Path

from data.errors import ImportFileError, RowProblem
from data.imported import reference_dir, reloads_with_var_dir
from data.importers.base import ImportDiff, ImportResult, read_csv_table, sorted_problems
from data.kldb import is_valid_kldb5

ISCO_COLUMNS: dict[str, tuple[str, ...]] = {"kldb5": ("kldb", "kldb2010"), "isco08": ("isco", "isco_08")}
ISCO_OPTIONAL: dict[str, tuple[str, ...]] = {"rank": ("rang",)}
_UNKNOWN_KLDB5 = "{value!r} is not a 5-digit code of the KldB 2010 (revised 2020)"
_BAD_ISCO = "{value!r} is not an ISCO-08 unit group; expected 4 digits, e.g. 5223"
_BAD_RANK = "{value!r} is not a rank; expected a whole number >= 1"
_DUPLICATE = "duplicate pair {kldb5} -> {isco}; first given on line {first}"
_ISCO = re.compile(r"[0-9]{4}")
_RANK = re.compile(r"[1-9][0-9]{0,5}")


def imported_isco_file() -> Path:
    return reference_dir() / "kldb5_isco08.csv"


@reloads_with_var_dir
@lru_cache(maxsize=1)
def load_isco() -> dict[str, tuple[str, ...]]:
    """``{kldb5: (isco08, ...)}`` best match first; empty when nothing was imported."""
    path = imported_isco_file()
    if not path.is_file():
        return {}
    ranked: dict[str, list[tuple[int, str]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            ranked.setdefault(row["kldb5"], []).append((int(row["rank"]), row["isco08"]))
    return {code: tuple(isco for _, isco in sorted(pairs)) for code, pairs in ranked.items()}


def isco_codes(kldb5: str) -> tuple[str, ...]:
    """ISCO-08 unit groups for a 5-digit KldB code, best first (empty if unknown or not imported)."""
    return load_isco().get(kldb5, ())


def import_isco(path: Path, *, dry_run: bool = False, encoding: str = "utf-8") -> ImportResult:
    """Validate a crosswalk file, diff it against the installed one, install it unless *dry_run*."""
    table = read_csv_table(path, required=ISCO_COLUMNS, optional=ISCO_OPTIONAL, encoding=encoding)
    problems: list[RowProblem] = list(table.problems)
    pairs: dict[tuple[str, str], int] = {}
    first: dict[tuple[str, str], int] = {}
    for line, row in table.rows:
        kldb5, isco, rank = row["kldb5"], row["isco08"], row.get("rank", "") or "1"
        if not is_valid_kldb5(kldb5):
            problems.append(RowProblem(table.file, line, table.columns["kldb5"], _UNKNOWN_KLDB5.format(value=kldb5)))
        if not _ISCO.fullmatch(isco):
            problems.append(RowProblem(table.file, line, table.columns["isco08"], _BAD_ISCO.format(value=isco)))
        if not _RANK.fullmatch(rank):
            column = table.columns.get("rank", "rank")
            problems.append(RowProblem(table.file, line, column, _BAD_RANK.format(value=rank)))
            rank = "1"
        key = (kldb5, isco)
        if key in first:
            problems.append(RowProblem(table.file, line, table.columns["isco08"],
                                       _DUPLICATE.format(kldb5=kldb5, isco=isco, first=first[key])))
        first.setdefault(key, line)
        pairs[key] = int(rank)
    if problems:
        raise ImportFileError(sorted_problems(problems))
    current = {(k, i) for k, codes in load_isco().items() for i in codes}
    added = sum(1 for key in pairs if key not in current)
    removed = sum(1 for key in current if key not in pairs)
    diff = ImportDiff(added, removed, 0, len(pairs) - added)
    if not dry_run:
        target = imported_isco_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["kldb5", "isco08", "rank"])
            writer.writerows([k, i, r] for (k, i), r in sorted(pairs.items()))
        os.replace(tmp, target)
        load_isco.cache_clear()
    return ImportResult("isco", str(path), len(pairs), diff, applied=not dry_run)
