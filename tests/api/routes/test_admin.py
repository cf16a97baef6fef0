"""The admin API: kill switch with a logged reason, accounts of the own Jobcenter only."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.api.staff_util import StaffWorld, cheap_argon2, csrf, events, logged_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def test_admin_kill_switch_api_needs_reason_and_logs(app: FastAPI, world: StaffWorld) -> None:
    admin = logged_in(app, world.usernames["admin"])
    headers = {"X-CSRF-Token": csrf(admin)}
    assert admin.put("/api/v1/admin/kill-switch", headers=headers, json={"on": True}).status_code == 422
    assert admin.put("/api/v1/admin/kill-switch", headers=headers,
                     json={"on": True, "reason": "Fehler im Modell"}).json() == {"on": True, "changed": True}
    assert admin.get("/api/v1/admin/kill-switch").json() == {"on": True}
    assert events(app, "kill_switch_on")[0].actor_id == str(world.users[world.usernames["admin"]])
    assert admin.get("/api/v1/admin/retention").json()["minimum_days"] == 180


def test_admin_manages_only_own_jobcenter_accounts(app: FastAPI, world: StaffWorld) -> None:
    admin = logged_in(app, world.usernames["admin"])
    headers = {"X-CSRF-Token": csrf(admin)}
    created = admin.post("/api/v1/admin/users", headers=headers,
                         json={"username": "neu.kollegin", "role": "counsellor"})
    assert created.status_code == 201
    assert len(created.json()["password"]) >= 12
    weak = admin.post("/api/v1/admin/users", headers=headers,
                      json={"username": "weak.one", "role": "counsellor", "password": "short"})
    assert weak.status_code == 422
    assert admin.post("/api/v1/admin/users/999999/disable", headers=headers, json={}).status_code == 404
    users = admin.get("/api/v1/admin/users").json()["users"]
    assert all("password_hash" not in u for u in users)


def test_admin_cannot_disable_own_account(app: FastAPI, world: StaffWorld) -> None:
    admin = logged_in(app, world.usernames["admin"])
    own_id = world.users[world.usernames["admin"]]
    response = admin.post(f"/api/v1/admin/users/{own_id}/disable", headers={"X-CSRF-Token": csrf(admin)}, json={})
    assert response.status_code == 422
    assert admin.get("/api/v1/auth/session").json()["authenticated"] is True
