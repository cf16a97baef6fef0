"""The HTML sign-in: form with CSRF token, redirect to the role's start page, no open redirect."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.auth.login import LOGIN_FAILED
from api.i18n import LOCALE_COOKIE, gettext
from tests.api.staff_util import StaffWorld, cheap_argon2  # noqa: F401  (fixture)
from tests.factories import TEST_PASSWORD
from tests.frontend.seeker_util import post_form

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _login(client: TestClient, username: str, password: str = TEST_PASSWORD, next_path: str = "") -> object:
    return post_form(client, "/login", "/login", {"username": username, "password": password, "next": next_path})


@pytest.mark.parametrize(("role", "home"), [("counsellor", "/staff/caseload"), ("team_lead", "/staff/team"),
                                            ("admin", "/staff/admin"), ("data_scientist", "/staff/data")])
def test_login_form_leads_to_the_role_start_page(app: FastAPI, world: StaffWorld, role: str, home: str) -> None:
    client = TestClient(app)
    response = _login(client, world.usernames[role])
    assert response.status_code == 303
    assert response.headers["location"] == home


def test_login_form_wrong_password_shows_generic_message(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app, cookies={LOCALE_COOKIE: "de"})
    response = _login(client, world.usernames["counsellor"], "wrong password 123")
    assert response.status_code == 401
    assert gettext(LOGIN_FAILED, "de") == "Benutzername, Passwort oder Code ist falsch."
    assert gettext(LOGIN_FAILED, "de") in response.text


def test_login_form_refuses_off_site_next(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    response = _login(client, world.usernames["counsellor"], next_path="//evil.example/steal")
    assert response.headers["location"] == "/staff/caseload"


def test_login_form_without_csrf_token_is_refused(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    response = client.post("/login", data={"username": world.usernames["counsellor"], "password": TEST_PASSWORD},
                           follow_redirects=False)
    assert response.status_code == 403


def test_staff_page_sends_anonymous_visitor_to_login(client: TestClient) -> None:
    response = client.get("/staff/caseload?open_reviews=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/staff/caseload%3Fopen_reviews%3D1"


def test_logout_page_posts_and_signs_out(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    _login(client, world.usernames["counsellor"])
    response = post_form(client, "/logout", "/logout", {})
    assert response.status_code == 303
    assert client.get("/api/v1/auth/session").json()["authenticated"] is False


def test_job_seeker_sign_in_page_has_no_staff_wording_or_code_field(app: FastAPI) -> None:
    html = TestClient(app).get("/sign-in").text
    assert "<h1>Anmelden in Ihrem Lotse-Konto</h1>" in html and "Anmeldung für Mitarbeitende im Jobcenter" not in html
    assert "totp_code" not in html and 'action="/sign-in"' in html
    assert 'href="/sign-in"' in TestClient(app).get("/").text


def test_job_seeker_account_signs_in_on_its_own_page_and_staff_are_sent_to_theirs(app: FastAPI,
                                                                                   world: StaffWorld) -> None:
    from sqlmodel import select

    from models.db import session_scope
    from models.tables import Jobcenter
    from tests.factories import make_staff_user

    with session_scope(app.state.engine) as session:
        center = session.exec(select(Jobcenter).where(Jobcenter.code == "demo")).one()
        make_staff_user(session, role="job_seeker", jobcenter=center, username="anna")
    client = TestClient(app)
    response = post_form(client, "/sign-in", "/sign-in", {"username": "anna", "password": TEST_PASSWORD})
    assert response.status_code == 303 and not response.headers["location"].startswith("/staff")
    staff = post_form(TestClient(app), "/sign-in", "/sign-in",
                      {"username": world.usernames["counsellor"], "password": TEST_PASSWORD})
    assert staff.status_code == 401 and 'href="/login"' in staff.text
