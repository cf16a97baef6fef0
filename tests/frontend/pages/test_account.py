"""A staff member's own account page: password change and TOTP set-up, both confirmed first."""

from __future__ import annotations

import re

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.staff_util import StaffWorld, api_login, cheap_argon2  # noqa: F401  (fixture)
from tests.factories import TEST_PASSWORD
from tests.frontend.staff_pages_util import page_login, post_on_page

NEW = "ein ganz neues passwort"

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def test_password_change_needs_current_password_and_matching_repeat(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["counsellor"])
    wrong = post_on_page(client, "/staff/account", "/staff/account/password",
                         {"current_password": "falsch falsch", "new_password": NEW, "repeat_password": NEW})
    assert wrong.status_code == 422
    assert "Das aktuelle Passwort ist falsch." in wrong.text
    differ = post_on_page(client, "/staff/account", "/staff/account/password",
                          {"current_password": TEST_PASSWORD, "new_password": NEW, "repeat_password": NEW + "x"})
    assert differ.status_code == 422
    weak = post_on_page(client, "/staff/account", "/staff/account/password",
                        {"current_password": TEST_PASSWORD, "new_password": "kurz", "repeat_password": "kurz"})
    assert weak.status_code == 422 and "12" in weak.text
    done = post_on_page(client, "/staff/account", "/staff/account/password",
                        {"current_password": TEST_PASSWORD, "new_password": NEW, "repeat_password": NEW})
    assert done.status_code == 303
    assert client.get("/staff/caseload", follow_redirects=False).status_code == 200  # this session continues
    assert api_login(TestClient(app), world.usernames["counsellor"], NEW).status_code == 200


def test_totp_is_switched_on_only_with_a_matching_code(app: FastAPI, world: StaffWorld) -> None:
    client = page_login(app, world.usernames["admin"])
    page = client.get("/staff/account")
    assert page.headers["cache-control"] == "no-store"
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', page.text).group(1)
    refused = post_on_page(client, "/staff/account", "/staff/account/totp", {"secret": secret, "code": "000000"})
    assert refused.status_code == 422
    assert api_login(TestClient(app), world.usernames["admin"]).status_code == 200  # still no code needed
    done = post_on_page(client, "/staff/account", "/staff/account/totp",
                        {"secret": secret, "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303
    assert api_login(TestClient(app), world.usernames["admin"]).status_code == 401
    code = pyotp.TOTP(secret).now()
    assert api_login(TestClient(app), world.usernames["admin"], totp_code=code).status_code == 200


def test_job_seeker_account_has_no_staff_account_page(app: FastAPI, world: StaffWorld) -> None:
    client = TestClient(app)
    assert api_login(client, world.usernames["job_seeker"]).status_code == 200
    assert client.get("/staff/account", follow_redirects=False).status_code == 403
