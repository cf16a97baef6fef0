"""Bulk import of cases from a Jobcenter's case-management software (Fachverfahren), CSV or JSON Lines (issue 20).

Why: a Jobcenter already keeps its cases in a Fachverfahren; typing them into Lotse again
costs counsellors time and brings typing errors. One batch carries, per case, the
Fachverfahren's pseudonymous case number, the Jobcenter, the counsellor, profile fields and
the person's consent to hand their answers back (``models.inbound.CaseImportRecord``).

Rules an integrator can rely on:

- **All or nothing.** Every line is checked first; any problem, and nothing is written. Each
  problem names its line and field (:class:`CaseImportError`).
- **Idempotent on (Jobcenter, case number).** A line identical to the last one applied to the
  case changes nothing; a changed line applies only the fields it gives (a profile field not in
  the line keeps its value), and counts as *updated* only if something really changed.
- **Never an internal id.** Cases are known by the Fachverfahren's number and Lotse's pseudonym.
- **Logged.** One ``cases_imported`` event per batch with the counts and digests, no personal data.

Speed (``bench/cases_import.py``): new cases are written with one multi-row insert per table,
with pseudonyms made before the insert, all in the caller's one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from sqlalchemy import JSON, Insert, Table, Text, bindparam, cast, func, update
from sqlalchemy import select as core_select
from sqlalchemy import text as sql_text
from sqlmodel import Session, SQLModel, col, select

from models.errors import ForbiddenError, InvalidError, LineProblem, LineProblems, TooLargeError
from models.hashing import canonical_json, sha256_hex
from models.inbound import CaseImportRecord, ExternalCase, HandoffConsent
from models.schemas import Profile
from models.tables import (
    CaseAssignment,
    Jobcenter,
    JobSeeker,
    ProfileSnapshot,
    UserAccount,
    UtcDateTime,
    new_id,
    utcnow,
)
from recommender.casework.assignment import CLAIM_ROLES
from recommender.casework.journey import merge_answers
from recommender.errors import RecommenderError
from recommender.records.chain import EventType, append_event

# Marks the sentences for the catalogue (api/locales); recommender cannot import api.i18n.
_ = str

Format = Literal["csv", "jsonl"]
LIST_SEPARATOR = "|"
TRUE_WORDS = frozenset({"true", "1", "yes", "ja", "wahr"})
FALSE_WORDS = frozenset({"false", "0", "no", "nein", "falsch"})
IMPORT_CONSENT_TEXT = "jobcenter-record"
_CHUNK = 500
# Arbitrary constant key for pg_advisory_xact_lock: "LOTSEIMP" as an int64.
_IMPORT_LOCK_KEY = 0x4C4F545345494D50 & 0x7FFFFFFFFFFFFFFF

NOT_UTF8 = _("The file is not valid UTF-8 text (the first wrong byte is in this line). Save it as UTF-8.")
NOT_JSON = _("This line is not a JSON object.")
NOT_CSV = _("This line cannot be read as CSV (a NUL character or a cell longer than 128 KB).")
UNKNOWN_COLUMN = _("Unknown column %(column)s.")
MISSING_COLUMN = _("The header has no column %(column)s.")
EXTRA_VALUES = _("This line has more values than the header has columns.")
EMPTY_BATCH = _("The batch holds no cases.")
TOO_MANY = _("The batch holds %(given)s cases; at most %(allowed)s are allowed per batch.")
UNKNOWN_JOBCENTER = _("No Jobcenter with the code %(code)s.")
NO_JOBCENTER = _("Please name the Jobcenter (column jobcenter).")
OTHER_JOBCENTER = _("Jobcenter %(code)s is not the Jobcenter of this API token.")
UNKNOWN_COUNSELLOR = _("No active counsellor with the user name %(name)s in Jobcenter %(code)s.")
DUPLICATE_ID = _("Case number %(external_id)s appears more than once in this batch (also in line %(first)s).")
CONSENT_WITHOUT_TIME = _("Please give the time of the consent (consent_at).")
TIME_WITHOUT_CONSENT = _("A time of consent needs consent (given or revoked).")
CONSENT_IN_FUTURE = _("The time of the consent lies in the future.")
FAILED = "nothing imported; {count} problem(s):\n{problems}"

_INT = re.compile(r"[+-]?\d+")


class CaseImportError(RecommenderError, LineProblems, InvalidError):
    """Lines of the batch are wrong; ``problems`` names each by line and field; nothing was written."""


class CaseImportForbidden(RecommenderError, LineProblems, ForbiddenError):
    """Lines name a Jobcenter the caller may not write to; nothing was written."""


class BatchTooLarge(RecommenderError, LineProblems, TooLargeError):
    """The batch holds more cases than the configured limit; nothing was written."""


def _fail(kind: type[LineProblems], problems: list[LineProblem]) -> LineProblems:
    listed = "\n".join(f"line {p.line}, {p.field or 'file'}: {_english(p)}" for p in problems)
    return kind(FAILED.format(count=len(problems), problems=listed), problems)


def _english(problem: LineProblem) -> str:
    """The problem in English for the exception's own text (logs); the API and the CLI word each problem
    themselves (``api.errors.line_problem_message``), the API in the reader's language."""
    if problem.validation is not None:
        return str(problem.validation.get("msg", problem.message))
    return problem.message % problem.values if problem.values else problem.message


# --- reading -----------------------------------------------------------------------------------


def _leaf_types(annotation: Any) -> Iterator[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        yield from _leaf_types(get_args(annotation)[0])
    elif origin in (Union, UnionType):
        for arg in get_args(annotation):
            yield from _leaf_types(arg)
    else:
        yield annotation


def _kind(annotation: Any) -> str:
    leaves = list(_leaf_types(annotation))
    if any(get_origin(leaf) is list for leaf in leaves):
        return "list"
    if bool in leaves:
        return "bool"
    return "int" if int in leaves else "str"


def _profile_columns() -> dict[str, str]:
    """CSV column -> value kind, read from ``Profile`` itself (nested groups as ``constraints.x``)."""
    columns: dict[str, str] = {}
    for name, info in Profile.model_fields.items():
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            for sub, sub_info in nested.model_fields.items():
                columns[f"{name}.{sub}"] = _kind(sub_info.annotation)
        else:
            columns[name] = _kind(nested)
    return columns


PROFILE_COLUMNS = _profile_columns()
CASE_COLUMNS = tuple(name for name in CaseImportRecord.model_fields if name != "profile")
CSV_COLUMNS = (*CASE_COLUMNS, *PROFILE_COLUMNS)


def _cell(value: str, kind: str) -> Any:
    """A CSV cell as the type the profile wants; a cell that fits no type stays text for pydantic to name."""
    if kind == "list":
        return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
    if kind == "bool":
        word = value.lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else value
    if kind == "int" and _INT.fullmatch(value):
        return int(value)
    return value


@dataclass(frozen=True)
class _Column:
    """Where a CSV column's value goes: a case field (*group* None), a profile field or a nested one."""

    name: str
    group: str | None
    leaf: str
    kind: str


def _plan_columns(header: list[str]) -> list[_Column]:
    """Each header column's destination, worked out once per file rather than once per cell."""
    plan = []
    for name in header:
        if name in PROFILE_COLUMNS:
            group, _dot, leaf = name.rpartition(".")
            plan.append(_Column(name, group, leaf, PROFILE_COLUMNS[name]))
        else:
            plan.append(_Column(name, None, name, "str"))
    return plan


def _csv_record(plan: list[_Column], values: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    profile: dict[str, Any] = {}
    for column, raw in zip(plan, values, strict=False):
        value = raw.strip()
        if not value:
            continue
        if column.group is None:
            record[column.leaf] = value
        else:
            target = profile.setdefault(column.group, {}) if column.group else profile
            target[column.leaf] = _cell(value, column.kind)
    if profile:
        record["profile"] = profile
    return record


def _decode(data: bytes) -> str | LineProblem:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return LineProblem(line, "", NOT_UTF8)


def _read_csv(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[LineProblem]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _csv_rows(reader)
    except csv.Error:  # a NUL byte or a cell over the csv module's size limit: no CSV text
        return [], [LineProblem(reader.line_num or 1, "", NOT_CSV)]


def _csv_rows(reader: Any) -> tuple[list[tuple[int, dict[str, Any]]], list[LineProblem]]:
    header = [name.strip() for name in next(reader, [])]
    problems = [LineProblem(1, name, UNKNOWN_COLUMN, {"column": name}) for name in header if name not in CSV_COLUMNS]
    if "external_id" not in header:
        problems.append(LineProblem(1, "external_id", MISSING_COLUMN, {"column": "external_id"}))
    plan = _plan_columns(header)
    records = []
    start = reader.line_num + 1
    for values in reader:
        if len(values) > len(header):
            problems.append(LineProblem(start, "", EXTRA_VALUES))
        if any(value.strip() for value in values):
            records.append((start, _csv_record(plan, values)))
        start = reader.line_num + 1
    return records, problems


def _read_jsonl(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[LineProblem]]:
    records, problems = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):  # RecursionError: nested deeper than any case
            value = None
        if isinstance(value, dict):
            records.append((number, value))
        else:
            problems.append(LineProblem(number, "", NOT_JSON))
    return records, problems


def read_batch(data: bytes, fmt: Format, *,
               max_cases: int | None = None) -> tuple[list[tuple[int, dict[str, Any]]], list[LineProblem]]:
    """The batch's records as (line number, raw record), and the lines that could not be read.

    Raises
    ------
    CaseImportError
        The batch is not UTF-8 text (nothing else can be read then).
    BatchTooLarge
        More than *max_cases* records.
    """
    text = _decode(data)
    if isinstance(text, LineProblem):
        raise _fail(CaseImportError, [text])
    records, problems = _read_csv(text) if fmt == "csv" else _read_jsonl(text)
    if max_cases is not None and len(records) > max_cases:
        raise _fail(BatchTooLarge, [LineProblem(records[max_cases][0], "", TOO_MANY,
                                                {"given": str(len(records)), "allowed": str(max_cases)})])
    if not records and not problems:
        problems.append(LineProblem(1, "", EMPTY_BATCH))
    return records, problems


# --- checking ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """A checked line: the record, its Jobcenter, its counsellor's account id and the line's digest."""

    line: int
    record: CaseImportRecord
    jobcenter_id: int
    counsellor_id: int | None
    digest: str


def _field_name(loc: Iterable[Any], fmt: Format) -> str:
    path = [str(part) for part in loc if not isinstance(part, int)]
    if fmt == "csv" and path[:1] == ["profile"]:
        path = path[1:]
    return ".".join(path)


def _validate(records: list[tuple[int, dict[str, Any]]], fmt: Format,
              default_jobcenter: str | None) -> tuple[list[tuple[int, CaseImportRecord]], list[LineProblem]]:
    valid, problems = [], []
    for number, raw in records:
        try:
            record = CaseImportRecord.model_validate(raw)
        except ValidationError as exc:
            for error in exc.errors():
                plain: dict[str, Any] = {"type": error["type"], "loc": list(error["loc"]), "msg": error["msg"],
                                         "ctx": {key: str(value) for key, value in (error.get("ctx") or {}).items()}}
                problems.append(LineProblem(number, _field_name(error["loc"], fmt), str(error["msg"]),
                                            validation=plain))
            continue
        if record.consent is not None and record.consent_at is None:
            problems.append(LineProblem(number, "consent_at", CONSENT_WITHOUT_TIME))
        elif record.consent is None and record.consent_at is not None:
            problems.append(LineProblem(number, "consent", TIME_WITHOUT_CONSENT))
        elif record.consent_at is not None and record.consent_at > utcnow():
            problems.append(LineProblem(number, "consent_at", CONSENT_IN_FUTURE))
        if record.jobcenter is None and default_jobcenter is not None:
            record = record.model_copy(update={"jobcenter": default_jobcenter})
        valid.append((number, record))
    return valid, problems


def _jobcenters(session: Session, codes: set[str]) -> dict[str, int]:
    rows = session.exec(select(Jobcenter.code, Jobcenter.id).where(col(Jobcenter.code).in_(codes))).all()
    return {code: jobcenter_id for code, jobcenter_id in rows if jobcenter_id is not None}


def _counsellors(session: Session, names: set[str]) -> dict[tuple[int, str], int]:
    rows = session.exec(select(UserAccount.jobcenter_id, UserAccount.username, UserAccount.id).where(
        col(UserAccount.username).in_(names), UserAccount.is_active == True,  # noqa: E712
        col(UserAccount.role).in_([role.value for role in CLAIM_ROLES]))).all()
    return {(jobcenter_id, name): user_id for jobcenter_id, name, user_id in rows if user_id is not None}


def _duplicates(records: list[tuple[int, dict[str, Any]]], default_jobcenter: str | None) -> list[LineProblem]:
    """Case numbers sent twice for one Jobcenter, found on the raw lines so that no other problem hides them."""
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for number, raw in records:
        external_id = str(raw.get("external_id") or "").strip()
        if not external_id:
            continue
        key = (str(raw.get("jobcenter") or default_jobcenter or "").strip(), external_id)
        if key in seen:
            problems.append(LineProblem(number, "external_id", DUPLICATE_ID,
                                        {"external_id": external_id, "first": str(seen[key])}))
        else:
            seen[key] = number
    return problems


def _text(raw: dict[str, Any], key: str, default: str | None = None) -> str | None:
    value = raw.get(key)
    return (value.strip() if isinstance(value, str) else None) or default


def check_lines(session: Session, records: list[tuple[int, dict[str, Any]]], fmt: Format, *,
                unread: list[LineProblem] | None = None, default_jobcenter: str | None = None,
                only_jobcenter: str | None = None) -> list[CaseLine]:
    """Validate every record against the schema and the database; raise with all problems, or return the lines.

    *unread* are the problems :func:`read_batch` found, reported together with these. *only_jobcenter*
    (an API token's Jobcenter code) refuses lines of any other existing Jobcenter with
    :class:`CaseImportForbidden`, before any other problem is reported. Jobcenter, counsellor and
    duplicates are checked on every line, also on one whose other fields are wrong.
    """
    jobcenters = _jobcenters(session, {code for _n, raw in records if (code := _text(raw, "jobcenter",
                                                                                        default_jobcenter))})
    if only_jobcenter is not None:
        foreign = [LineProblem(number, "jobcenter", OTHER_JOBCENTER, {"code": code}) for number, raw in records
                   if (code := _text(raw, "jobcenter")) in jobcenters and code != only_jobcenter]
        if foreign:
            raise _fail(CaseImportForbidden, foreign)
    valid, problems = _validate(records, fmt, default_jobcenter)
    problems += (unread or []) + _duplicates(records, default_jobcenter)
    counsellors = _counsellors(session, {name for _n, raw in records if (name := _text(raw, "counsellor"))})
    for number, raw in records:
        code = _text(raw, "jobcenter", default_jobcenter)
        if code is None:
            problems.append(LineProblem(number, "jobcenter", NO_JOBCENTER))
        elif code not in jobcenters:
            problems.append(LineProblem(number, "jobcenter", UNKNOWN_JOBCENTER, {"code": code}))
        elif (name := _text(raw, "counsellor")) is not None and (jobcenters[code], name) not in counsellors:
            problems.append(LineProblem(number, "counsellor", UNKNOWN_COUNSELLOR, {"name": name, "code": code}))
    if problems:
        raise _fail(CaseImportError, sorted(problems, key=lambda p: p.line))
    lines = []
    for number, record in valid:
        jobcenter_id = jobcenters[str(record.jobcenter)]
        counsellor_id = counsellors.get((jobcenter_id, record.counsellor)) if record.counsellor else None
        # pydantic's serializer writes fields in the schema's order, so equal lines give equal digests.
        digest = hashlib.sha256(record.model_dump_json(exclude_unset=True).encode("utf-8")
                                + b"\x00" + str(record.jobcenter).encode("utf-8")).hexdigest()
        lines.append(CaseLine(number, record, jobcenter_id, counsellor_id, digest))
    return lines


# --- writing -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What the batch did: counts per outcome, and the event that records it."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    erased: int = 0
    event_id: int | None = None
    actions: list[tuple[str, str, str]] = field(default_factory=list)  # (external id, pseudonym, action)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.erased


Progress = Callable[[int, int], None]


def _chunks(items: list[Any], size: int = _CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass(frozen=True)
class _Known:
    mapping_id: int
    job_seeker_id: int
    pseudonym: str
    line_sha256: str
    erased: bool


def _known_cases(session: Session, lines: list[CaseLine]) -> dict[tuple[int, str], _Known]:
    known: dict[tuple[int, str], _Known] = {}
    by_jobcenter: dict[int, list[str]] = {}
    for line in lines:
        by_jobcenter.setdefault(line.jobcenter_id, []).append(line.record.external_id)
    for jobcenter_id, external_ids in by_jobcenter.items():
        for chunk in _chunks(external_ids):
            rows = session.execute(
                core_select(col(ExternalCase.external_id), col(ExternalCase.id), col(ExternalCase.job_seeker_id),
                            col(JobSeeker.pseudonym), col(ExternalCase.line_sha256), col(JobSeeker.erased_at))
                .join(JobSeeker, col(JobSeeker.id) == col(ExternalCase.job_seeker_id))
                .where(col(ExternalCase.jobcenter_id) == jobcenter_id, col(ExternalCase.external_id).in_(chunk))).all()
            for external_id, mapping_id, seeker_id, pseudonym, digest, erased_at in rows:
                known[(jobcenter_id, external_id)] = _Known(mapping_id, seeker_id, pseudonym, digest,
                                                            erased_at is not None)
    return known


def _table(model: type[SQLModel]) -> Table:
    return model.__table__  # type: ignore[attr-defined]


def _ids_of(session: Session, pseudonyms: list[str]) -> list[int]:
    """Row ids of the cases just inserted, in the order of *pseudonyms*.

    Read back by pseudonym rather than with RETURNING: SQLite answers an ordered RETURNING one
    row per statement, which made the insert ten times slower.
    """
    found: dict[str, int] = {}
    for chunk in _chunks(pseudonyms):
        rows = session.execute(core_select(col(JobSeeker.pseudonym), col(JobSeeker.id))
                               .where(col(JobSeeker.pseudonym).in_(chunk))).all()
        found.update((pseudonym, seeker_id) for pseudonym, seeker_id in rows)
    return [found[pseudonym] for pseudonym in pseudonyms]


def _snapshot_insert(dialect: str) -> Insert:
    """Insert snapshots whose payload is already canonical JSON text (the text their sha256 is taken of).

    Serialising each payload once instead of twice (hash, then column) is the largest saving of
    the bulk path. SQLite stores the text as it is (its JSON column is text); PostgreSQL casts it.
    """
    table = _table(ProfileSnapshot)
    payload = bindparam("payload", type_=Text)
    return table.insert().values(job_seeker_id=bindparam("job_seeker_id"), sha256=bindparam("sha256"),
                                 created_at=bindparam("created_at", type_=UtcDateTime),
                                 payload=cast(payload, JSON) if dialect == "postgresql" else payload)


def _create(session: Session, lines: list[CaseLine], result: ImportResult, progress: Progress | None,
            done: int, total: int) -> None:
    """Insert new cases table by table: one multi-row insert each, pseudonyms made up front."""
    now = utcnow()
    for chunk in _chunks(lines, 2000):
        pseudonyms = [new_id() for _line in chunk]
        seekers = [{"pseudonym": pseudonym, "jobcenter_id": line.jobcenter_id, "objection_active": False,
                    "locale": line.record.locale or "de", "created_at": now, "last_activity_at": now}
                   for pseudonym, line in zip(pseudonyms, chunk, strict=True)]
        connection = session.connection()
        connection.execute(_table(JobSeeker).insert(), seekers)
        ids = _ids_of(session, pseudonyms)
        snapshots, assignments, consents, mappings = [], [], [], []
        for seeker_id, pseudonym, line in zip(ids, pseudonyms, chunk, strict=True):
            record = line.record
            if "profile" in record.model_fields_set:
                text = canonical_json(record.profile.model_dump(mode="json"))
                snapshots.append({"job_seeker_id": seeker_id, "payload": text,
                                  "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "created_at": now})
            if line.counsellor_id is not None:
                assignments.append({"job_seeker_id": seeker_id, "counsellor_id": line.counsellor_id,
                                    "assigned_at": now})
            if record.consent == "given" and record.consent_at is not None:
                consents.append({"job_seeker_id": seeker_id, "given_at": record.consent_at, "revoked_at": None,
                                 "source": "case_management", "text_version": IMPORT_CONSENT_TEXT})
            mappings.append({"jobcenter_id": line.jobcenter_id, "external_id": record.external_id,
                             "job_seeker_id": seeker_id, "line_sha256": line.digest, "created_at": now,
                             "updated_at": now})
            result.actions.append((record.external_id, pseudonym, "created"))
        if snapshots:
            connection.execute(_snapshot_insert(connection.dialect.name), snapshots)
        for table, rows in ((CaseAssignment, assignments), (HandoffConsent, consents), (ExternalCase, mappings)):
            if rows:
                connection.execute(_table(table).insert(), rows)
        result.created += len(chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)


def _latest_profiles(session: Session, seeker_ids: list[int]) -> dict[int, dict[str, Any]]:
    newest = (select(func.max(ProfileSnapshot.id)).where(col(ProfileSnapshot.job_seeker_id).in_(seeker_ids))
              .group_by(col(ProfileSnapshot.job_seeker_id)))
    rows = session.exec(select(ProfileSnapshot.job_seeker_id, ProfileSnapshot.payload)
                        .where(col(ProfileSnapshot.id).in_(newest))).all()
    return {seeker_id: dict(payload) for seeker_id, payload in rows}


def _flat_answers(record: CaseImportRecord) -> dict[str, Any]:
    """The profile fields the line gives, as the dotted keys ``journey.merge_answers`` applies."""
    given = record.profile.model_dump(mode="json", exclude_unset=True)
    flat: dict[str, Any] = {}
    for key, value in given.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{sub}": sub_value for sub, sub_value in value.items()})
        else:
            flat[key] = value
    return flat


def _profile_change(line: CaseLine, stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The new snapshot payload if the line changes the profile, else None."""
    if "profile" not in line.record.model_fields_set:
        return None
    try:
        before = Profile.model_validate(stored) if stored is not None else None
    except ValidationError:
        before = None  # a tombstoned payload: the line starts the profile again
    after = Profile.model_validate(merge_answers(before or Profile(), _flat_answers(line.record)))
    return after.model_dump(mode="json") if after != before else None


def _latest_consents(session: Session, seeker_ids: list[int]) -> dict[int, HandoffConsent]:
    """Each case's most recent consent row (by the time it was given), read for a whole chunk at once."""
    rows = session.exec(select(HandoffConsent).where(col(HandoffConsent.job_seeker_id).in_(seeker_ids))
                        .order_by(col(HandoffConsent.given_at), col(HandoffConsent.id))).all()
    return {row.job_seeker_id: row for row in rows}  # later rows overwrite earlier ones


def _consent_change(session: Session, line: CaseLine, seeker_id: int, latest: HandoffConsent | None) -> bool:
    """Apply the line's consent if it is newer than what the case holds; True if something changed."""
    record = line.record
    if record.consent is None or record.consent_at is None:
        return False
    last_change = None if latest is None else (latest.revoked_at or latest.given_at)
    if last_change is not None and record.consent_at <= last_change:
        return False  # the case already holds this or a later decision of the person
    if record.consent == "given" and (latest is None or latest.revoked_at is not None):
        session.add(HandoffConsent(job_seeker_id=seeker_id, given_at=record.consent_at, source="case_management",
                                   text_version=IMPORT_CONSENT_TEXT))
        return True
    if record.consent == "revoked" and latest is not None and latest.revoked_at is None:
        latest.revoked_at = record.consent_at
        session.add(latest)
        return True
    return False


_MAPPING_UPDATE = (update(ExternalCase).where(col(ExternalCase.id) == bindparam("mapping_id"))
                   .values(line_sha256=bindparam("digest"), updated_at=bindparam("now", type_=UtcDateTime)))


def _update(session: Session, lines: list[tuple[CaseLine, _Known]], result: ImportResult) -> None:
    """Apply changed lines to known cases, field by field; a line that changes nothing counts as unchanged.

    Reads are made per chunk and new snapshots and mapping digests written with one statement
    each; reassignments, languages and consents are rare and go row by row.
    """
    now = utcnow()
    connection = session.connection()
    for chunk in _chunks(lines):
        seeker_ids = [known.job_seeker_id for _line, known in chunk]
        profiles = _latest_profiles(session, seeker_ids)
        consents = _latest_consents(session, seeker_ids)
        current = dict(session.exec(select(CaseAssignment.job_seeker_id, CaseAssignment.counsellor_id).where(
            col(CaseAssignment.job_seeker_id).in_(seeker_ids), col(CaseAssignment.ended_at).is_(None))).all())
        seekers = {s.id: s for s in session.exec(select(JobSeeker).where(col(JobSeeker.id).in_(seeker_ids))).all()}
        snapshots, digests = [], []
        for line, known in chunk:
            seeker_id = known.job_seeker_id
            changed = False
            payload = _profile_change(line, profiles.get(seeker_id))
            if payload is not None:
                text = canonical_json(payload)
                snapshots.append({"job_seeker_id": seeker_id, "payload": text,
                                  "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(), "created_at": now})
                changed = True
            if line.counsellor_id is not None and current.get(seeker_id) != line.counsellor_id:
                session.execute(update(CaseAssignment).where(
                    col(CaseAssignment.job_seeker_id) == seeker_id, col(CaseAssignment.ended_at).is_(None))
                    .values(ended_at=now))
                session.add(CaseAssignment(job_seeker_id=seeker_id, counsellor_id=line.counsellor_id,
                                           assigned_at=now))
                changed = True
            seeker = seekers[seeker_id]
            if line.record.locale is not None and seeker.locale != line.record.locale:
                seeker.locale = line.record.locale
                session.add(seeker)
                changed = True
            changed = _consent_change(session, line, seeker_id, consents.get(seeker_id)) or changed
            if changed:
                digests.append({"mapping_id": known.mapping_id, "digest": line.digest, "now": now})
                result.updated += 1
            else:
                result.unchanged += 1
            result.actions.append((line.record.external_id, known.pseudonym, "updated" if changed else "unchanged"))
        if snapshots:
            connection.execute(_snapshot_insert(connection.dialect.name), snapshots)
        if digests:
            connection.execute(_MAPPING_UPDATE, digests)
    session.flush()


def _serialise_imports(session: Session) -> None:
    """One import at a time, so two batches naming the same new case number cannot both create it.

    SQLite's ``BEGIN IMMEDIATE`` (``models.db``) already serialises writers; PostgreSQL takes a
    transaction-scoped advisory lock. The second batch then finds the first one's cases: unchanged.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK_KEY})


def import_cases(session: Session, lines: list[CaseLine], *, batch_sha256: str, actor_role: str,
                 actor_id: str | None, progress: Progress | None = None) -> ImportResult:
    """Write checked *lines* in the caller's transaction and log one ``cases_imported`` event.

    A case erased at the person's request is never re-created or changed by an import; such
    lines are counted as ``erased``.
    """
    _serialise_imports(session)
    known = _known_cases(session, lines)
    result = ImportResult()
    new, changed = [], []
    for line in lines:
        case = known.get((line.jobcenter_id, line.record.external_id))
        if case is None:
            new.append(line)
        elif case.erased:
            result.erased += 1
            result.actions.append((line.record.external_id, case.pseudonym, "erased"))
        elif case.line_sha256 == line.digest:
            result.unchanged += 1
            result.actions.append((line.record.external_id, case.pseudonym, "unchanged"))
        else:
            changed.append((line, case))
    total = len(lines)
    if progress is not None:
        progress(total - len(new) - len(changed), total)
    _update(session, changed, result)
    _create(session, new, result, progress, total - len(new), total)
    codes = sorted({line.record.jobcenter for line in lines if line.record.jobcenter})
    event = append_event(
        session, event_type=EventType.cases_imported, actor_role=actor_role, actor_id=actor_id, action="import",
        outputs={"jobcenters": codes, "lines": len(lines), "created": result.created, "updated": result.updated,
                 "unchanged": result.unchanged, "erased": result.erased, "batch_sha256": batch_sha256,
                 # Which case got which outcome, as one digest: provable later, readable by nobody.
                 "cases_sha256": sha256_hex(sorted([pseudonym, action] for _e, pseudonym, action in result.actions))})
    result.event_id = event.id
    return result


def import_batch(session: Session, data: bytes, fmt: Format, *, actor_role: str, actor_id: str | None,
                 default_jobcenter: str | None = None, only_jobcenter: str | None = None,
                 max_cases: int | None = None, progress: Progress | None = None) -> ImportResult:
    """Read, check and write one batch, all or nothing (the caller's transaction commits or rolls back)."""
    records, unread = read_batch(data, fmt, max_cases=max_cases)
    lines = check_lines(session, records, fmt, unread=unread, default_jobcenter=default_jobcenter,
                        only_jobcenter=only_jobcenter)
    return import_cases(session, lines, batch_sha256=hashlib.sha256(data).hexdigest(),
                        actor_role=actor_role, actor_id=actor_id, progress=progress)
