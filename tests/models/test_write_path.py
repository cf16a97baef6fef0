"""Writers take the lock only for their inserts, in arrival order; readers never wait (issue 16)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from models.db import FairWriteLock, make_engine, read_session, release, session_scope
from models.migrate import upgrade
from models.tables import Jobcenter


def test_read_session_does_not_wait_for_a_writer_holding_the_sqlite_lock(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'lotse.db'}")
    upgrade(engine)
    with session_scope(engine) as writer:
        writer.add(Jobcenter(code="jc", name="Jobcenter"))
        writer.flush()  # the writer now holds the write lock until its commit
        started = time.perf_counter()
        with read_session(engine) as reader:
            count = reader.execute(text("SELECT count(*) FROM jobcenter")).scalar_one()
        waited = time.perf_counter() - started
    assert count == 0 and waited < 1.0  # before: BEGIN IMMEDIATE waited for the busy timeout (30 s)


def test_writers_are_served_in_arrival_order() -> None:
    lock = FairWriteLock()
    served: list[int] = []

    def writer(number: int) -> None:
        time.sleep(0.02 * number)  # arrive one after another while the first holds the lock
        with lock.held():
            served.append(number)

    with lock.held():
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(1, 6)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    assert served == [1, 2, 3, 4, 5]


@pytest.mark.postgres
def test_a_postgresql_read_session_refuses_writes(postgres_schema_engine: Engine) -> None:
    with read_session(postgres_schema_engine) as reader, pytest.raises(DBAPIError, match="read-only"):
        reader.execute(text("CREATE TABLE written_by_a_reader (id integer)"))


@pytest.mark.postgres
def test_postgresql_read_sessions_keep_the_prepared_statements(postgres_schema_engine: Engine) -> None:
    """A ROLLBACK makes psycopg deallocate every prepared statement: PostgreSQL would parse and
    plan each decision's statements again. Read sessions end with COMMIT (read-only: the same)."""
    with read_session(postgres_schema_engine) as reader:
        for _ in range(6):  # psycopg prepares a statement on its fifth use
            reader.execute(text("SELECT 1 + :x"), {"x": 1})
        release(reader)  # as a lane route does before its write
        reader.execute(text("SELECT 2"))
    with read_session(postgres_schema_engine) as reader:
        prepared = reader.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
    assert prepared >= 1
