"""The core domain tables.

Design notes that the law asks for (see ``docs/guardrails.md``):

- People are pseudonymous: a ``JobSeeker`` has a random pseudonym, no name is needed.
- Scores exist only per (decision, advice module) in ``DecisionItem``; no table carries a
  person-level score, segment or prognosis (G7).
- ``ProfileSnapshot`` rows are immutable: a changed profile is a new snapshot (G11 input hash).
- ``Event`` is the append-only, hash-chained decision log (G11). The repository layer
  refuses updates and deletes, and database triggers refuse them too.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Column, DateTime, Dialect, Index, TypeDecorator, UniqueConstraint
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

# Largest integer primary key both databases store (PostgreSQL INTEGER); larger ids are refused as input.
MAX_ROW_ID = 2**31 - 1


# Every Jobcenter Lotse serves is in Germany: its dates and times are German, whatever the server's zone.
JOBCENTER_TIMEZONE = ZoneInfo("Europe/Berlin")


def utcnow() -> datetime:
    return datetime.now(UTC)


def jobcenter_today() -> date:
    """Today's date in Germany. A server on UTC is still on yesterday for an hour or two after
    German midnight, when a job start entered as "today" would be refused as in the future."""
    return jobcenter_date(utcnow())


def jobcenter_date(moment: datetime) -> date:
    """The German date of a moment Lotse stored (in UTC; SQLite hands it back without a zone)."""
    return as_utc(moment).astimezone(JOBCENTER_TIMEZONE).date()


def as_utc(moment: datetime) -> datetime:
    """*moment* with a time zone: SQLite hands back naive datetimes, which Lotse always stores as UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp on every database: SQLite hands back naive values, this adds UTC.

    Lotse writes only UTC; without this, the same column read ``...Z`` on PostgreSQL and a
    zone-less time on SQLite, and JSON answers differed by database.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _ts(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, **kwargs)


class Role(StrEnum):
    job_seeker = "job_seeker"
    counsellor = "counsellor"
    team_lead = "team_lead"
    data_scientist = "data_scientist"
    admin = "admin"


class ReviewState(StrEnum):
    not_required = "not_required"
    pending_review = "pending_review"
    approved = "approved"
    edited = "edited"
    rejected = "rejected"
    # A newer decision of the case replaced the item before anyone reviewed it.
    superseded = "superseded"


# Items the job-seeker may see: no review needed, or a counsellor approved or edited them (G8).
VISIBLE_STATES = frozenset({ReviewState.not_required, ReviewState.approved, ReviewState.edited})


class Jobcenter(SQLModel, table=True):
    """A tenant: one installation may serve several Jobcenters (municipal IT providers do)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    created_at: datetime = _ts()


class Team(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    jobcenter_id: int = Field(foreign_key="jobcenter.id", index=True)
    name: str = Field(max_length=200)
    created_at: datetime = _ts()


class UserAccount(SQLModel, table=True):
    """A login: job-seeker, counsellor, team lead, data scientist or admin."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    jobcenter_id: int = Field(foreign_key="jobcenter.id", index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    username: str = Field(max_length=200, unique=True, index=True)
    password_hash: str = Field(max_length=500)
    role: str = Field(max_length=32, index=True)
    display_name: str = Field(default="", max_length=200)
    is_active: bool = True
    totp_secret: str | None = Field(default=None, max_length=64)
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    # Part of every session's stamp: raising it ends all sessions of the account at once
    # (sign-out, password change, disabling, an admin's "sign out everywhere").
    session_version: int = 0
    created_at: datetime = _ts()


class JobSeeker(SQLModel, table=True):
    """A case, known by a random pseudonym; personal data lives only in snapshots."""

    __tablename__ = "job_seeker"

    id: int | None = Field(default=None, primary_key=True)
    pseudonym: str = Field(default_factory=new_id, max_length=64, unique=True, index=True)
    jobcenter_id: int = Field(foreign_key="jobcenter.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    # GDPR Art 21: the person objected to AI-assisted advice -> rules baseline, no training.
    objection_active: bool = False
    locale: str = Field(default="de", max_length=8)
    notice_version_acknowledged: str | None = Field(default=None, max_length=32)
    erased_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    created_at: datetime = _ts()
    last_activity_at: datetime = _ts()


class CaseAssignment(SQLModel, table=True):
    """Which counsellor looks after which job-seeker; reassignment ends a row and adds one."""

    __tablename__ = "case_assignment"
    # One open assignment per case (migration 0011): the second of two simultaneous claims fails.
    __table_args__ = (Index("uq_case_assignment_open", "job_seeker_id", unique=True,
                            sqlite_where=sql_text("ended_at IS NULL"),
                            postgresql_where=sql_text("ended_at IS NULL")),)

    id: int | None = Field(default=None, primary_key=True)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    counsellor_id: int = Field(foreign_key="user_account.id", index=True)
    assigned_at: datetime = _ts()
    ended_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class ProfileSnapshot(SQLModel, table=True):
    """An immutable copy of a profile as it was when advice was computed."""

    __tablename__ = "profile_snapshot"

    id: int | None = Field(default=None, primary_key=True)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    sha256: str = Field(max_length=64, index=True)
    created_at: datetime = _ts()


class AdviceModule(SQLModel, table=True):
    """Reference copy of a catalogue module, so decisions can join on it."""

    __tablename__ = "advice_module"

    id: str = Field(primary_key=True, max_length=64)
    catalogue_version: str = Field(max_length=32)
    title_de: str = Field(max_length=300)
    title_en: str = Field(max_length=300)
    obstacle: str = Field(max_length=64)
    needs_counsellor_approval: bool = False
    legal_basis: str | None = Field(default=None, max_length=200)
    active: bool = True


class StoredBlob(SQLModel, table=True):
    """Content-addressed, shared JSON that many rows refer to by digest (issue 16), never personal data.

    ``digest`` is the SHA-256 of the canonical JSON of ``body``, so a row cannot be changed
    without ``lotse audit verify`` noticing; rows are never updated or deleted (triggers,
    migration ``0015_stored_blob``). Holds e.g. a catalogue version's rule list and fixed texts.
    """

    __tablename__ = "stored_blob"

    digest: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=32)
    body: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()


class Decision(SQLModel, table=True):
    """One recommendation request and how it was answered."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    snapshot_id: int = Field(foreign_key="profile_snapshot.id", index=True)
    # "model" (ML ranking) or "rules" (kill switch, objection, no active model).
    mode: str = Field(max_length=16)
    mode_reason: str | None = Field(default=None, max_length=64)
    model_version: str = Field(max_length=64)
    feature_set_version: str = Field(max_length=32)
    catalogue_version: str = Field(max_length=32)
    # The shared record (``stored_blob``) this decision's compact columns refer to: the catalogue
    # version's rules, fixed reason and diagnostic texts, feature and field names (issue 16,
    # ``recommender.decide.stored_form``, which packs and unpacks); None on decisions stored in full.
    # No foreign key (adding one rebuilds the table on SQLite): blobs are never deleted (triggers)
    # and ``lotse audit verify`` reports a decision whose record is missing.
    record_digest: str | None = Field(default=None, max_length=64)
    # Compact form (with ``record_digest``): the values in the order of the record's feature names.
    features: dict[str, Any] | list[Any] = Field(sa_column=Column(JSON, nullable=False))
    # Full form: one ``{rule_id, module_id, legal_basis, outcome}`` per rule checked; compact form
    # (with ``record_digest``): one integer per rule, ``4 * index in the record's rules + outcome``.
    guardrails: list[Any] = Field(sa_column=Column(JSON, nullable=False))
    diagnostic: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    # Profile fields whose absence limited the advice ("tell us X for better advice"); compact
    # form: their places in the record's field names.
    missing_fields: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    illustrative_market: bool = False
    exploration: bool = False
    created_at: datetime = _ts(index=True)


class DecisionItem(SQLModel, table=True):
    """One ranked advice within a decision; the score is per (person, module), internal only."""

    __tablename__ = "decision_item"
    __table_args__ = (UniqueConstraint("decision_id", "module_id"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    decision_id: str = Field(foreign_key="decision.id", index=True)
    module_id: str = Field(max_length=64, index=True)
    rank: int
    # Unused and always null since issue 17: it held the model's calibrated P(job within 6 months
    # | this advice), a prediction about the person (G7). Kept only so old databases migrate.
    score: float | None = None
    # Expected gain of this advice: P(job | advice) - P(job | no advice), the only model figure
    # ranking needs. A difference between advice options, not a rating of the person.
    uplift: float | None = None
    # Probability that this item was shown at this place under exploration (G16), for off-policy
    # evaluation; 1.0 when nothing was shuffled. Not about the person's chances.
    propensity: float = 1.0
    reasons: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    review_state: str = Field(max_length=32, index=True)
    # Optimistic locking for concurrent reviews: each review bumps the version.
    version: int = 1
    reviewed_by: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    review_reason: str | None = Field(default=None, max_length=2000)
    edited_text: str | None = Field(default=None, max_length=4000)
    due_date: date | None = None
    authored_by_counsellor: bool = False


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    decision_item_id: str = Field(foreign_key="decision_item.id", index=True)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    # helpful | not_helpful | not_possible
    kind: str = Field(max_length=32)
    comment: str | None = Field(default=None, max_length=2000)
    created_at: datetime = _ts()


class Outcome(SQLModel, table=True):
    """What happened after advice, e.g. a job found, for retraining."""

    id: int | None = Field(default=None, primary_key=True)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    # job_found | training_started | self_employed | other
    kind: str = Field(max_length=32)
    occurred_on: date
    reported_by: str = Field(default="job_seeker", max_length=32)
    created_at: datetime = _ts()


class Event(SQLModel, table=True):
    """The append-only, hash-chained decision log (G11).

    ``hash = SHA-256(canonical JSON of the event fields + prev_hash)``. Personal payloads are
    never stored here: only pseudonyms, hashes, module ids, rule ids and reasons.
    """

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = _ts(index=True)
    event_type: str = Field(max_length=48, index=True)
    case_pseudonym: str | None = Field(default=None, max_length=64, index=True)
    actor_role: str = Field(max_length=32)
    actor_id: str | None = Field(default=None, max_length=64)
    decision_id: str | None = Field(default=None, max_length=32, index=True)
    model_version: str | None = Field(default=None, max_length=64)
    feature_set_version: str | None = Field(default=None, max_length=32)
    input_hash: str | None = Field(default=None, max_length=64)
    outputs: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    guardrails: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    action: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=2000)
    ui_text_version: str | None = Field(default=None, max_length=32)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditCheckpoint(SQLModel, table=True):
    """A signed seal of the event-log head (issue 16): what an auditor checks the log against.

    ``signature`` is Ed25519 over the canonical JSON of the other fields; the private key lives
    outside the database (``LOTSE_CHECKPOINT_KEY``). Each seal links to the one before, so a
    removed seal shows as a gap; like events, rows are never updated or deleted.
    """

    __tablename__ = "audit_checkpoint"

    seq: int = Field(primary_key=True)
    created_at: datetime = _ts()
    event_count: int
    last_event_id: int
    head_hash: str = Field(max_length=64)
    prev_seal: str = Field(max_length=64)
    public_key: str = Field(max_length=64)
    signature: str = Field(max_length=128)


class SystemFlag(SQLModel, table=True):
    """Persisted global switches such as the AI kill switch (G9)."""

    __tablename__ = "system_flag"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=500)
    updated_at: datetime = _ts()
    updated_by: str | None = Field(default=None, max_length=64)
