"""OPTIONS names every method of a path, also when two routes serve it (issue 17)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(("path", "methods"), [
    ("/api/v1/admin/kill-switch", "GET, OPTIONS, PUT"),
    ("/api/v1/me/objection", "DELETE, OPTIONS, POST"),
    ("/api/v1/auth/login", "OPTIONS, POST"),
])
def test_options_names_every_method_of_the_path(client: TestClient, path: str, methods: str) -> None:
    response = client.options(path)
    assert response.status_code == 204 and response.headers["allow"] == methods
    assert client.options("/api/v1/no-such-thing").status_code == 404
