"""The start page is German, mobile-ready and needs no JavaScript."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_start_page_is_german_and_mobile_ready(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="de" dir="ltr">' in html
    assert 'name="viewport"' in html
    assert "Willkommen bei Lotse" in html
    assert "<script" not in html
    assert client.get("/static/lotse.css").status_code == 200


def test_favicon_is_small_and_served_from_lotse(client: TestClient) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.headers["content-type"] == "image/x-icon"
    assert len(response.content) < 1024
