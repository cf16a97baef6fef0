"""Helpers for the job-seeker page tests: read the CSRF token a page offers, post a form."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from recommender.casework.journey import demo_jobcenter

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token field"
    return match.group(1)


def post_form(client: TestClient, page: str, action: str, data: dict[str, Any] | list[tuple[str, str]],
              **kwargs: Any) -> Any:
    """GET *page* for a fresh token, then POST *data* to *action* like a browser without JavaScript."""
    token = csrf_from(client.get(page).text)
    items = list(data.items()) if isinstance(data, dict) else list(data)
    form: dict[str, list[str]] = {"csrf_token": [token]}
    for key, value in items:
        values = value if isinstance(value, list) else [value]
        form.setdefault(key, []).extend(str(v) for v in values)
    return client.post(action, data=form, follow_redirects=False, **kwargs)


@pytest.fixture
def fake_path(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Replace the decision path by the small fake (tests must not depend on models or catalogue)."""
    import recommender.decide
    from tests.frontend import fake_decision_path

    monkeypatch.setitem(sys.modules, "recommender.decide.decision_path", fake_decision_path)
    monkeypatch.setattr(recommender.decide, "decision_path", fake_decision_path, raising=False)
    return fake_decision_path


@pytest.fixture
def seeded_client(client: TestClient, app: FastAPI) -> TestClient:
    """The app client with the demo Jobcenter present (``make run`` seeds it)."""
    with Session(app.state.engine) as session:
        demo_jobcenter(session)
        session.commit()
    return client


@pytest.fixture
def seeker(seeded_client: TestClient, fake_path: Any) -> TestClient:
    """A client that started a trial and acknowledged the first-use notice."""
    response = post_form(seeded_client, "/", "/start", {})
    assert response.status_code == 303
    response = post_form(seeded_client, "/notice", "/notice", {})
    assert response.status_code == 303
    return seeded_client


def db_session(app: FastAPI) -> Session:
    return Session(app.state.engine, expire_on_commit=False)
