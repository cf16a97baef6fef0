"""Property-based API fuzzing with schemathesis: every operation, every kind of caller, both databases.

Every operation in ``/openapi.json`` gets generated requests as an anonymous visitor, as a
job-seeker and as each staff role, on SQLite and on PostgreSQL (``db_app``). Two properties must
hold for every answer: no server error (5xx) and the body matches the documented response schema.
Each caller signs in afresh for each operation, since some operations (sign-out, password change,
erasure, an admin's "sign out everywhere") end sessions on purpose. Bounded by ``EXAMPLES`` per
operation and caller, so the suite runs in a few minutes; marked ``slow`` and ``fuzz``, it runs
in ``make test`` and in CI (plain ``pytest``), not in ``make test-fast``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import delete
from sqlmodel import select

from api.auth.api_tokens import SCOPES, create_token
from api.security import SESSION_COOKIE
from models.db import session_scope
from models.staff import LoginThrottle
from models.tables import Jobcenter, UserAccount
from tests.api.staff_util import ROLES, StaffWorld, build_world, cheap_argon2, csrf, logged_in  # noqa: F401
from tests.factories import TEST_PASSWORD, _cached_test_hash

pytestmark = [pytest.mark.slow, pytest.mark.fuzz, pytest.mark.usefixtures("cheap_argon2")]
EXAMPLES = 4
MACHINE = "machine client"  # an API token with every scope, of the world's Jobcenter
CALLERS = ("anonymous", *ROLES, MACHINE)
CHECKS = [not_a_server_error, response_schema_conformance]


def _restore(app: FastAPI, world: StaffWorld, caller: str) -> None:
    """Undo what earlier fuzzing may have done to *caller*'s account (lock-out, new password, disabling)."""
    user_id = world.users[world.usernames[caller]]
    with session_scope(app.state.engine) as session:
        session.execute(delete(LoginThrottle))
        user = session.get(UserAccount, user_id)
        assert user is not None
        user.username, user.is_active, user.totp_secret = world.usernames[caller], True, None
        user.password_hash = _cached_test_hash(TEST_PASSWORD)
        session.add(user)


def _machine_token(app: FastAPI) -> str:
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == "demo")).one()
        return create_token(session, jobcenter=center, name="fuzz", scopes=list(SCOPES)).secret


def _headers(app: FastAPI, world: StaffWorld, caller: str) -> dict[str, str]:
    """Cookie and CSRF header of a fresh session of *caller* (a machine client: its API token)."""
    if caller == MACHINE:
        return {"Authorization": f"Bearer {_machine_token(app)}"}
    if caller != "anonymous":
        _restore(app, world, caller)
    client = TestClient(app) if caller == "anonymous" else logged_in(app, world.usernames[caller])
    token = csrf(client)
    return {"X-CSRF-Token": token, "Cookie": f"{SESSION_COOKIE}={client.cookies[SESSION_COOKIE]}"}


def _fuzz(operation: Any, headers: Callable[[], dict[str, str]]) -> str | None:
    """Run EXAMPLES generated requests against *operation*; the first failure as text, or None."""
    session_headers = headers()

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        response = case.call(headers=session_headers, timeout=120)  # first use loads the classifier
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except Exception as exc:  # noqa: BLE001 - every failure is reported, none may stop the others
        inner = "; ".join(f"{type(e).__name__}: {e}" for e in getattr(exc, "exceptions", ())) or str(exc)
        return f"{operation.method.upper()} {operation.path}: {type(exc).__name__}: {inner[:1500]}"
    return None


def test_no_server_error_and_no_schema_violation_for_any_caller(db_app: FastAPI) -> None:
    world = build_world(db_app)
    schema = schemathesis.openapi.from_asgi("/openapi.json", db_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    failures = []
    for caller in CALLERS:
        for operation in operations:
            failure = _fuzz(operation, lambda caller=caller: _headers(db_app, world, caller))
            if failure:
                failures.append(f"[{caller}] {failure}")
    assert failures == [], "\n".join(failures)
