"""/api/v1/schemas/: an index of the published documents and one JSON Schema each, no sign-in needed."""

from __future__ import annotations

from fastapi.testclient import TestClient

from models.interchange import DOCUMENTS, published_schema


def test_index_lists_every_document_with_its_address(client: TestClient) -> None:
    index = client.get("/api/v1/schemas/").json()
    assert index["version"] == "v1"
    assert [d["name"] for d in index["documents"]] == list(DOCUMENTS)
    for name in ("profile", "case", "decision", "advice-item", "action-plan", "feedback", "outcome", "log-event"):
        assert f"/api/v1/schemas/{name}" in [d["url"] for d in index["documents"]]


def test_each_address_serves_its_schema(client: TestClient) -> None:
    for document in client.get("/api/v1/schemas/").json()["documents"]:
        response = client.get(document["url"])
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/schema+json"
        assert response.json() == published_schema(document["name"])


def test_unknown_document_is_a_problem_listing_the_published_ones(client: TestClient) -> None:
    response = client.get("/api/v1/schemas/person")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert "No schema 'person' in version v1; published: profile, case" in response.json()["detail"]
