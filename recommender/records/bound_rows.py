"""Bind the rows an event describes to the chain, and check them later (G11, issue 16).

The chain alone only proves the ``event`` rows: a changed ``decision_item.review_state``, a
rewritten ``profile_snapshot`` payload or ``decision.model_version`` went unnoticed. So an event
that records a decision or a review carries, in its hashed ``outputs["rows"]``, a digest pair
for each row it describes: ``[fixed, payload]``.

- *fixed* hashes the columns that never change after the event (ids, versions, the review
  state and who reviewed, the model version, ...);
- *payload* hashes the personal payloads that retention (``records.retention``) and erasure
  (``casework.data_rights``) may empty later. An emptied payload (``{"purged": true}``,
  ``{"erased": true}``, ``[]`` or ``None``) is accepted instead of the bound one; any other
  change is reported.

The item's ``due_date`` (set with a review, shown in the plan) stays outside the digest; the
job-seeker's own plan lives in ``plan_step``, which no event binds. A row changed by a logged action (a review) is bound
again by that action's event; :func:`row_problems` checks each row against its latest binding.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlmodel import col

from models.hashing import canonical_json, sha256_hex, utc_iso
from models.tables import Decision, DecisionItem, ProfileSnapshot

BINDING_KEY = "rows"
HEX_LENGTH = 64  # a digest of a binding written before issue 16
# What retention and erasure leave behind in a payload column.
EMPTIED: tuple[Any, ...] = (None, [], {"purged": True}, {"erased": True})
ROW_CHANGED = "{table} {row_id} does not match the digest its latest event {event_id} bound"
ROW_MISSING = "{table} {row_id}, bound by event {event_id}, is missing"
ROW_UNLOGGED = "decision {row_id} is newer than the last event: its events were cut off the log"


@dataclass(frozen=True)
class RowSpec:
    """Which columns of a table an event binds, split by whether retention may empty them."""

    model: type
    fixed: tuple[str, ...]
    payload: tuple[str, ...]
    # Fixed columns added after rows were first bound: hashed only when set, so older bindings hold.
    added: tuple[str, ...] = ()


SPECS: dict[str, RowSpec] = {
    "profile_snapshot": RowSpec(ProfileSnapshot, ("id", "job_seeker_id", "sha256", "created_at"), ("payload",)),
    "decision": RowSpec(
        Decision,
        ("id", "job_seeker_id", "snapshot_id", "mode", "mode_reason", "model_version", "feature_set_version",
         "catalogue_version", "guardrails", "missing_fields", "illustrative_market", "exploration", "created_at"),
        ("features", "diagnostic"),
        # The shared catalogue record the compact columns refer to (issue 16, ``models.blobs``).
        added=("record_digest",)),
    "decision_item": RowSpec(
        DecisionItem,
        ("id", "decision_id", "module_id", "rank", "score", "uplift", "propensity", "review_state", "version",
         "reviewed_by", "reviewed_at", "authored_by_counsellor"),
        ("reasons", "review_reason", "edited_text")),
}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_digest(table: str, row: Any, *, hex_digits: bool = False) -> list[str]:
    """``[fixed, payload]`` digests of *row* (an ORM object, a mapping or a result row).

    Each is the SHA-256 in unpadded URL-safe base64 (43 characters; issue 16: a third shorter
    than hex, the same hash); bindings written before are in hex, which *hex_digits* gives.
    """
    spec = SPECS[table]
    get = row.get if isinstance(row, Mapping) else (lambda name: getattr(row, name))
    fixed_values = {name: _plain(get(name)) for name in spec.fixed}
    fixed_values.update({name: get(name) for name in spec.added if get(name) is not None})
    payload_values = {name: _plain(get(name)) for name in spec.payload}
    encode = sha256_hex if hex_digits else _sha256_b64
    return [encode(fixed_values), encode(payload_values)]


def _sha256_b64(value: Any) -> str:
    raw = hashlib.sha256(canonical_json(value).encode("utf-8")).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def binding(**rows: Iterable[Any]) -> dict[str, dict[str, list[str]]]:
    """The ``outputs["rows"]`` value for an event: ``binding(decision=[d], decision_item=items)``."""
    return {table: {str(_get(row, "id")): row_digest(table, row) for row in group} for table, group in rows.items()}


def _get(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


@dataclass
class BoundRows:
    """The latest binding of every row seen in a chain walk: ``(table, id) -> (event id, digests)``."""

    latest: dict[tuple[str, str], tuple[int, list[str]]] = field(default_factory=dict)
    # When the newest walked event was written: a decision is always written before its event.
    last_event_at: datetime | None = None

    def add(self, event_id: int, outputs: Mapping[str, Any]) -> None:
        rows_of = outputs.get(BINDING_KEY) or {}
        for table, rows in rows_of.items():
            if table in SPECS:
                for row_id, digests in rows.items():
                    self.latest[(table, row_id)] = (event_id, digests)


def _emptied(row: Any, spec: RowSpec) -> bool:
    return all(_get(row, name) in EMPTIED for name in spec.payload)


def row_problems(session: Session, bound: BoundRows, *, batch_size: int = 2000) -> Iterator[str]:
    """Each bound row that no longer matches its latest binding, or is gone."""
    for table, spec in SPECS.items():
        wanted = {row_id: value for (name, row_id), value in bound.latest.items() if name == table}
        ids = sorted(wanted)
        key_type = int if table == "profile_snapshot" else str
        for start in range(0, len(ids), batch_size):
            chunk = ids[start:start + batch_size]
            id_column = spec.model.id  # type: ignore[attr-defined]
            wanted_ids = [key_type(i) for i in chunk]
            rows: Iterable[Any] = session.execute(select(spec.model).where(id_column.in_(wanted_ids))).scalars()
            found = {str(row.id): row for row in rows}
            for row_id in chunk:
                event_id, digests = wanted[row_id]
                row = found.get(row_id)
                if row is None:
                    yield ROW_MISSING.format(table=table, row_id=row_id, event_id=event_id)
                    continue
                fixed, payload = row_digest(table, row, hex_digits=len(digests[0]) == HEX_LENGTH)
                if fixed != digests[0] or (payload != digests[1] and not _emptied(row, spec)):
                    yield ROW_CHANGED.format(table=table, row_id=row_id, event_id=event_id)


def unlogged_decisions(session: Session, bound: BoundRows) -> Iterator[str]:
    """Decisions newer than the log's last event: their events were cut off (tail truncation).

    Every decision is written before its ``recommendation_generated`` event in one transaction,
    so none can be newer than the newest event unless events were removed (or all of them).
    """
    query = select(col(Decision.id)).order_by(col(Decision.created_at))
    if bound.last_event_at is not None:
        query = query.where(col(Decision.created_at) > bound.last_event_at)
    for (decision_id,) in session.execute(query):
        yield ROW_UNLOGGED.format(row_id=decision_id)
