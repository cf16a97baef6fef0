"""Canonical JSON and SHA-256, shared by profile snapshots and the event-log chain.

Canonical means: keys sorted, no insignificant whitespace, UTF-8, so the same content
always gives the same hash on every machine and database. :func:`jsonable` turns stored values
(dates, decimals, tuples) into plain JSON values for exports and API answers.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} in canonical JSON")


# Values declared unchanging (:func:`freeze`), by id, with their canonical JSON.
_FROZEN: dict[int, tuple[Any, str]] = {}
_MAX_FROZEN = 16


def canonical_json(value: Any) -> str:
    frozen = _FROZEN.get(id(value))
    if frozen is not None and frozen[0] is value:
        return frozen[1]
    return _dumps(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def freeze(value: Any) -> Any:
    """Keep *value*'s canonical JSON for as long as it is kept here; *value* must never change.

    For large values written with many rows (a catalogue's shared record, issue 16): each
    write would otherwise serialise it again. The last few are kept; older ones are serialised anew.
    """
    if len(_FROZEN) >= _MAX_FROZEN:
        _FROZEN.clear()
    _FROZEN[id(value)] = (value, _dumps(value))
    return value


def sha256_hex(value: Any) -> str:
    """SHA-256 of the canonical JSON of *value*, as 64 hex characters."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()


def jsonable(value: Any) -> Any:
    """*value* with dates as ISO strings, decimals as floats, tuples as lists and every key a string."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def utc_iso(moment: datetime) -> str:
    """A timestamp as hashed: UTC, microseconds, ``Z``. SQLite returns naive datetimes; Lotse writes UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
