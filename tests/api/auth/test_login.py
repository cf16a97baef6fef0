"""Signing in and out: argon2id, one message for every failure, throttling, sessions, TOTP."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import api.auth.login as login_module
from api.auth.login import LOGIN_FAILED, MAX_FAILURES
from models.db import session_scope
from models.tables import UserAccount, utcnow
from tests.api.staff_util import (  # noqa: F401  (cheap_argon2 is a fixture)
    StaffWorld,
    api_login,
    cheap_argon2,
    csrf,
    events,
    logged_in,
)
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def test_stored_account_hash_is_argon2id(app: FastAPI, world: StaffWorld) -> None:
    with Session(app.state.engine) as session:
        hashes = session.exec(select(UserAccount.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)


def test_login_with_right_password_starts_session(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    response = api_login(client, world.usernames["counsellor"])
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "counsellor"
    assert client.get("/api/v1/auth/session").json()["authenticated"] is True


def test_wrong_password_and_unknown_user_get_identical_answer(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    wrong = api_login(client, world.usernames["counsellor"], "wrong password 123")
    unknown = api_login(client, "nobody-here", "wrong password 123")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == LOGIN_FAILED


def test_sixth_wrong_password_within_a_minute_is_rate_limited(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    username = world.usernames["counsellor"]
    statuses = [api_login(client, username, f"wrong password {i:03}").status_code for i in range(MAX_FAILURES)]
    assert statuses == [401] * MAX_FAILURES
    sixth = api_login(client, username, "wrong password 999")
    assert sixth.status_code == 429
    assert int(sixth.headers["Retry-After"]) == 60
    assert "Please wait until" in sixth.json()["detail"]
    # Even the right password is not checked while the pause runs.
    assert api_login(client, username).status_code == 429


def test_lockout_of_unknown_username_looks_the_same(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    for i in range(MAX_FAILURES):
        api_login(client, "no-such-user", f"wrong password {i:03}")
    response = api_login(client, "no-such-user", "wrong password 999")
    assert response.status_code == 429
    assert "Please wait until" in response.json()["detail"]


def test_lockout_ends_after_the_documented_pause_and_then_doubles(
    app: FastAPI, world: StaffWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = TestClient(app)
    username = world.usernames["counsellor"]
    now = utcnow()
    monkeypatch.setattr(login_module, "utcnow", lambda: now)
    for i in range(MAX_FAILURES):
        api_login(client, username, f"wrong password {i:03}")
    assert api_login(client, username).status_code == 429
    now += timedelta(seconds=61)
    monkeypatch.setattr(login_module, "utcnow", lambda: now)
    for i in range(MAX_FAILURES):  # a second series locks for twice as long
        assert api_login(client, username, f"wrong password {i:03}").status_code == 401
    second = api_login(client, username)
    assert second.status_code == 429
    assert int(second.headers["Retry-After"]) == 120
    now += timedelta(seconds=121)
    monkeypatch.setattr(login_module, "utcnow", lambda: now)
    assert api_login(client, username).status_code == 200


def test_successful_login_resets_the_failure_count(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    username = world.usernames["counsellor"]
    for i in range(MAX_FAILURES - 1):
        api_login(client, username, f"wrong password {i:03}")
    assert api_login(client, username).status_code == 200
    for i in range(MAX_FAILURES - 1):
        assert api_login(client, username, f"wrong password {i:03}").status_code == 401


def test_login_without_csrf_token_is_refused(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    response = client.post("/api/v1/auth/login",
                           json={"username": world.usernames["counsellor"], "password": TEST_PASSWORD})
    assert response.status_code == 403
    wrong = client.post("/api/v1/auth/login", headers={"X-CSRF-Token": "forged"},
                        json={"username": world.usernames["counsellor"], "password": TEST_PASSWORD})
    assert wrong.status_code == 403
    assert client.get("/api/v1/auth/session").json()["authenticated"] is False


def test_session_cookie_is_httponly_and_samesite_lax(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    response = api_login(client, world.usernames["admin"])
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # tests run over plain http; production adds it (next test)


def test_session_cookie_is_secure_in_production(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from api.settings import Settings
    from frontend.main import create_frontend_app
    from models.migrate import upgrade

    settings = Settings(environment="production", secret_key="x" * 48,
                        database_url=f"sqlite:///{tmp_path / 'prod.db'}", var_dir=tmp_path)
    application = create_frontend_app(settings)
    upgrade(application.state.engine)
    client = TestClient(application, base_url="https://testserver")
    response = client.get("/api/v1/auth/session")
    cookie = response.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "max-age=31536000" in response.headers["strict-transport-security"]


def test_security_headers_are_present_on_pages_and_api(client: TestClient) -> None:
    for path in ("/login", "/api/v1/auth/session"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_logout_ends_the_session(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    response = client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 204
    assert client.get("/api/v1/auth/session").json()["authenticated"] is False


def test_password_reset_ends_existing_sessions(app: FastAPI, world: StaffWorld) -> None:
    from api.auth.accounts import reset_password

    client = logged_in(app, world.usernames["counsellor"])
    with session_scope(app.state.engine) as session:
        user = session.get(UserAccount, world.users[world.usernames["counsellor"]])
        reset_password(session, user=user, new_password="a completely new passphrase", actor_role="admin",
                       actor_id="test")
    assert client.get("/api/v1/auth/session").json()["authenticated"] is False
    assert len(events(app, "password_reset")) == 1


def test_disabled_account_cannot_sign_in_and_its_session_ends(app: FastAPI, world: StaffWorld) -> None:
    from api.auth.accounts import disable_user

    client = logged_in(app, world.usernames["counsellor"])
    with session_scope(app.state.engine) as session:
        user = session.get(UserAccount, world.users[world.usernames["counsellor"]])
        disable_user(session, user=user, actor_role="admin", actor_id="test", reason="left the Jobcenter")
    assert client.get("/api/v1/auth/session").json()["authenticated"] is False
    response = api_login(TestClient(app), world.usernames["counsellor"])
    assert response.status_code == 401
    assert response.json()["detail"] == LOGIN_FAILED


def test_totp_code_is_required_once_enrolled(app: FastAPI, world: StaffWorld) -> None:
    from api.auth.accounts import enable_totp

    with session_scope(app.state.engine) as session:
        user = session.get(UserAccount, world.users[world.usernames["admin"]])
        uri = enable_totp(session, user=user)
        secret = user.totp_secret
    assert uri.startswith("otpauth://totp/")
    client = TestClient(app)
    assert api_login(client, world.usernames["admin"]).status_code == 401
    assert api_login(client, world.usernames["admin"], totp_code="000000").status_code == 401
    code = pyotp.TOTP(secret).now()
    assert api_login(client, world.usernames["admin"], totp_code=code).status_code == 200


def test_change_own_password_checks_current_and_policy(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    headers = {"X-CSRF-Token": csrf(client)}
    wrong = client.post("/api/v1/auth/password", headers=headers,
                        json={"current_password": "nope nope nope", "new_password": "another fine passphrase"})
    assert wrong.status_code == 422
    assert wrong.json()["detail"] == "The current password is wrong."
    weak = client.post("/api/v1/auth/password", headers=headers,
                       json={"current_password": TEST_PASSWORD, "new_password": "short"})
    assert weak.status_code == 422
    assert "at least 12" in weak.json()["detail"]
    ok = client.post("/api/v1/auth/password", headers=headers,
                     json={"current_password": TEST_PASSWORD, "new_password": "another fine passphrase"})
    assert ok.status_code == 204
    assert client.get("/api/v1/auth/session").json()["authenticated"] is True


def test_many_failures_from_one_address_pause_that_address(
    app: FastAPI, world: StaffWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_module, "IP_MAX_FAILURES", 3)
    client = TestClient(app)
    for name in ("guess-one", "guess-two", "guess-three"):  # different usernames, same address
        assert api_login(client, name, "wrong password 123").status_code == 401
    response = api_login(client, world.usernames["counsellor"])
    assert response.status_code == 429


def test_sign_in_is_logged_failures_are_not(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    api_login(client, world.usernames["counsellor"], "wrong password 123")
    assert events(app, "user_signed_in") == []
    api_login(client, world.usernames["counsellor"])
    signed_in = events(app, "user_signed_in")
    assert len(signed_in) == 1
    assert signed_in[0].actor_role == "counsellor"
    assert signed_in[0].actor_id == str(world.users[world.usernames["counsellor"]])
