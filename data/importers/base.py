"""Reading CSV files defensively: encoding, delimiter, header aliases, located problems."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from data.errors import ImportFileError, RowProblem

_NOT_UTF8 = (
    "the file is not valid UTF-8 (byte 0x{byte:02x} at position {pos} of the line); it looks like "
    "Latin-1/Windows-1252. Re-save it as UTF-8, or pass --encoding latin-1"
)
_MISSING_COLUMNS = "missing column(s) {missing}; found {found}; expected {expected}"
_EMPTY_FILE = "the file is empty; expected a header row with {expected}"
_FIELD_COUNT = "has {got} fields, the header has {want}"
_NOT_CSV = "cannot be read as CSV ({error}); nothing after this line was read"
_FIELD_TOO_LONG = ("a field is longer than {limit} characters (a missing closing quote?); "
                   "nothing after this line was read")
_NOT_FOUND = "file not found"


@dataclass(frozen=True)
class ImportDiff:
    """What an import would change, by key."""

    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"{self.added} added, {self.removed} removed, {self.changed} changed, {self.unchanged} unchanged"


@dataclass(frozen=True)
class ImportResult:
    kind: str
    file: str
    rows: int
    diff: ImportDiff
    applied: bool
    notes: list[str] = field(default_factory=list)


def fold_header(name: str) -> str:
    """``"Gemeldete Arbeitsstellen (Vorjahr)"`` -> ``"gemeldete_arbeitsstellen_vorjahr"``."""
    name = name.strip().casefold().replace("ß", "ss")
    name = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", name).strip("_")


def read_text(path: Path, *, encoding: str = "utf-8") -> str:
    """The file's text; a wrong encoding is reported with its line number, never guessed silently."""
    if not path.is_file():
        raise ImportFileError([RowProblem(str(path), 0, "-", _NOT_FOUND)])
    raw = path.read_bytes()
    if encoding.replace("-", "").replace("_", "").lower() in ("utf8", "utf8sig"):
        try:
            return raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line_start = raw.rfind(b"\n", 0, exc.start) + 1
            line = raw[:exc.start].count(b"\n") + 1
            column = _column_at(raw, line_start, exc.start)
            problem = _NOT_UTF8.format(byte=raw[exc.start], pos=exc.start - line_start + 1)
            raise ImportFileError([RowProblem(str(path), line, column, problem)]) from None
    return raw.decode(encoding)


def _column_at(raw: bytes, line_start: int, bad: int) -> str:
    header = raw.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")
    delimiter = ";" if header.count(";") > header.count(",") else ","
    names = [name.strip() for name in header.split(delimiter)]
    index = raw[line_start:bad].count(delimiter.encode())
    return names[index] if index < len(names) else "-"


@dataclass
class CsvTable:
    """Rows of a CSV file keyed by canonical column names, with their line numbers."""

    file: str
    columns: dict[str, str]  # canonical name -> header as written in the file
    rows: list[tuple[int, dict[str, str]]]
    problems: list[RowProblem]  # rows that could not be read; the caller adds its own and reports all


def read_csv_table(
    path: Path,
    *,
    required: Mapping[str, tuple[str, ...]],
    optional: Mapping[str, tuple[str, ...]] = {},  # noqa: B006 - read-only
    encoding: str = "utf-8",
) -> CsvTable:
    """Read *path*; map headers (case/umlaut-insensitive, with aliases) to canonical names.

    Raises ImportFileError for a wrong encoding, an empty file or missing columns. Rows whose
    field count differs from the header's, or an overlong field, go to ``problems`` so the caller
    reports them together with every other problem of the file.
    """
    text = read_text(path, encoding=encoding)
    name = str(path)
    first = text.split("\n", 1)[0]
    if not first.strip():
        raise ImportFileError([RowProblem(name, 1, "-", _EMPTY_FILE.format(expected=", ".join(required)))])
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise ImportFileError([RowProblem(name, 1, "-", _csv_error(exc))]) from None
    folded = {fold_header(h): h for h in header if h.strip()}
    columns: dict[str, str] = {}
    for canonical, aliases in {**required, **optional}.items():
        for alias in (canonical, *aliases):
            if fold_header(alias) in folded:
                columns[canonical] = folded[fold_header(alias)]
                break
    missing = [c for c in required if c not in columns]
    if missing:
        problem = _MISSING_COLUMNS.format(missing=", ".join(missing), found=", ".join(h for h in header if h.strip()),
                                          expected=", ".join(required))
        raise ImportFileError([RowProblem(name, 1, "-", problem)])
    index = {h: i for i, h in enumerate(header)}
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RowProblem] = []
    width = len([h for h in header if h.strip()])
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            values = record[:len(header)]
            if len([v for v in record if v.strip()]) > width and len(record) > len(header):
                problem = _FIELD_COUNT.format(got=len(record), want=width)
                problems.append(RowProblem(name, reader.line_num, f"field {width + 1}", problem))
                continue
            values += [""] * (len(header) - len(values))
            rows.append((reader.line_num, {c: values[index[h]].strip() for c, h in columns.items()}))
    except csv.Error as exc:
        line = reader.line_num
        problems.append(RowProblem(name, line, _long_field_column(text, line, delimiter, header), _csv_error(exc)))
    return CsvTable(name, columns, rows, problems)


def _csv_error(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return _FIELD_TOO_LONG.format(limit=csv.field_size_limit())
    return _NOT_CSV.format(error=exc)


def _long_field_column(text: str, line: int, delimiter: str, header: list[str]) -> str:
    """The header of the first overlong field on *line*, or ``-`` when it spans several lines."""
    cells = text.split("\n")[line - 1].split(delimiter)
    for position, cell in enumerate(cells):
        if len(cell) > csv.field_size_limit():
            return header[position].strip() if position < len(header) else f"field {position + 1}"
    return "-"


def sorted_problems(problems: list[RowProblem]) -> list[RowProblem]:
    """Problems in file order, so a person fixes them top to bottom."""
    return sorted(problems, key=lambda p: (p.line or 0, p.column))
