"""Engine and session factory for SQLite (embedded default) and PostgreSQL (production).

SQLite gets WAL, foreign keys, ``secure_delete`` (erased data is overwritten in the file,
GDPR Art 17) and ``BEGIN IMMEDIATE`` on every transaction: the event log is a hash chain,
and a deferred transaction that reads the chain head and then writes can fork it or fail
with "database is locked" when a second worker wrote in between. Taking the write lock at
``BEGIN`` serialises writers up front; WAL keeps readers unblocked. Work that only reads
uses :func:`read_session` (deferred), so a request computes without the write lock and
takes it only for its inserts, in arrival order (:class:`FairWriteLock`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, InvalidatePoolError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from models.errors import LotseError
from models.hashing import canonical_json

DEFAULT_DATABASE_URL = "sqlite:///var/lotse.db"
_READ_ONLY = "lotse_read_only"
# A pooled PostgreSQL connection idle this long is checked with a round trip before use.
PING_AFTER_IDLE_SECONDS = 2.0
_IDLE_SINCE = "lotse_idle_since"

_BAD_URL = (
    "LOTSE_DATABASE_URL is not a valid database URL: {url!r}. "
    "Use sqlite:///path/to/file.db or postgresql+psycopg://user@host:5432/dbname."
)
_UNSUPPORTED = "LOTSE_DATABASE_URL uses {backend!r}; Lotse supports only 'sqlite' and 'postgresql'."


class DatabaseURLError(LotseError, ValueError):
    """The configured database URL cannot be used."""


def normalise_database_url(url: str) -> str:
    """Return *url* in the form SQLAlchemy needs, or raise :class:`DatabaseURLError`.

    ``postgresql://`` and ``postgres://`` are rewritten to the psycopg 3 driver, since
    that is the only PostgreSQL driver Lotse installs.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseURLError(_BAD_URL.format(url=url)) from exc
    backend = parsed.drivername.split("+")[0]
    if backend in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    elif backend != "sqlite":
        raise DatabaseURLError(_UNSUPPORTED.format(backend=backend))
    if parsed.get_backend_name() == "postgresql" and not parsed.database:
        raise DatabaseURLError(_BAD_URL.format(url=url))
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str = DEFAULT_DATABASE_URL, *, schema: str | None = None) -> Engine:
    """Create an engine for *url*; *schema* pins PostgreSQL's search_path (used by tests).

    JSON columns are stored as canonical JSON (sorted keys, no spaces), the form the event log
    hashes, so ``audit verify`` can hash the stored text without decoding it.
    """
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                               json_serializer=canonical_json)
        _configure_sqlite(engine)
        return engine
    connect_args = {"options": f"-csearch_path={schema}"} if schema else {}
    engine = create_engine(url, connect_args=connect_args, json_serializer=canonical_json)
    _ping_idle_connections(engine)
    # Many rows in one INSERT ... VALUES statement, as SQLAlchemy does for psycopg2, instead of
    # psycopg's pipeline of one statement per row: a decision's items cost about half the CPU (issue 16).
    engine.dialect.use_insertmanyvalues_wo_returning = True
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """Check a pooled PostgreSQL connection with a round trip before use only when it has been idle.

    ``pool_pre_ping`` checks on every checkout, two per decision (issue 16). A connection given
    back moments ago is as good as the request that just used it; one idle for
    :data:`PING_AFTER_IDLE_SECONDS` may have been dropped by a restarted server or a firewall
    and is replaced, with every other connection of the pool, before a request sees it. A
    server restart under load fails the requests in flight; SQLAlchemy then renews the pool.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        idle_since = record.info.pop(_IDLE_SINCE, None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                # The server is gone for every pooled connection, not only this one: renew them all.
                raise InvalidatePoolError(str(error)) from error
            raise


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # In WAL mode NORMAL never corrupts the file; a power cut may lose the last commits.
        # FULL would fsync every commit, which costs more than the whole decision path.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Erased text must not linger in free pages of the file: overwrite deleted content with zeros.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session that only reads: on SQLite its transaction is deferred, so it never takes the
    write lock and never waits for a writer (WAL readers see the last commit). Writing in it is
    a programming error: SQLite's is rolled back at the end, PostgreSQL refuses it.

    On PostgreSQL the transaction is ``READ ONLY`` and ends with a commit, which for it is the
    same as a rollback: a ``ROLLBACK`` makes psycopg deallocate every prepared statement of the
    connection (one more round trip, and PostgreSQL parses and plans each statement again).
    """
    options: dict[str, bool] = {_READ_ONLY: True} if is_sqlite(engine) else {"postgresql_readonly": True}
    session = Session(engine.execution_options(**options), expire_on_commit=False)
    try:
        yield session
        release(session)
    finally:
        session.rollback()
        session.close()


def release(reader: Session) -> None:
    """End a :func:`read_session`'s transaction and give its connection back to the pool, e.g.
    before a short write takes one (a request never holds two); the session reopens on use."""
    if not is_sqlite(reader.get_bind()):
        reader.commit()
    reader.close()


class FairWriteLock:
    """First come, first served among one process's writers (issue 16).

    SQLite's busy handler lets a waiting writer sleep and retry, so a newcomer often wins and
    a waiter can starve (p50 40 ms beside p99 3 s under load). Writers in one process queue
    here in arrival order instead and hold the lock only for their short insert transaction;
    other processes still meet SQLite's lock, now for a few milliseconds at a time.
    """

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._next_ticket = 0
        self._serving = 0

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._condition:
            ticket = self._next_ticket
            self._next_ticket += 1
            self._condition.wait_for(lambda: self._serving == ticket)
        try:
            yield
        finally:
            with self._condition:
                self._serving += 1
                self._condition.notify_all()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit when the block succeeds, roll back everything when it fails."""
    session = Session(engine, expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
