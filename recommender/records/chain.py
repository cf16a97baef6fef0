"""The hash-chained decision log (G11): append events, verify the chain.

Each event stores ``prev_hash`` and ``hash = SHA-256(canonical JSON of its fields + prev_hash)``.
Editing, deleting, inserting or reordering rows breaks the chain at a point that
:func:`verify_chain` reports with its position.

Appends are serialised so that concurrent writers (several uvicorn workers) never fork the
chain: on PostgreSQL with a transaction-scoped advisory lock, on SQLite by the write lock
that ``BEGIN IMMEDIATE`` (see ``models.db``) takes at the start of every transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from models.errors import require_id
from models.hashing import sha256_hex
from models.tables import Event, utcnow
from recommender.errors import RecommenderError
from recommender.records.protected import find_protected_keys

GENESIS_HASH = "0" * 64
# Arbitrary constant key for pg_advisory_xact_lock: "LOTSEEVT" as an int64.
_CHAIN_LOCK_KEY = 0x4C4F545345455654 & 0x7FFFFFFFFFFFFFFF


class EventType(StrEnum):
    recommendation_generated = "recommendation_generated"
    explanation_shown = "explanation_shown"
    reviewer_approved = "reviewer_approved"
    reviewer_edited = "reviewer_edited"
    reviewer_rejected = "reviewer_rejected"
    client_viewed = "client_viewed"
    client_feedback = "client_feedback"
    client_outcome = "client_outcome"
    notice_acknowledged = "notice_acknowledged"
    objection_filed = "objection_filed"
    objection_withdrawn = "objection_withdrawn"
    model_trained = "model_trained"
    model_promoted = "model_promoted"
    model_rolled_back = "model_rolled_back"
    model_shadow_set = "model_shadow_set"
    kill_switch_on = "kill_switch_on"
    kill_switch_off = "kill_switch_off"
    data_exported = "data_exported"
    data_erased = "data_erased"
    payload_purged = "payload_purged"
    case_accessed = "case_accessed"
    case_reassigned = "case_reassigned"
    access_denied = "access_denied"
    user_created = "user_created"
    user_signed_in = "user_signed_in"
    user_disabled = "user_disabled"
    password_reset = "password_reset"
    sessions_ended = "sessions_ended"
    counsellor_advice_added = "counsellor_advice_added"
    case_mode_changed = "case_mode_changed"


# Events that record a human judgement must say why (G8, G9, G11).
REASON_REQUIRED = frozenset(
    {
        EventType.reviewer_approved,
        EventType.reviewer_edited,
        EventType.reviewer_rejected,
        EventType.kill_switch_on,
        EventType.kill_switch_off,
        EventType.model_rolled_back,
        EventType.case_reassigned,
    }
)

_HASHED_FIELDS = (
    "created_at",
    "event_type",
    "case_pseudonym",
    "actor_role",
    "actor_id",
    "decision_id",
    "model_version",
    "feature_set_version",
    "input_hash",
    "outputs",
    "guardrails",
    "action",
    "reason",
    "ui_text_version",
)

_UNKNOWN_TYPE = "Unknown event type {given!r}; allowed: {allowed}."
_REASON_MISSING = "Event {event_type!r} needs a reason."
_PROTECTED_IN_PAYLOAD = "Event payload contains protected attributes, which the log must never hold: {keys}."


class AuditError(RecommenderError, ValueError):
    """An event that must not be written (unknown type, missing reason, protected data).

    A fault in the calling code, not in what a person sent: answered 500, never with this message.
    """


def _iso(moment: datetime) -> str:
    # SQLite returns naive datetimes; everything Lotse writes is UTC.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def compute_hash(event: Event) -> str:
    """The hash an event must carry, given its fields and its ``prev_hash``."""
    fields: dict[str, Any] = {name: getattr(event, name) for name in _HASHED_FIELDS}
    fields["created_at"] = _iso(event.created_at)
    fields["prev_hash"] = event.prev_hash
    return sha256_hex(fields)


def _lock_chain(session: Session) -> None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def head_hash(session: Session) -> str:
    """The hash the next event links to; only that column is read (the events' payloads are large)."""
    newest = session.exec(select(Event.hash).order_by(col(Event.id).desc()).limit(1)).first()
    return newest or GENESIS_HASH


def append_event(
    session: Session,
    *,
    event_type: EventType | str,
    actor_role: str,
    actor_id: str | int | None = None,
    case_pseudonym: str | None = None,
    decision_id: str | None = None,
    model_version: str | None = None,
    feature_set_version: str | None = None,
    input_hash: str | None = None,
    outputs: dict[str, Any] | None = None,
    guardrails: list[dict[str, Any]] | None = None,
    action: str | None = None,
    reason: str | None = None,
    ui_text_version: str | None = None,
) -> Event:
    """Append one event to the chain inside the caller's transaction.

    The event becomes visible only when the caller commits, together with whatever it
    records; if the transaction fails, neither the event nor the recorded change remain.
    """
    try:
        kind = EventType(event_type)
    except ValueError:
        allowed = ", ".join(sorted(e.value for e in EventType))
        raise AuditError(_UNKNOWN_TYPE.format(given=event_type, allowed=allowed)) from None
    if kind in REASON_REQUIRED and not (reason and reason.strip()):
        raise AuditError(_REASON_MISSING.format(event_type=kind.value))
    protected = find_protected_keys({"outputs": outputs or {}, "guardrails": guardrails or []})
    if protected:
        raise AuditError(_PROTECTED_IN_PAYLOAD.format(keys=", ".join(protected)))
    _lock_chain(session)
    event = Event(
        created_at=utcnow(),
        event_type=kind.value,
        case_pseudonym=case_pseudonym,
        actor_role=actor_role,
        actor_id=None if actor_id is None else str(actor_id),
        decision_id=decision_id,
        model_version=model_version,
        feature_set_version=feature_set_version,
        input_hash=input_hash,
        outputs=outputs or {},
        guardrails=guardrails or [],
        action=action,
        reason=reason,
        ui_text_version=ui_text_version,
        prev_hash=head_hash(session),
        hash="",
    )
    event.hash = compute_hash(event)
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class BrokenLink:
    """Where the chain first breaks and how."""

    table: str
    event_id: int
    position: int
    problem: str
    expected: str
    found: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken: BrokenLink | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def verify_chain(session: Session, *, batch_size: int = 5000) -> ChainReport:
    """Walk the whole chain in id order; report the first broken link.

    A row whose content was edited no longer matches its own hash; a deleted, inserted or
    moved row breaks the ``prev_hash`` link of the row after it.
    """
    expected_prev = GENESIS_HASH
    position = 0
    last_id = 0
    while True:
        rows = session.exec(
            select(Event).where(col(Event.id) > last_id).order_by(col(Event.id)).limit(batch_size)
        ).all()
        if not rows:
            return ChainReport(checked=position, broken=None)
        for event in rows:
            position += 1
            event_id = require_id(event)
            if event.prev_hash != expected_prev:
                return ChainReport(
                    checked=position,
                    broken=BrokenLink("event", event_id, position, "prev_hash does not link to the previous event",
                                      expected_prev, event.prev_hash),
                )
            actual = compute_hash(event)
            if actual != event.hash:
                return ChainReport(
                    checked=position,
                    broken=BrokenLink("event", event_id, position, "content does not match its hash",
                                      actual, event.hash),
                )
            expected_prev = event.hash
            last_id = event_id
