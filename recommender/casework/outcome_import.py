"""Import outcomes known elsewhere (e.g. job starts in the case-management software) as CSV or JSON Lines.

Why: a job-seeker who found work rarely comes back to say so; the case-management side knows.
Without these outcomes the log teaches a model that advice fails for everyone who did not
report. Each line names a case pseudonym, an outcome kind and its date; every imported outcome
carries its source (``reported_by``) and is logged as ``client_outcome`` with that source.

Rules: the whole file is checked first and nothing is written if any line is wrong (every
error names its line); importing the same file twice adds nothing (an outcome with the same
person, kind, date and source already exists).

CSV: a header ``pseudonym,kind,occurred_on``; JSON Lines: one object per line with those keys.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, select

from models.errors import InvalidError
from models.tables import JobSeeker, Outcome, jobcenter_today
from recommender.casework.feed import report_outcome
from recommender.casework.journey import EARLIEST_OUTCOME, OUTCOME_KINDS
from recommender.errors import RecommenderError
from recommender.records.chain import EventType, append_event

FIELDS = ("pseudonym", "kind", "occurred_on")
DEFAULT_SOURCE = "case_management"
BAD_FORMAT = "{path}: only .csv and .jsonl files can be imported"
BAD_HEADER = "line 1: the header must name the columns {fields}; found {found}"
BAD_JSON = "line {line}: not a JSON object ({error})"
MISSING = "line {line}: {field} is missing"
BAD_KIND = "line {line}: kind {given!r} is not one of {allowed}"
BAD_DATE = "line {line}: occurred_on {given!r} is not a date YYYY-MM-DD between {earliest} and {latest}"
UNKNOWN_CASE = "line {line}: no case with pseudonym {given!r}"
FAILED = "nothing imported; fix these lines:\n{errors}"


class OutcomeImportError(RecommenderError, InvalidError):
    """The file has wrong lines; the message lists each with its number."""


@dataclass(frozen=True)
class OutcomeLine:
    line: int
    pseudonym: str
    kind: str
    occurred_on: date


@dataclass(frozen=True)
class ImportResult:
    imported: int
    already_known: int
    source: str


def _records(path: Path) -> list[tuple[int, dict[str, object] | str]]:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".csv":
        reader = csv.DictReader(text.splitlines())
        if not set(FIELDS) <= set(reader.fieldnames or ()):
            raise OutcomeImportError(BAD_HEADER.format(fields=", ".join(FIELDS), found=reader.fieldnames))
        return [(reader.line_num, dict(row)) for row in reader]
    if path.suffix == ".jsonl":
        out: list[tuple[int, dict[str, object] | str]] = []
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as exc:
                out.append((number, BAD_JSON.format(line=number, error=exc.msg)))
                continue
            out.append((number, value if isinstance(value, dict) else BAD_JSON.format(line=number, error="a list")))
        return out
    raise OutcomeImportError(BAD_FORMAT.format(path=path))


def _check(number: int, record: dict[str, object], today: date) -> OutcomeLine | str:
    for name in FIELDS:
        if not str(record.get(name) or "").strip():
            return MISSING.format(line=number, field=name)
    kind = str(record["kind"]).strip()
    if kind not in OUTCOME_KINDS:
        return BAD_KIND.format(line=number, given=kind, allowed=", ".join(OUTCOME_KINDS))
    try:
        when = date.fromisoformat(str(record["occurred_on"]).strip())
    except ValueError:
        when = None
    if when is None or not EARLIEST_OUTCOME <= when <= today:
        return BAD_DATE.format(line=number, given=record["occurred_on"], earliest=EARLIEST_OUTCOME, latest=today)
    return OutcomeLine(number, str(record["pseudonym"]).strip(), kind, when)


def read_outcomes(path: Path, *, today: date | None = None) -> list[OutcomeLine]:
    """Every line of *path*, checked; raises :class:`OutcomeImportError` listing all wrong lines."""
    today = today or jobcenter_today()
    checked = [record if isinstance(record, str) else _check(number, record, today)
               for number, record in _records(path)]
    errors = [c for c in checked if isinstance(c, str)]
    if errors:
        raise OutcomeImportError(FAILED.format(errors="\n".join(errors)))
    return [c for c in checked if isinstance(c, OutcomeLine)]


def import_outcomes(session: Session, lines: list[OutcomeLine], *, source: str = DEFAULT_SOURCE,
                    actor_id: str | None = None) -> ImportResult:
    """Write the outcomes not known yet, each with *source*, and log each; all or nothing."""
    wanted = {line.pseudonym for line in lines}
    people = {p.pseudonym: p for p in session.exec(select(JobSeeker).where(
        JobSeeker.pseudonym.in_(wanted))).all()}  # type: ignore[attr-defined]
    unknown = [UNKNOWN_CASE.format(line=line.line, given=line.pseudonym) for line in lines
               if line.pseudonym not in people]
    if unknown:
        raise OutcomeImportError(FAILED.format(errors="\n".join(unknown)))
    imported = known = 0
    for line in lines:
        person = people[line.pseudonym]
        exists = session.exec(select(Outcome.id).where(
            Outcome.job_seeker_id == person.id, Outcome.kind == line.kind,
            Outcome.occurred_on == line.occurred_on, Outcome.reported_by == source)).first()
        if exists is not None:
            known += 1
            continue
        outcome = Outcome(job_seeker_id=person.id, kind=line.kind, occurred_on=line.occurred_on,  # type: ignore[arg-type]
                          reported_by=source)
        session.add(outcome)
        session.flush()
        append_event(session, event_type=EventType.client_outcome, actor_role=source, actor_id=actor_id,
                     case_pseudonym=person.pseudonym, action=line.kind,
                     outputs={"outcome_id": outcome.id, "occurred_on": line.occurred_on.isoformat(),
                              "source": source})
        report_outcome(session, job_seeker=person, outcome=outcome)
        imported += 1
    return ImportResult(imported, known, source)
