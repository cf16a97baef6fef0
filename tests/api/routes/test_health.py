"""Probes and the problem+json error shape."""

from __future__ import annotations

import threading

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.settings import Settings
from api.warmup import Warmup
from frontend.main import create_frontend_app
from models.migrate import head_revision


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_ready_on_a_migrated_database(client: TestClient) -> None:
    assert client.app.state.warmup.wait(120)  # type: ignore[attr-defined]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["migrations"] == "ok"
    assert response.json()["checks"]["occupation_model"] == "ok"


def test_readyz_says_not_ready_until_the_occupation_model_is_loaded(app: FastAPI) -> None:
    release, loads = threading.Event(), []

    def slow_loader() -> None:
        loads.append(1)
        release.wait(30)

    app.state.warmup = Warmup(slow_loader)
    with TestClient(app) as client:  # the lifespan starts the load
        loading = client.get("/readyz")
        assert client.get("/healthz").status_code == 200  # alive while it loads
        release.set()
        assert app.state.warmup.wait(30)
        ready = client.get("/readyz")
    assert loading.status_code == 503
    assert loading.json()["checks"]["occupation_model"] == "loading"
    assert ready.status_code == 200 and ready.json()["checks"]["occupation_model"] == "ok"
    assert loads == [1]


def test_readyz_reports_an_occupation_model_that_failed_to_load(app: FastAPI) -> None:
    def broken_loader() -> None:
        raise OSError("artefact missing")

    app.state.warmup = Warmup(broken_loader)
    with TestClient(app) as client:
        assert app.state.warmup.wait(30)
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["occupation_model"] == "failed: OSError"


def test_readyz_answers_503_before_migrations(settings: Settings) -> None:
    with TestClient(create_frontend_app(settings)) as fresh:
        response = fresh.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == f"at None, expected {head_revision()}"


def test_readyz_answers_503_when_the_database_is_unreachable(settings: Settings) -> None:
    unreachable = settings.model_copy(
        update={"database_url": "postgresql+psycopg://postgres@127.0.0.1:1/none?connect_timeout=1"}
    )
    with TestClient(create_frontend_app(unreachable)) as fresh:
        response = fresh.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"].startswith("unreachable")


def test_unknown_path_is_problem_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found"
    assert body["request_id"] == response.headers["x-request-id"]


def test_wrong_method_is_problem_json(client: TestClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_incoming_request_id_is_echoed(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc123-test-id"})
    assert response.headers["x-request-id"] == "abc123-test-id"


def test_hostile_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert response.headers["x-request-id"] != "<script>"
    assert len(response.headers["x-request-id"]) == 32


def test_openapi_docs_are_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    assert client.get("/openapi.json").json()["info"]["title"] == "Lotse API"


def test_docs_page_uses_local_assets_and_no_inline_script(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower()
    assert "<script>" not in page.text
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs/init/swagger-init.js").status_code == 200


def test_readyz_names_the_model_or_says_the_rules_answer(client: TestClient) -> None:
    assert client.app.state.warmup.wait(120)  # type: ignore[attr-defined]
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert body["model"] == "none active: advice from the rules baseline"
