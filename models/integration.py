"""Tables of the machine interfaces (issue 20): API tokens and the outbound feed's outbox.

- ``ApiToken`` is a credential of a Fachverfahren or citizen portal, bound to one Jobcenter
  with a set of scopes. Only the SHA-256 of the secret is stored: the token is 256 random
  bits, so a fast hash is enough (nothing to guess from it) and a lookup by hash is one index
  read. The first characters (``prefix``) are kept so an operator can tell tokens apart.
- ``FeedEntry`` is the transactional outbox: written in the same transaction as the change it
  reports (a counsellor's decision, a plan change, an outcome). ``seq`` is assigned under the
  event-log lock, which is held until commit, so entries become visible in ``seq`` order: a
  reader that sees ``seq`` N has already been able to see every smaller one. Rows are never
  deleted or renumbered (refused below): ``max(seq) + 1`` would hand out a deleted row's cursor
  again, and a client that had read it would skip the new entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, event, inspect
from sqlalchemy.orm import ORMExecuteState, Session
from sqlmodel import Field, SQLModel

from models.append_only import AppendOnlyError
from models.tables import UtcDateTime, new_id, utcnow

FEED_APPEND_ONLY = ("The feed outbox is append-only: its entries cannot be deleted or renumbered "
                    "(erasure empties their content only).")


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    jobcenter_id: int = Field(foreign_key="jobcenter.id", index=True)
    name: str = Field(max_length=100)
    # Space-separated, sorted (e.g. "cases:read feed:read").
    scopes: str = Field(max_length=200)
    token_sha256: str = Field(max_length=64, unique=True, index=True)
    prefix: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)


class FeedEntry(SQLModel, table=True):
    __tablename__ = "feed_entry"

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True, index=True))
    jobcenter_id: int = Field(foreign_key="jobcenter.id", index=True)
    kind: str = Field(max_length=32)
    case_pseudonym: str = Field(max_length=64)
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


@event.listens_for(Session, "before_flush")
def _refuse_feed_deletes(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(obj, FeedEntry) for obj in session.deleted):
        raise AppendOnlyError(FEED_APPEND_ONLY)
    if any(isinstance(obj, FeedEntry) and inspect(obj).attrs.seq.history.has_changes() for obj in session.dirty):
        raise AppendOnlyError(FEED_APPEND_ONLY)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_feed_deletes(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if state.is_delete and mapper is not None and mapper.class_ is FeedEntry:
        raise AppendOnlyError(FEED_APPEND_ONLY)
