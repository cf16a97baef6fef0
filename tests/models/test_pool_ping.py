"""PostgreSQL connections are checked before use only after they sat idle (issue 16).

``pool_pre_ping`` cost a round trip on each of a decision's two checkouts; a connection given
back moments ago is not checked again, one that sat idle is, and a dropped one is replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
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


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _drop(pid: int) -> None:
    """What a restarted server or a firewall does to a pooled connection."""
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
    finally:
        admin.dispose()


def test_a_connection_given_back_moments_ago_is_used_without_a_ping(
        postgres_schema_engine: Engine, pings: list[int]) -> None:
    first = _backend_pid(postgres_schema_engine)
    second = _backend_pid(postgres_schema_engine)
    assert second == first and pings == []


def test_an_idle_connection_is_pinged_and_replaced_when_the_server_dropped_it(
        postgres_schema_engine: Engine, pings: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    dropped = _backend_pid(postgres_schema_engine)
    _drop(dropped)
    monkeypatch.setattr(models.db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had sat idle
    replacement = _backend_pid(postgres_schema_engine)  # no error reaches the caller
    assert replacement != dropped and pings == [1]


def test_a_connection_dropped_while_in_use_fails_one_request_and_the_pool_recovers(
        postgres_schema_engine: Engine) -> None:
    dropped = _backend_pid(postgres_schema_engine)
    _drop(dropped)
    with pytest.raises(DBAPIError) as failed:
        _backend_pid(postgres_schema_engine)
    assert failed.value.connection_invalidated
    assert _backend_pid(postgres_schema_engine) != dropped
