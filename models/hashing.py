"""Canonical JSON and SHA-256, shared by profile snapshots and the event-log chain.

Canonical means: keys sorted, no insignificant whitespace, UTF-8, so the same content
always gives the same hash on every machine and database.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__} in canonical JSON")


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def sha256_hex(value: Any) -> str:
    """SHA-256 of the canonical JSON of *value*, as 64 hex characters."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
