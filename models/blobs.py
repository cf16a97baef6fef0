"""Content-addressed shared JSON (``stored_blob``, issue 16): stored once, referred to by digest.

Many decisions repeat the same large values (a catalogue version's rules and fixed texts); a
row keeps only the SHA-256 of the canonical JSON and the body is stored once. A body is keyed
by its own digest, so it can be cached without invalidation and its integrity is checked by
re-hashing (:func:`blob_problems`, run by ``lotse audit verify``). Bodies never hold personal
data: erasure (GDPR Art 17) has nothing to remove here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from models.hashing import freeze, sha256_hex
from models.tables import Decision, StoredBlob

_TABLE = StoredBlob.__table__  # type: ignore[attr-defined]
_BODY = select(_TABLE.c.body)
# Bodies already read or written by this process, by digest: a digest names one body forever.
_CACHE: dict[str, dict[str, Any]] = {}
BLOB_CHANGED = "stored_blob {digest} does not match its digest: the shared record was edited"
BLOB_MISSING = "decision {decision_id} refers to stored_blob {digest}, which is missing"


def blob_digest(body: dict[str, Any]) -> str:
    return sha256_hex(body)


def remember(body: dict[str, Any]) -> str:
    """Cache *body* under its digest (the decision path builds it before writing) and return the digest.

    *body* must not change afterwards: its canonical JSON is kept (``freeze``), so storing it
    with every decision does not serialise it again.
    """
    digest = blob_digest(freeze(body))
    _CACHE.setdefault(digest, body)
    return digest


# Built once per dialect (docs/decision-path.md, "Statements built once").
_PUT = {name: insert(_TABLE).on_conflict_do_nothing(index_elements=["digest"])
        for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


def put_blob(connection: Connection, *, digest: str, kind: str, body: dict[str, Any]) -> None:
    """Store *body* under *digest* unless it is there already (one statement, no read first)."""
    connection.execute(_PUT[connection.dialect.name], {"digest": digest, "kind": kind, "body": body})


def blob_body(connection: Connection, digest: str) -> dict[str, Any] | None:
    """The body stored under *digest* (cached), or None if there is none."""
    body = _CACHE.get(digest)
    if body is None:
        body = connection.execute(_BODY.where(_TABLE.c.digest == digest)).scalar()
        if body is not None:
            _CACHE[digest] = body
    return body


def blob_problems(connection: Connection) -> Iterator[str]:
    """Every stored body that no longer hashes to its key, and every decision whose blob is gone.

    Read from the database, never from the cache: this is what catches an edited shared record.
    """
    for digest, body in connection.execute(select(_TABLE.c.digest, _TABLE.c.body).order_by(_TABLE.c.digest)):
        if blob_digest(body) != digest:
            yield BLOB_CHANGED.format(digest=digest)
    decisions = Decision.__table__  # type: ignore[attr-defined]
    orphans = (select(decisions.c.id, decisions.c.record_digest)
               .where(decisions.c.record_digest.is_not(None))
               .where(decisions.c.record_digest.not_in(select(_TABLE.c.digest))))
    for decision_id, digest in connection.execute(orphans):
        yield BLOB_MISSING.format(decision_id=decision_id, digest=digest)
