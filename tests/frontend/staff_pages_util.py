"""Helpers for the staff page tests: sign in through the HTML form like a browser."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.factories import TEST_PASSWORD
from tests.frontend.seeker_util import csrf_from, post_form


def page_login(app: FastAPI, username: str, password: str = TEST_PASSWORD) -> TestClient:
    client = TestClient(app)
    response = post_form(client, "/login", "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.text
    return client


def post_on_page(client: TestClient, page: str, action: str, data: dict[str, Any]) -> Any:
    """POST *data* with the CSRF token of *page* (as the form on that page would)."""
    return post_form(client, page, action, data)


__all__ = ["csrf_from", "page_login", "post_on_page"]
