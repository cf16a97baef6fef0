"""The team monitoring API: no grouping by person, small teams suppressed."""

from __future__ import annotations

import pytest
from fastapi import FastAPI

from tests.api.staff_util import StaffWorld, cheap_argon2, csrf, events, logged_in  # noqa: F401  (fixture)

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def test_monitoring_refuses_grouping_by_person_and_suppresses_small_team(app: FastAPI, world: StaffWorld) -> None:
    lead = logged_in(app, world.usernames["team_lead"])
    for grouping in ("counsellor", "user", "reviewed_by"):
        response = lead.get("/api/v1/monitoring/team", params={"group_by": grouping})
        assert response.status_code == 422
        assert "never per person" in response.json()["detail"]
    report = lead.get("/api/v1/monitoring/team").json()
    assert report["suppressed"] is True and report["groups"] == []
