"""Shared fixtures: migrated databases on SQLite and PostgreSQL, the app and its client.

PostgreSQL tests run in a fresh schema each and drop it afterwards. Locally they skip when
no server answers; with ``LOTSE_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) they fail instead,
so CI can never pass without having run them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from api.settings import Settings
from models.db import make_engine
from models.migrate import upgrade
from tests.api.staff_util import StaffWorld, build_world

POSTGRES_URL = os.environ.get("LOTSE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("LOTSE_REQUIRE_POSTGRES", "") not in ("", "0", "false")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _postgres_unavailable(reason: str) -> None:
    if REQUIRE_POSTGRES:
        pytest.fail(f"PostgreSQL is required (LOTSE_REQUIRE_POSTGRES=1) but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture
def postgres_schema_engine() -> Iterator[Engine]:
    """An engine whose search_path is a new, empty schema on the test server."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except OperationalError as exc:
        admin.dispose()
        _postgres_unavailable(f"{POSTGRES_URL} is unreachable ({exc.orig})")
    engine = make_engine(POSTGRES_URL, schema=schema)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'lotse.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest) -> Engine:
    """An empty database, once on SQLite and once on PostgreSQL."""
    name = "sqlite_engine" if request.param == "sqlite" else "postgres_schema_engine"
    return request.getfixturevalue(name)


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    """A migrated database, once on SQLite and once on PostgreSQL."""
    upgrade(empty_engine)
    return empty_engine


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path / 'app.db'}",
        audit_database_url=f"sqlite:///{tmp_path / 'audit.db'}",
        var_dir=tmp_path,
        models_dir=tmp_path / "models",
        log_level="warning",
    )


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    from frontend.main import create_frontend_app

    application = create_frontend_app(settings)
    upgrade(application.state.engine)
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def world(app: FastAPI) -> StaffWorld:
    """A Jobcenter with one account per role, cases and a decision (see tests/api/staff_util.py)."""
    return build_world(app)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_app(request: pytest.FixtureRequest, settings: Settings) -> FastAPI:
    """The whole app (API and pages), once on SQLite and once on a fresh PostgreSQL schema."""
    from frontend.main import create_frontend_app

    application = create_frontend_app(settings)
    if request.param == "postgres":
        application.state.engine.dispose()
        application.state.engine = request.getfixturevalue("postgres_schema_engine")
    upgrade(application.state.engine)
    return application
