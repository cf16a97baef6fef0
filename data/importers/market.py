"""Market indicators per occupation x region from the BA's "Arbeitsmarkt in Zahlen" statistics.

Expected CSV (``;`` or ``,`` delimited, UTF-8, one row per occupation and region; headers are
matched case- and umlaut-insensitively, the aliases in brackets also work):

=================================  ============================================================
column                             content
=================================  ============================================================
``stichtag`` [period, monat]       reference month ``YYYY-MM`` (or ``YYYY-MM-DD``)
``region`` [ags, regionalschluessel]  5-digit Kreis AGS, or ``DG``/``Deutschland`` for national
``kldb`` [beruf, kldb2010]         KldB 2010 code, 3 or 5 digits; text after the code is ignored
``arbeitslose`` [unemployed]       registered unemployed; ``*`` (suppressed 1-2) counts as 1, ``-`` as 0
``gemeldete_arbeitsstellen``       registered open vacancies (same conventions)
``gemeldete_arbeitsstellen_vorjahr``  optional: vacancies a year earlier, for the trend
``illustrative``                   optional: ``true`` marks generated, non-official figures
=================================  ============================================================

An import replaces the whole table (official figures replace the illustrative ones in one
command) inside one transaction; a file with any problem changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, delete, select

from data.errors import ImportFileError, RowProblem
from data.illustrative_market import ILLUSTRATIVE_FILE
from data.importers.base import ImportDiff, ImportResult, read_csv_table, sorted_problems
from data.kldb import get_occupation
from data.market import ILLUSTRATIVE_SOURCE
from data.regions import get_region
from models.market import NATIONAL_AGS, MarketIndicator

MARKET_COLUMNS: dict[str, tuple[str, ...]] = {
    "stichtag": ("period", "monat", "berichtsmonat"),
    "region": ("ags", "regionalschluessel", "region_ags", "kreis"),
    "kldb": ("beruf", "kldb2010", "beruf_kldb_2010", "kldb_2010"),
    "arbeitslose": ("unemployed",),
    "gemeldete_arbeitsstellen": ("vacancies", "arbeitsstellen", "gemeldete_stellen"),
}
MARKET_OPTIONAL: dict[str, tuple[str, ...]] = {
    "gemeldete_arbeitsstellen_vorjahr": ("vacancies_year_ago", "arbeitsstellen_vorjahr"),
    "illustrative": ("illustrativ",),
}

_BAD_PERIOD = "{value!r} is not a month; expected YYYY-MM or YYYY-MM-DD"
_BAD_REGION = "{value!r} is not a known Kreis AGS (5 digits, e.g. 09362) or DG for Germany"
_BAD_KLDB_FORMAT = "{value!r} is not a KldB code; expected 3 or 5 digits, e.g. 621 or 62102"
_UNKNOWN_KLDB = "KldB code {value!r} does not exist in the KldB 2010 (revised 2020)"
_BAD_COUNT = "{value!r} is not a count; expected a whole number >= 0, '*' (suppressed) or '-' (none)"
_COUNT_TOO_LARGE = "{value!r} is too large for a count; at most {limit:,} is stored"
_BAD_FLAG = "{value!r} is not a flag; expected true or false"
_DUPLICATE = "duplicate row for KldB {kldb} in region {ags}; first given on line {first}"
_NATIONAL_NAMES = {"dg", "d", "de", "deutschland", "bund", "national", ""}
_CODE_PREFIX = re.compile(r"^\s*([0-9]+)")
_DIGITS = re.compile(r"[0-9]+")
MAX_COUNT = 2**31 - 1  # the database column is a 32-bit integer on PostgreSQL


@dataclass(frozen=True)
class MarketRow:
    kldb: str
    ags: str
    period: str
    unemployed: int
    vacancies: int
    vacancies_year_ago: int | None
    illustrative: bool

    def key(self) -> tuple[str, str]:
        return (self.kldb, self.ags)

    def values(self) -> tuple[object, ...]:
        return (self.period, self.unemployed, self.vacancies, self.vacancies_year_ago, self.illustrative)


def _count(value: str) -> int | None:
    """The count a cell stands for; ``None`` unless it is ASCII digits (``1.234`` allowed), ``*`` or ``-``."""
    value = value.replace(".", "").replace(" ", "")
    if value == "*":
        return 1
    if value == "-":
        return 0
    return int(value) if _DIGITS.fullmatch(value) else None


def _period(value: str) -> str | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})(?:-\d{2})?", value)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{match.group(1)}-{match.group(2)}"
    return None


def parse_market_file(path: Path, *, encoding: str = "utf-8") -> list[MarketRow]:
    """Validate every row of a market-indicator CSV.

    Raises
    ------
    ImportFileError
        With one ``RowProblem`` (file, line, column, message) per fault; nothing is returned
        unless the whole file is valid.
    """
    table = read_csv_table(path, required=MARKET_COLUMNS, optional=MARKET_OPTIONAL, encoding=encoding)
    problems: list[RowProblem] = list(table.problems)
    seen: dict[tuple[str, str], int] = {}
    out: list[MarketRow] = []

    for line, row in table.rows:
        def bad(column: str, message: str, line: int = line) -> None:
            problems.append(RowProblem(table.file, line, table.columns[column], message))

        period = _period(row["stichtag"])
        if period is None:
            bad("stichtag", _BAD_PERIOD.format(value=row["stichtag"]))
        region = row["region"]
        ags = NATIONAL_AGS if region.casefold() in _NATIONAL_NAMES else region.split()[0].zfill(5)
        if ags != NATIONAL_AGS and get_region(ags) is None:
            bad("region", _BAD_REGION.format(value=region))
        match = _CODE_PREFIX.match(row["kldb"])
        kldb = match.group(1) if match else ""
        if len(kldb) not in (3, 5):
            bad("kldb", _BAD_KLDB_FORMAT.format(value=row["kldb"]))
        elif get_occupation(kldb) is None:
            bad("kldb", _UNKNOWN_KLDB.format(value=kldb))
        counts: dict[str, int | None] = {}
        for column in ("arbeitslose", "gemeldete_arbeitsstellen", "gemeldete_arbeitsstellen_vorjahr"):
            raw = row.get(column, "")
            if column not in row or (raw == "" and column.endswith("vorjahr")):
                counts[column] = None
                continue
            counts[column] = count = _count(raw)
            if count is None:
                bad(column, _BAD_COUNT.format(value=raw))
            elif count > MAX_COUNT:
                bad(column, _COUNT_TOO_LARGE.format(value=raw, limit=MAX_COUNT))
                counts[column] = None
        flag = row.get("illustrative", "").casefold()
        if flag not in ("", "true", "false", "1", "0", "ja", "nein"):
            bad("illustrative", _BAD_FLAG.format(value=row["illustrative"]))
        key = (kldb, ags)
        if key in seen:
            bad("kldb", _DUPLICATE.format(kldb=kldb, ags=ags, first=seen[key]))
        else:
            seen[key] = line
        if period and counts["arbeitslose"] is not None and counts["gemeldete_arbeitsstellen"] is not None:
            out.append(MarketRow(kldb, ags, period, counts["arbeitslose"], counts["gemeldete_arbeitsstellen"],
                                 counts["gemeldete_arbeitsstellen_vorjahr"], flag in ("true", "1", "ja")))
    if problems:
        raise ImportFileError(sorted_problems(problems))
    return out


def diff_market(session: Session, rows: list[MarketRow]) -> ImportDiff:
    current = {
        (r.kldb, r.ags): (r.period, r.unemployed, r.vacancies, r.vacancies_year_ago, r.illustrative)
        for r in session.exec(select(MarketIndicator)).all()
    }
    new = {row.key(): row.values() for row in rows}
    added = sum(1 for key in new if key not in current)
    removed = sum(1 for key in current if key not in new)
    changed = sum(1 for key, value in new.items() if key in current and current[key] != value)
    return ImportDiff(added, removed, changed, len(new) - added - changed)


def replace_market_rows(session: Session, rows: list[MarketRow], *, source: str) -> None:
    """Swap the whole table for *rows* inside the caller's transaction."""
    session.exec(delete(MarketIndicator))
    session.add_all(
        MarketIndicator(kldb=r.kldb, ags=r.ags, period=r.period, unemployed=r.unemployed, vacancies=r.vacancies,
                        vacancies_year_ago=r.vacancies_year_ago, illustrative=r.illustrative, source=source)
        for r in rows
    )
    session.flush()


def import_market(
    session: Session, path: Path, *, source: str | None = None, dry_run: bool = False, encoding: str = "utf-8"
) -> ImportResult:
    """Validate *path*, compute the diff against the database, and replace the table unless *dry_run*."""
    rows = parse_market_file(path, encoding=encoding)
    diff = diff_market(session, rows)
    if not dry_run:
        replace_market_rows(session, rows, source=source or f"Statistik der Bundesagentur für Arbeit ({path.name})")
    notes = ["rows are marked illustrative"] if rows and all(r.illustrative for r in rows) else []
    return ImportResult("market", str(path), len(rows), diff, applied=not dry_run, notes=notes)


def seed_illustrative_market(session: Session) -> str:
    """Seed step: load the shipped illustrative table into an empty market table only.

    Idempotent and never overwrites: once an official import (or the illustrative table)
    is present, it is kept.
    """
    if session.exec(select(MarketIndicator.id).limit(1)).first() is not None:
        return "Market indicators already present (kept)."
    rows = parse_market_file(ILLUSTRATIVE_FILE)
    replace_market_rows(session, rows, source=ILLUSTRATIVE_SOURCE)
    return f"Loaded {len(rows)} ILLUSTRATIVE market-indicator rows (not official; replace via `lotse data import`)."
