"""API tokens of machine clients: scope, Jobcenter, revocation, expiry, rate limit, decision log."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.auth.api_tokens import TokenError, create_token, parse_scopes, revoke_token, token_digest
from api.auth.scopes import MachineClient, require_scope
from models.db import session_scope
from models.integration import ApiToken
from models.tables import Jobcenter, utcnow
from tests.api.staff_util import StaffWorld, events


def _probe(app: FastAPI) -> None:
    router = APIRouter()

    @router.get("/api/v1/probe")
    def probe(client: Annotated[MachineClient, require_scope("plans:read")]) -> dict[str, object]:
        return {"jobcenter_id": client.jobcenter_id, "token_id": client.token_id, "scopes": sorted(client.scopes)}

    app.include_router(router)


def _token(app: FastAPI, scopes: str, *, code: str = "demo", expires_in: timedelta | None = None) -> str:
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == code)).one()
        expires = utcnow() + expires_in if expires_in else None
        return create_token(session, jobcenter=center, name="Fachverfahren Test", scopes=scopes,
                            expires_at=expires).secret


def _get(client: TestClient, token: str | None) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/probe", headers=headers)


def test_token_with_the_scope_passes_and_its_use_is_logged(app: FastAPI, client: TestClient,
                                                           world: StaffWorld) -> None:
    _probe(app)
    token = _token(app, "plans:read feed:read")
    response = client.get("/api/v1/probe", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    assert response.json()["scopes"] == ["feed:read", "plans:read"]
    used = events(app, "api_token_used")
    assert len(used) == 1 and used[0].outputs["scope"] == "plans:read" and used[0].actor_role == "machine"


def test_the_token_is_stored_only_as_its_hash(app: FastAPI, world: StaffWorld) -> None:
    token = _token(app, "feed:read")
    with session_scope(app.state.engine) as session:
        row = session.exec(select(ApiToken)).one()
        assert row.token_sha256 == token_digest(token)
        assert token not in repr(row.model_dump())
    assert all(token not in str(e.outputs) for e in events(app, "api_token_created"))


@pytest.mark.parametrize(("header", "status", "words"), [
    (None, 401, "needs an API token"),
    ("lotse_not-a-real-token", 401, "not known"),
])
def test_missing_or_unknown_token_is_refused(app: FastAPI, client: TestClient, world: StaffWorld,
                                             header: str | None, status: int, words: str) -> None:
    _probe(app)
    response = _get(client, header)
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    assert words in response.json()["detail"]  # type: ignore[attr-defined]


def test_token_without_the_scope_gets_403_naming_it(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    _probe(app)
    response = _get(client, _token(app, "feed:read"))
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "lacks the scope 'plans:read'" in response.json()["detail"]  # type: ignore[attr-defined]
    assert events(app, "api_token_used") == [] and len(events(app, "access_denied")) == 1


def test_revoked_and_expired_tokens_are_refused(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    _probe(app)
    token = _token(app, "plans:read")
    assert _get(client, token).status_code == 200  # type: ignore[attr-defined]
    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == "demo")).one()
        assert revoke_token(session, jobcenter=center, token_id=1, reason="test") is True
    revoked = _get(client, token)
    assert revoked.status_code == 401 and "was revoked" in revoked.json()["detail"]  # type: ignore[attr-defined]
    expiring = _token(app, "plans:read", expires_in=timedelta(seconds=1))
    with session_scope(app.state.engine) as session:
        row = session.exec(select(ApiToken).where(ApiToken.token_sha256 == token_digest(expiring))).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
        session.add(row)
    expired = _get(client, expiring)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]  # type: ignore[attr-defined]


def test_a_person_signed_in_is_not_a_machine_client(app: FastAPI, world: StaffWorld) -> None:
    from tests.api.staff_util import logged_in

    _probe(app)
    assert logged_in(app, world.usernames["admin"]).get("/api/v1/probe").status_code == 401


def test_token_over_its_rate_limit_gets_429(app: FastAPI, client: TestClient, world: StaffWorld) -> None:
    _probe(app)
    app.state.settings.api_token_requests_per_minute = 2
    token = _token(app, "plans:read")
    assert [_get(client, token).status_code for _ in range(2)] == [200, 200]  # type: ignore[attr-defined]
    refused = _get(client, token)
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1  # type: ignore[attr-defined]


@pytest.mark.parametrize("scopes", ["", "cases:delete", "feed:read, admin"])
def test_unknown_or_no_scope_is_refused_at_creation(scopes: str) -> None:
    with pytest.raises(TokenError, match="scope"):
        parse_scopes(scopes)
