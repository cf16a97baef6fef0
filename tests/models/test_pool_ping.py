"""PostgreSQL connections are checked before use only after they sat idle (issue 16).

``pool_pre_ping`` cost a round trip on each of a decision's two checkouts; a connection given
back moments ago is not checked again, one that sat idle is, and when the server dropped it
the whole pool is renewed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

import models.db
from models.db import make_engine
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.postgres


@pytest.fixture
def pings(postgres_schema_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the engine's pings (the ping goes straight to the driver, past SQLAlchemy's events)."""
    dialect = postgres_schema_engine.dialect
    original = dialect.do_ping
    counted: list[int] = []

    def counting(dbapi_connection: Any) -> bool:
        counted.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting)
    yield counted


def _pid(connection: Connection) -> int:
    return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return _pid(connection)


def _drop(*pids: int) -> None:
    """What a restarted server does to pooled connections; returns once the backends are gone."""
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            for pid in pids:  # the timeout makes PostgreSQL wait until the backend has exited
                assert connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


def test_a_connection_given_back_moments_ago_is_used_without_a_ping(
        postgres_schema_engine: Engine, pings: list[int]) -> None:
    first = _backend_pid(postgres_schema_engine)
    second = _backend_pid(postgres_schema_engine)
    assert second == first and pings == []


def _two_pooled(engine: Engine) -> tuple[int, int]:
    """Two connections in the pool (two requests at once had them); their backends' pids."""
    with engine.connect() as first, engine.connect() as second:
        return _pid(first), _pid(second)


def test_an_idle_connection_is_pinged_and_the_pool_renewed_when_the_server_restarted(
        postgres_schema_engine: Engine, pings: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    dropped = _two_pooled(postgres_schema_engine)
    _drop(*dropped)
    monkeypatch.setattr(models.db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if they had sat idle
    renewed = _two_pooled(postgres_schema_engine)  # no error reaches either caller
    assert not set(renewed) & set(dropped)
    assert pings == [1]  # one failed ping renewed the whole pool; the new connections need none


def test_a_restart_fails_the_request_in_flight_and_the_next_ones_get_new_connections(
        postgres_schema_engine: Engine) -> None:
    dropped = _two_pooled(postgres_schema_engine)
    with postgres_schema_engine.connect() as in_flight:  # a request that is running
        in_flight.execute(text("SELECT 1"))
        _drop(*dropped)
        with pytest.raises(DBAPIError) as failed:
            in_flight.execute(text("SELECT 1"))
    assert failed.value.connection_invalidated
    # SQLAlchemy renewed the pool: the other connection, given back moments ago, is not handed out.
    assert not set(_two_pooled(postgres_schema_engine)) & set(dropped)
