"""Signing out ends every copy of the session, and password checks are throttled (issue 17).

The session cookie is signed, not stored; a copy taken before sign-out used to work for up
to 8 hours. Now every account carries a session version that is part of the cookie's stamp.
"""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth.login import MAX_FAILURES
from api.security import SESSION_COOKIE
from tests.api.staff_util import (  # noqa: F401  (cheap_argon2 is a fixture)
    StaffWorld,
    build_world,
    cheap_argon2,
    csrf,
    logged_in,
)
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.usefixtures("cheap_argon2")
NEW_PASSWORD = "a much longer new passphrase 2026"


@pytest.fixture
def world(app: FastAPI) -> StaffWorld:
    return build_world(app)


def _copy(app: FastAPI, client: TestClient) -> TestClient:
    """A second client holding a copy of *client*'s session cookie (as a thief would)."""
    thief = TestClient(app)
    thief.cookies.set(SESSION_COOKIE, client.cookies[SESSION_COOKIE])
    return thief


def test_sign_out_ends_every_copy_of_the_session(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    thief = _copy(app, client)
    assert thief.get("/api/v1/cases").status_code == 200
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf(client)}).status_code == 204
    assert thief.get("/api/v1/cases").status_code == 401


def test_html_sign_out_ends_every_copy_of_the_session(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    thief = _copy(app, client)
    from tests.frontend.seeker_util import post_form

    assert post_form(client, "/logout", "/logout", {}).status_code == 303
    assert thief.get("/staff/caseload", follow_redirects=False).status_code == 303


def test_password_change_ends_other_copies_but_not_this_session(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    thief = _copy(app, client)
    changed = client.post("/api/v1/auth/password", headers={"X-CSRF-Token": csrf(client)},
                          json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD})
    assert changed.status_code == 204, changed.text
    assert client.get("/api/v1/cases").status_code == 200
    assert thief.get("/api/v1/cases").status_code == 401


def test_admin_signs_an_account_out_everywhere(app: FastAPI, world: StaffWorld) -> None:
    counsellor = logged_in(app, world.usernames["counsellor"])
    admin = logged_in(app, world.usernames["admin"])
    user_id = world.users[world.usernames["counsellor"]]
    response = admin.post(f"/api/v1/admin/users/{user_id}/sign-out", headers={"X-CSRF-Token": csrf(admin)})
    assert response.status_code == 200, response.text
    assert counsellor.get("/api/v1/cases").status_code == 401
    assert admin.get("/api/v1/admin/users").status_code == 200  # the admin's own session is untouched


def test_disabling_an_account_ends_its_sessions(app: FastAPI, world: StaffWorld) -> None:
    counsellor = logged_in(app, world.usernames["counsellor"])
    admin = logged_in(app, world.usernames["admin"])
    user_id = world.users[world.usernames["counsellor"]]
    response = admin.post(f"/api/v1/admin/users/{user_id}/disable", headers={"X-CSRF-Token": csrf(admin)},
                          json={"reason": "left"})
    assert response.status_code == 200, response.text
    assert counsellor.get("/api/v1/cases").status_code == 401


def test_password_change_is_throttled_like_sign_in(app: FastAPI, world: StaffWorld) -> None:
    client = logged_in(app, world.usernames["counsellor"])
    headers = {"X-CSRF-Token": csrf(client)}
    wrong = {"current_password": "not the password at all", "new_password": NEW_PASSWORD}
    codes = [client.post("/api/v1/auth/password", headers=headers, json=wrong).status_code
             for _ in range(MAX_FAILURES)]
    assert codes == [422] * MAX_FAILURES
    right = {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD}
    locked = client.post("/api/v1/auth/password", headers=headers, json=right)
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 0


def test_password_change_page_is_throttled_too(app: FastAPI, world: StaffWorld) -> None:
    from tests.frontend.seeker_util import post_form

    client = logged_in(app, world.usernames["counsellor"])
    form = {"current_password": "wrong", "new_password": NEW_PASSWORD, "repeat_password": NEW_PASSWORD}
    codes = [post_form(client, "/staff/account", "/staff/account/password", form).status_code
             for _ in range(MAX_FAILURES + 1)]
    assert codes == [422] * MAX_FAILURES + [429]
