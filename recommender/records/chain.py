"""The hash-chained decision log (G11): append events, verify the chain.

Each event stores ``prev_hash`` and ``hash = SHA-256(canonical JSON of its fields + prev_hash)``.
Editing, deleting, inserting or reordering rows breaks the chain at a point that
:func:`verify_chain` reports with its position.

Appends are serialised so that concurrent writers (several uvicorn workers) never fork the
chain: on PostgreSQL with a transaction-scoped advisory lock, on SQLite by the write lock
that ``BEGIN IMMEDIATE`` (see ``models.db``) takes at the start of every transaction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from json.encoder import encode_basestring
from types import SimpleNamespace
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import Text, cast, insert, text
from sqlmodel import Session, col, select

from models.blobs import blob_problems
from models.hashing import sha256_hex, utc_iso
from models.tables import Event, utcnow
from recommender.errors import RecommenderError
from recommender.records.bound_rows import BINDING_KEY, SPECS, BoundRows, row_problems, unlogged_decisions
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
    case_claimed = "case_claimed"
    review_superseded = "review_superseded"
    access_denied = "access_denied"
    user_created = "user_created"
    user_signed_in = "user_signed_in"
    user_disabled = "user_disabled"
    password_reset = "password_reset"
    sessions_ended = "sessions_ended"
    counsellor_advice_added = "counsellor_advice_added"
    case_mode_changed = "case_mode_changed"
    kpi_exported = "kpi_exported"
    kpi_imported = "kpi_imported"
    api_token_created = "api_token_created"
    api_token_revoked = "api_token_revoked"
    api_token_used = "api_token_used"
    cases_imported = "cases_imported"
    handoff_consent_given = "handoff_consent_given"
    handoff_consent_revoked = "handoff_consent_revoked"
    handoff_delivered = "handoff_delivered"


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
ID_NOT_POSITIVE = "event id is not positive: forged (the database refuses such ids)"
_UNKNOWN_BINDING = "An event can bind only rows of {known}; got {{tables}}.".format(known=", ".join(SPECS))
_PROTECTED_IN_PAYLOAD = "Event payload contains protected attributes, which the log must never hold: {keys}."


class AuditError(RecommenderError, ValueError):
    """An event that must not be written (unknown type, missing reason, protected data).

    A fault in the calling code, not in what a person sent: answered 500, never with this message.
    """


def compute_hash(event: Any) -> str:
    """The hash an event (an ``Event`` or a result row of its columns) must carry, given its ``prev_hash``."""
    fields: dict[str, Any] = {name: getattr(event, name) for name in _HASHED_FIELDS}
    fields["created_at"] = utc_iso(event.created_at)
    fields["prev_hash"] = event.prev_hash
    return sha256_hex(fields)


def lock_chain(session: Session) -> None:
    """Serialise with every other writer of the log until this transaction ends (see the module doc)."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})


def head_hash(session: Session) -> str:
    """The hash the next event links to; only that column is read (the events' payloads are large)."""
    return session.connection().execute(_HEAD).scalar() or GENESIS_HASH


class EventFields(TypedDict, total=False):
    """What a caller says about an event; the chain adds ``created_at``, ``prev_hash`` and ``hash``."""

    event_type: Required[EventType | str]
    actor_role: Required[str]
    actor_id: str | int | None
    case_pseudonym: str | None
    decision_id: str | None
    model_version: str | None
    feature_set_version: str | None
    input_hash: str | None
    outputs: dict[str, Any] | None
    guardrails: list[dict[str, Any]] | None
    action: str | None
    reason: str | None
    ui_text_version: str | None


def prepare_event(**fields: Unpack[EventFields]) -> dict[str, Any]:
    """Check an event (known type, a reason where one is required, no protected keys) and return its
    columns without ``created_at``, ``prev_hash`` and ``hash``, which only the write can fill in.

    The decision path checks its event before the write transaction (issue 16), so the write
    only links and inserts it (:func:`insert_event`).
    """
    unknown = fields.keys() - EventFields.__annotations__.keys()
    if unknown:  # as a misspelt keyword argument would
        raise TypeError(f"unknown event fields: {', '.join(sorted(unknown))}")
    event_type, reason = fields["event_type"], fields.get("reason")
    outputs, guardrails = fields.get("outputs") or {}, fields.get("guardrails") or []
    try:
        kind = EventType(event_type)
    except ValueError:
        allowed = ", ".join(sorted(e.value for e in EventType))
        raise AuditError(_UNKNOWN_TYPE.format(given=event_type, allowed=allowed)) from None
    if kind in REASON_REQUIRED and not (reason and reason.strip()):
        raise AuditError(_REASON_MISSING.format(event_type=kind.value))
    protected = find_protected_keys({"outputs": outputs, "guardrails": guardrails})
    if protected:
        raise AuditError(_PROTECTED_IN_PAYLOAD.format(keys=", ".join(protected)))
    actor_id = fields.get("actor_id")
    return {
        "event_type": kind.value, "case_pseudonym": fields.get("case_pseudonym"), "actor_role": fields["actor_role"],
        "actor_id": None if actor_id is None else str(actor_id), "decision_id": fields.get("decision_id"),
        "model_version": fields.get("model_version"), "feature_set_version": fields.get("feature_set_version"),
        "input_hash": fields.get("input_hash"), "outputs": outputs, "guardrails": guardrails,
        "action": fields.get("action"), "reason": reason, "ui_text_version": fields.get("ui_text_version"),
    }


def append_event(session: Session, **fields: Unpack[EventFields]) -> Event:
    """Append one event to the chain inside the caller's transaction.

    The event becomes visible only when the caller commits, together with whatever it
    records; if the transaction fails, neither the event nor the recorded change remain.
    """
    columns = prepare_event(**fields)
    lock_chain(session)
    event = Event(created_at=utcnow(), **columns, prev_hash=head_hash(session), hash="")
    event.hash = compute_hash(event)
    session.add(event)
    session.flush()
    return event


def insert_event(session: Session, columns: dict[str, Any], *,
                 bound: dict[str, dict[str, list[str]]] | None = None) -> tuple[int, str]:
    """Link and insert an event checked by :func:`prepare_event`; return its id and hash.

    This is all the decision path does under the chain lock: read the head, hash, one insert
    (no ORM object). *bound* is the ``binding`` of the rows the event describes, known only
    once they are inserted; its keys are table names and row ids, never payload keys.
    """
    outputs = columns["outputs"]
    if bound is not None:
        unknown = set(bound) - SPECS.keys()
        if unknown:
            raise AuditError(_UNKNOWN_BINDING.format(tables=", ".join(sorted(unknown))))
        outputs = {**outputs, BINDING_KEY: bound}
    lock_chain(session)
    connection = session.connection()
    newest = connection.execute(_HEAD).scalar()
    row = {**columns, "outputs": outputs, "created_at": utcnow(), "prev_hash": newest or GENESIS_HASH}
    row["hash"] = compute_hash(SimpleNamespace(**row))
    return int(connection.execute(_INSERT, row).scalar_one()), row["hash"]


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
    """The walk's result; *problems* are rows outside the chain that no longer match it."""

    checked: int
    broken: BrokenLink | None
    problems: tuple[str, ...] = ()
    head: ChainHead | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None and not self.problems


@dataclass(frozen=True)
class ChainHead:
    """The last event a walk reached: what a checkpoint seals and a later walk resumes from."""

    count: int
    last_id: int
    head_hash: str


_RAW_JSON = ("guardrails", "outputs")
_TABLE = Event.__table__  # type: ignore[attr-defined]
_HEAD = select(_TABLE.c.hash).order_by(_TABLE.c.id.desc()).limit(1)
_INSERT = insert(_TABLE).returning(_TABLE.c.id)
_COLUMNS = [_TABLE.c[name] for name in ("id", *_HASHED_FIELDS, "prev_hash", "hash") if name not in _RAW_JSON] + [
    cast(_TABLE.c[name], Text).label(name) for name in _RAW_JSON]
_NAMES = [column.name for column in _COLUMNS]
# (key as JSON, position in a result row, how to write the value), in the canonical key order.
_SPLICE = [(f'"{name}":', _NAMES.index(name),
            "raw" if name in _RAW_JSON else "time" if name == "created_at" else "text")
           for name in sorted((*_HASHED_FIELDS, "prev_hash"))]


def _spliced_hash(row: Any) -> str:
    """The event hash from the stored JSON text, without decoding it (issue 16: 1 M events <= 30 s).

    Lotse stores JSON canonically (``models.db`` serialises with ``canonical_json``), so the
    hashed document can be assembled from the stored text. Rows stored otherwise (before that)
    simply do not match here and are hashed the slow way by :func:`_row_hash`.
    """
    parts = []
    for key, index, kind in _SPLICE:
        value = row[index]
        if kind == "raw":
            parts.append(key + value)
        elif kind == "time":
            parts.append(key + '"' + utc_iso(value) + '"')
        elif value is None:
            parts.append(key + "null")
        else:
            parts.append(key + (encode_basestring(value) if isinstance(value, str) else json.dumps(value)))
    return hashlib.sha256(("{" + ",".join(parts) + "}").encode("utf-8")).hexdigest()


def _row_hash(row: Any) -> str:
    fast = _spliced_hash(row)
    if fast == row.hash:
        return fast
    decoded = {name: getattr(row, name) for name in ("created_at", *_HASHED_FIELDS, "prev_hash")}
    decoded.update({name: json.loads(getattr(row, name)) for name in _RAW_JSON})
    return compute_hash(SimpleNamespace(**decoded))


def verify_chain(session: Session, *, batch_size: int = 5000, start: ChainHead | None = None) -> ChainReport:
    """Walk the chain in id order from *start* (default: the first event); report the first broken link.

    A row whose content was edited no longer matches its own hash; a deleted, inserted or
    moved row breaks the ``prev_hash`` link of the row after it; an id <= 0 (which the
    database refuses since migration 0008) is reported as forged. The rows the walked events
    bind (decisions, their items, profile snapshots) are then checked against their latest
    binding (``records.bound_rows``), and every shared record (``stored_blob``) against its
    digest, which the decisions' bindings cover; decisions newer than the last event are
    reported too.
    """
    expected_prev = start.head_hash if start else GENESIS_HASH
    position = start.count if start else 0
    last_id = start.last_id if start else None
    bound = BoundRows()
    while True:
        query = select(*_COLUMNS).order_by(col(Event.id)).limit(batch_size)
        if last_id is not None:
            query = query.where(Event.id > last_id)  # type: ignore[operator]
        # Core rows, not ORM objects: the walk reads every event once and needs no identity map.
        rows = session.connection().execute(query).all()
        if not rows:
            break
        for event in rows:
            position += 1
            broken = _broken_link(event, position, expected_prev)
            if broken is not None:
                return ChainReport(checked=position, broken=broken)
            if f'"{BINDING_KEY}":' in event.outputs:
                bound.add(event.id, json.loads(event.outputs))
            bound.last_event_at = event.created_at
            expected_prev = event.hash
            last_id = event.id
    problems = [*row_problems(session, bound), *blob_problems(session.connection())]
    if start is None:
        problems += unlogged_decisions(session, bound)
    head = ChainHead(position, last_id, expected_prev) if last_id is not None else None
    return ChainReport(checked=position, broken=None, problems=tuple(problems), head=head)


def _broken_link(event: Any, position: int, expected_prev: str) -> BrokenLink | None:
    if event.id <= 0:
        return BrokenLink("event", event.id, position, ID_NOT_POSITIVE, "id > 0", str(event.id))
    if event.prev_hash != expected_prev:
        return BrokenLink("event", event.id, position, "prev_hash does not link to the previous event",
                          expected_prev, event.prev_hash)
    actual = _row_hash(event)
    if actual != event.hash:
        return BrokenLink("event", event.id, position, "content does not match its hash", actual, event.hash)
    return None
