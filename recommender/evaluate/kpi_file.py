"""The benchlearning file: what ``lotse kpi export`` writes and ``lotse kpi import`` accepts.

A file crosses from one Jobcenter to another, so the reader trusts nothing: the header must be
exactly :data:`COLUMNS` (an extra column could carry data nobody agreed to share), the schema's
major version must match, every cell is validated, and a cell that shows a figure resting on
fewer than ``MIN_PEOPLE`` people is refused — a sender's mistake must not become our privacy
breach. The whole file is checked before anything is written; every error names its line.
Importing a Jobcenter's file for a quarter replaces that Jobcenter's earlier figures for the
same quarter, so a second import of the same file changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, delete, select

from models.benchlearning import KpiFigure
from models.tables import Jobcenter
from recommender.evaluate.kpi import BY_NAME, MIN_PEOPLE, SCHEMA_VERSION, KpiError, KpiRow, Period, compute_kpis
from recommender.records.chain import EventType, append_event

COLUMNS = ("schema_version", "jobcenter", "period", "team", "indicator", "module", "value", "people", "status")
MAX_BYTES = 5_000_000
_CODE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")

NOT_UTF8 = "{name}: the file is not UTF-8 text"
TOO_LARGE = "{name}: the file is larger than {limit:,} bytes"
EMPTY = "{name}: the file has no figures"
BAD_HEADER = "line 1: the columns must be exactly {expected}; found {found}"
EXTRA_COLUMNS = "line 1: columns not in the schema: {extra} (files may share only the agreed columns)"
BAD_VERSION = "line {line}: schema_version {given!r} is not compatible with {ours} (same major version needed)"
BAD_FIELD = "line {line}: {field} {given!r} {problem}"
MIXED = "line {line}: one file holds one Jobcenter and one quarter; found {field} {given!r} after {first!r}"
SMALL_CELL = "line {line}: a figure resting on {people} people is shown; cells under {minimum} must be suppressed"
OWN_FILE = "{code} is a Jobcenter of this installation; its figures are computed here, not imported"
FAILED = "nothing imported; fix these lines:\n{errors}"


def write_csv(rows: Iterable[KpiRow], target: io.TextIOBase | io.StringIO) -> int:
    """Write *rows* as the benchlearning CSV; returns how many figures were written."""
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([SCHEMA_VERSION, row.jobcenter, row.period, row.team, row.indicator, row.module,
                         "" if row.value is None else repr(row.value), "" if row.people is None else row.people,
                         row.status])
        count += 1
    return count


@dataclass(frozen=True)
class KpiFile:
    jobcenter: str
    period: str
    schema_version: str
    sha256: str
    rows: list[KpiRow]


def _code(value: str) -> bool:
    return 0 < len(value) <= 32 and set(value) <= _CODE_CHARS


def _row(line: int, record: dict[str, str], errors: list[str]) -> KpiRow | None:
    """One validated cell, or None with its errors appended."""
    before = len(errors)

    def bad(field: str, problem: str) -> None:
        errors.append(BAD_FIELD.format(line=line, field=field, given=record[field], problem=problem))

    major = SCHEMA_VERSION.split(".")[0]
    if record["schema_version"].split(".")[0] != major:
        errors.append(BAD_VERSION.format(line=line, given=record["schema_version"], ours=SCHEMA_VERSION))
    for field in ("jobcenter", "team"):
        if not _code(record[field]):
            bad(field, "must be 1-32 letters, digits, '-', '_' or '.' (no names or free text)")
    try:
        Period.parse(record["period"])
    except KpiError:
        bad("period", "is not a quarter such as 2026-Q3")
    indicator = BY_NAME.get(record["indicator"])
    if indicator is None:
        bad("indicator", "is not one of " + ", ".join(sorted(BY_NAME)))
    elif indicator.per_module != bool(record["module"]) or (record["module"] and not _code(record["module"])):
        bad("module", "must name an advice module exactly for the indicators per module")
    status = record["status"]
    value = people = None
    if status == "ok":
        try:
            value = float(record["value"])
            if not math.isfinite(value) or value < 0 or (indicator and indicator.unit == "share" and value > 1):
                raise ValueError
        except ValueError:
            bad("value", "must be a number (a share between 0 and 1) when status is ok")
        try:
            people = int(record["people"])
            if people < MIN_PEOPLE:
                errors.append(SMALL_CELL.format(line=line, people=people, minimum=MIN_PEOPLE))
        except ValueError:
            bad("people", "must be a whole number when status is ok")
    elif status in ("suppressed", "not_yet_observable"):
        if record["value"] or record["people"]:
            bad("status", "hides the figure, so value and people must be empty")
    else:
        bad("status", "must be ok, suppressed or not_yet_observable")
    if len(errors) > before:
        return None
    return KpiRow(record["jobcenter"], record["period"], record["team"], record["indicator"], record["module"],
                  value, people, status)  # type: ignore[arg-type]  # status checked against the Literal above


def parse_kpi_file(data: bytes, *, name: str = "file") -> KpiFile:
    """Validate a whole benchlearning file; raise :class:`KpiError` listing every wrong line."""
    if len(data) > MAX_BYTES:
        raise KpiError(TOO_LARGE.format(name=name, limit=MAX_BYTES))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KpiError(NOT_UTF8.format(name=name)) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = tuple(reader.fieldnames or ())
    extra = [c for c in header if c not in COLUMNS]
    if extra:
        raise KpiError(EXTRA_COLUMNS.format(extra=", ".join(extra)))
    if header != COLUMNS:
        raise KpiError(BAD_HEADER.format(expected=",".join(COLUMNS), found=",".join(header) or "nothing"))
    errors: list[str] = []
    rows: list[KpiRow] = []
    first: dict[str, str] = {}
    for line, record in enumerate(reader, start=2):
        if None in record or any(v is None for v in record.values()):
            errors.append(BAD_FIELD.format(line=line, field="row", given=",".join(str(v) for v in record.values()),
                                           problem="does not have exactly the header's columns"))
            continue
        for field in ("jobcenter", "period", "schema_version"):
            first.setdefault(field, record[field])
            if record[field] != first[field]:
                errors.append(MIXED.format(line=line, field=field, given=record[field], first=first[field]))
        row = _row(line, record, errors)
        if row is not None:
            rows.append(row)
    if errors:
        raise KpiError(FAILED.format(errors="\n".join(errors[:50])))
    if not rows:
        raise KpiError(EMPTY.format(name=name))
    return KpiFile(first["jobcenter"], first["period"], first["schema_version"], hashlib.sha256(data).hexdigest(),
                   rows)


def import_kpi_file(session: Session, path: Path, *, actor_id: str) -> KpiFile:
    """Store another Jobcenter's figures for a quarter, replacing what its earlier file said."""
    parsed = parse_kpi_file(path.read_bytes(), name=path.name)
    if session.exec(select(Jobcenter.id).where(Jobcenter.code == parsed.jobcenter)).first() is not None:
        raise KpiError(OWN_FILE.format(code=parsed.jobcenter))
    session.exec(delete(KpiFigure).where(col(KpiFigure.jobcenter) == parsed.jobcenter,
                                         col(KpiFigure.period) == parsed.period))
    session.add_all(KpiFigure(jobcenter=r.jobcenter, period=r.period, team=r.team, indicator=r.indicator,
                              module=r.module, value=r.value, people=r.people, status=r.status,
                              schema_version=parsed.schema_version, source_sha256=parsed.sha256)
                    for r in parsed.rows)
    append_event(session, event_type=EventType.kpi_imported, actor_role="data_steward", actor_id=actor_id,
                 outputs={"jobcenter": parsed.jobcenter, "period": parsed.period, "figures": len(parsed.rows),
                          "sha256": parsed.sha256})
    session.flush()
    return parsed


def imported_rows(session: Session, *, period: str) -> list[KpiRow]:
    """Every other Jobcenter's figures for *period*."""
    figures = session.exec(select(KpiFigure).where(KpiFigure.period == period).order_by(
        col(KpiFigure.jobcenter), col(KpiFigure.team), col(KpiFigure.indicator), col(KpiFigure.module))).all()
    return [KpiRow(f.jobcenter, f.period, f.team, f.indicator, f.module, f.value, f.people,
                   f.status) for f in figures]  # type: ignore[arg-type]  # validated on import


def export_kpi_file(session: Session, *, jobcenter_code: str, period: Period, target: Path, actor_id: str) -> int:
    """Write the Jobcenter's figures for *period* to *target*; logged, returns the number of figures."""
    rows = compute_kpis(session, jobcenter_code=jobcenter_code, period=period)
    buffer = io.StringIO()
    count = write_csv(rows, buffer)
    data = buffer.getvalue().encode("utf-8")
    target.write_bytes(data)
    append_event(session, event_type=EventType.kpi_exported, actor_role="data_steward", actor_id=actor_id,
                 outputs={"jobcenter": jobcenter_code, "period": str(period), "figures": count,
                          "suppressed": sum(1 for r in rows if r.status != "ok"),
                          "sha256": hashlib.sha256(data).hexdigest()})
    return count
