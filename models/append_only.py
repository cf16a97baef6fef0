"""Refuse UPDATE and DELETE of event-log rows in the ORM (the database refuses them too).

The decision log is evidence (AI Act Art 12, GDPR accountability): a row, once written,
is never changed. Triggers created by migration ``0002`` enforce this in the database; this
listener gives a clear error earlier, before anything reaches the database.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from models.errors import LotseError
from models.tables import Event

APPEND_ONLY_MESSAGE = "The event log is append-only: events cannot be updated or deleted."


class AppendOnlyError(LotseError, RuntimeError):
    """Someone tried to change or remove a logged event."""


@event.listens_for(Session, "before_flush")
def _refuse_event_changes(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.deleted:
        if isinstance(obj, Event):
            raise AppendOnlyError(APPEND_ONLY_MESSAGE)
    for obj in session.dirty:
        if isinstance(obj, Event) and session.is_modified(obj):
            raise AppendOnlyError(APPEND_ONLY_MESSAGE)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_event_changes(state: ORMExecuteState) -> None:
    mapper = state.bind_mapper
    if (state.is_update or state.is_delete) and mapper is not None and mapper.class_ is Event:
        raise AppendOnlyError(APPEND_ONLY_MESSAGE)
