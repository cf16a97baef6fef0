"""Shared FastAPI dependencies as ``Annotated`` aliases (``SessionDep``, ``SettingsDep``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.settings import Settings
from models.audit_store import create_audit_schema, make_audit_engine
from models.db import is_sqlite, session_scope
from models.errors import LotseError
from models.tables import MAX_ROW_ID


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: committed when the route returns, rolled back on error.

    Used with ``scope="function"``: the commit happens before the response is sent, so nobody is
    told "saved" (e.g. a decision id) for something a failed commit then lost. A domain error that
    carries a trace (``commit_trace``, e.g. a refused case access) commits that trace first.
    """
    with session_scope(request.app.state.engine) as session:
        try:
            yield session
        except LotseError as exc:
            if exc.commit_trace:
                session.commit()
            raise


@contextmanager
def write_session(request: Request) -> Iterator[Session]:
    """A short write transaction, in arrival order among this process's writers (issue 16).

    For routes that compute in a read session and then only insert: the write lock (SQLite's
    ``BEGIN IMMEDIATE``, PostgreSQL's chain lock) is held for the inserts alone. On SQLite this
    process's writers queue in arrival order (``models.db.FairWriteLock``) instead of racing
    the busy handler; PostgreSQL queues waiters on its chain lock itself, so there the inserts
    before the event run side by side. Committed before the block's caller answers, so nothing
    acknowledged can be lost.
    """
    engine = request.app.state.engine
    queue = request.app.state.write_lock.held() if is_sqlite(engine) else nullcontext()
    with queue, session_scope(engine) as session:
        yield session


@contextmanager
def audit_store(settings: Settings) -> Iterator[Engine]:
    """The separate audit store (G3), opened for one write or erasure and closed again."""
    engine = make_audit_engine(settings.audit_database_url, app_url=settings.database_url)
    try:
        create_audit_schema(engine)
        yield engine
    finally:
        engine.dispose()


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

# An integer id in a path: at most what the databases store, so a huge number gets 422, never a 500.
RowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID, description="Numeric id")]
