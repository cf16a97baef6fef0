"""JSON data-rights routes for the job-seeker's own case: export, objection, erasure."""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.frontend.seeker_util import fake_path, post_form, seeded_client, seeker  # noqa: F401


def _csrf(client: TestClient) -> dict[str, str]:
    token = client.get("/api/v1/auth/session").json()["csrf_token"]
    return {"X-CSRF-Token": token}


def test_export_requires_a_case(seeded_client: TestClient) -> None:
    response = seeded_client.get("/api/v1/me/data")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_export_returns_the_own_case(seeker: TestClient) -> None:
    post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "5"})
    data = seeker.get("/api/v1/me/data").json()
    assert data["tables"]["profile_snapshot"][0]["payload"]["months_unemployed"] == 5
    assert seeker.get("/api/v1/me/data.csv").text.startswith("section,row,field,value")


def test_objection_without_csrf_header_is_refused(seeker: TestClient) -> None:
    assert seeker.post("/api/v1/me/objection").status_code == 403
    assert seeker.get("/api/v1/me/data").json()["job_seeker"]["objection_active"] is False


def test_objection_and_withdrawal(seeker: TestClient) -> None:
    headers = _csrf(seeker)
    assert seeker.post("/api/v1/me/objection", headers=headers).json() == {"objection_active": True, "changed": True}
    assert seeker.post("/api/v1/me/objection", headers=headers).json()["changed"] is False
    assert seeker.delete("/api/v1/me/objection", headers=headers).json()["objection_active"] is False


def test_erasure_needs_the_confirmation_word_in_the_callers_language(seeker: TestClient) -> None:
    headers = {**_csrf(seeker), "Accept-Language": "de"}
    response = seeker.post("/api/v1/me/erasure", json={"confirmation": "ja"}, headers=headers)
    assert response.status_code == 422
    assert "Bestätigungswort DELETE" in response.json()["detail"]
    response = seeker.post("/api/v1/me/erasure", json={"confirmation": "DELETE"}, headers=headers)
    assert response.status_code == 200 and response.json()["erased"] is True
    assert seeker.get("/api/v1/me/data").status_code == 401
