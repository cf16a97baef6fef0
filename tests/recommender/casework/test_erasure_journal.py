"""Every erasure a job-seeker asks for (JSON API or web page) lands in the erasure journal: pseudonym and time only."""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.settings import Settings
from models.tables import JobSeeker
from recommender.casework.erasure_journal import JOURNAL_FILE
from tests.frontend.seeker_util import fake_path, post_form, seeded_client, seeker  # noqa: F401


def _erase_by_api(client: TestClient) -> None:
    token = client.get("/api/v1/auth/session").json()["csrf_token"]
    response = client.post("/api/v1/me/erasure", json={"confirmation": "DELETE"}, headers={"X-CSRF-Token": token})
    assert response.status_code == 200


def _erase_by_page(client: TestClient) -> None:
    assert post_form(client, "/my-data/delete", "/my-data/delete", {"confirm": "yes"}).status_code == 303


@pytest.mark.parametrize("erase", [_erase_by_api, _erase_by_page])
def test_erasure_is_journaled_with_pseudonym_and_time_only(
    seeker: TestClient, app: FastAPI, settings: Settings, erase: object
) -> None:
    post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "5"})
    erase(seeker)  # type: ignore[operator]
    with Session(app.state.engine) as session:
        person = session.exec(select(JobSeeker)).one()
    lines = (settings.var_dir / JOURNAL_FILE).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["pseudonym"] for line in lines] == [person.pseudonym]
    assert set(json.loads(lines[0])) == {"pseudonym", "erased_at"}
