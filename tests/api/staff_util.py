"""A small Jobcenter world for staff tests: one account per role, cases, decisions, logins."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from models.db import session_scope
from tests.factories import _TEST_HASH as _TEST_HASH_CACHE
from tests.factories import (
    TEST_PASSWORD,
    assign_case,
    make_decision,
    make_job_seeker,
    make_jobcenter,
    make_staff_user,
    make_team,
)

ROLES = ("job_seeker", "counsellor", "team_lead", "data_scientist", "admin")


@dataclass
class StaffWorld:
    users: dict[str, int] = field(default_factory=dict)  # username -> id
    usernames: dict[str, str] = field(default_factory=dict)  # role -> username
    own_case: str = ""  # pseudonym assigned to the counsellor
    colleague_case: str = ""  # same Jobcenter, assigned to another counsellor
    foreign_case: str = ""  # another Jobcenter
    decision_id: str = ""  # decision of own_case
    item_ids: list[str] = field(default_factory=list)


def build_world(app: FastAPI) -> StaffWorld:
    world = StaffWorld()
    with session_scope(app.state.engine) as session:
        center = make_jobcenter(session, code="demo", name="Jobcenter Demo")
        other_center = make_jobcenter(session, code="other", name="Jobcenter Elsewhere")
        team = make_team(session, jobcenter=center)
        for role in ROLES:
            user = make_staff_user(session, role=role, jobcenter=center, team=team)
            world.users[user.username] = user.id
            world.usernames[role] = user.username
        colleague = make_staff_user(session, role="counsellor", jobcenter=center, team=team, username="colleague")
        world.users["colleague"] = colleague.id
        counsellor_id = world.users[world.usernames["counsellor"]]
        own = make_job_seeker(session, jobcenter=center)
        assign_case(session, job_seeker=own, counsellor=_user(session, counsellor_id))
        decision = make_decision(session, job_seeker=own)
        world.own_case, world.decision_id = own.pseudonym, decision.id
        world.item_ids = [item["id"] for item in _items(session, decision.id)]
        colleague_case = make_job_seeker(session, jobcenter=center)
        assign_case(session, job_seeker=colleague_case, counsellor=colleague)
        make_decision(session, job_seeker=colleague_case)
        world.colleague_case = colleague_case.pseudonym
        foreign = make_job_seeker(session, jobcenter=other_center)
        world.foreign_case = foreign.pseudonym
    return world


def _user(session: Session, user_id: int) -> Any:
    from models.tables import UserAccount

    return session.get(UserAccount, user_id)


def _items(session: Session, decision_id: str) -> list[dict[str, Any]]:
    from sqlmodel import select

    from models.tables import DecisionItem

    rows = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision_id)
                        .order_by(DecisionItem.rank)).all()
    return [{"id": row.id} for row in rows]


def csrf(client: TestClient) -> str:
    return client.get("/api/v1/auth/session").json()["csrf_token"]


def api_login(client: TestClient, username: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    token = csrf(client)
    return client.post("/api/v1/auth/login", json={"username": username, "password": password, **extra},
                       headers={"X-CSRF-Token": token})


def logged_in(app: FastAPI, username: str | None) -> TestClient:
    """A new client (own cookie jar), signed in as *username* (None: anonymous)."""
    client = TestClient(app)
    if username is not None:
        response = api_login(client, username)
        assert response.status_code == 200, response.text
    return client


def events(app: FastAPI, event_type: str) -> list[Any]:
    from sqlmodel import select

    from models.tables import Event

    with Session(app.state.engine) as session:
        return list(session.exec(select(Event).where(Event.event_type == event_type).order_by(Event.id)).all())


def use_cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with minimal cost for tests that sign in many times (still ``$argon2id$``).

    Production cost (64 MiB, 3 passes) takes about 0.4 s per sign-in on the CI machine;
    ``test_production_hash_uses_rfc9106_parameters`` checks the real parameters separately.
    """
    from argon2 import PasswordHasher

    import api.auth.passwords as passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", cheap.hash("lotse-timing-equaliser-not-a-password"))
    _TEST_HASH_CACHE.clear()


@pytest.fixture
def cheap_argon2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    use_cheap_argon2(monkeypatch)
    yield
    _TEST_HASH_CACHE.clear()  # the cached test hash was made with the cheap hasher
