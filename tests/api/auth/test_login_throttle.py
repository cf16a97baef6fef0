"""Sign-in throttling in the database, on SQLite and PostgreSQL (shared by all workers)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from api.auth.login import MAX_FAILURES, LoginFailed, LoginThrottled, authenticate
from models.db import session_scope
from tests.factories import TEST_PASSWORD, make_jobcenter, make_staff_user


def _attempt(engine: Engine, username: str, password: str) -> str:
    with session_scope(engine) as session:
        try:
            authenticate(session, username=username, password=password, client="10.0.0.1")
        except LoginThrottled:
            return "throttled"
        except LoginFailed:
            return "failed"
    return "ok"


def test_sixth_attempt_is_throttled_on_both_databases(engine: Engine) -> None:
    with session_scope(engine) as session:
        make_staff_user(session, role="counsellor", jobcenter=make_jobcenter(session), username="maria")
    results = [_attempt(engine, "maria", f"wrong {i} passphrase") for i in range(MAX_FAILURES)]
    assert results == ["failed"] * MAX_FAILURES
    assert _attempt(engine, "MARIA", TEST_PASSWORD) == "throttled"  # usernames are case-insensitive


def test_right_password_before_the_limit_signs_in(engine: Engine) -> None:
    with session_scope(engine) as session:
        make_staff_user(session, role="admin", jobcenter=make_jobcenter(session), username="anna")
    assert _attempt(engine, "anna", "wrong passphrase") == "failed"
    assert _attempt(engine, "anna", TEST_PASSWORD) == "ok"


@pytest.mark.parametrize("username", ["", " ", "x" * 200, "' OR 1=1 --"])
def test_odd_usernames_fail_without_error(engine: Engine, username: str) -> None:
    assert _attempt(engine, username, "whatever passphrase") == "failed"
