"""NUL bytes, unpaired surrogates and oversized bodies are refused before they reach a database (issue 17).

On PostgreSQL a NUL in any text used to end in a 500 (``psycopg.DataError``); on SQLite it was
stored and broke later reads. Now JSON bodies get 422, paths, query strings and forms 400,
on both databases, and nothing is stored.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from api.i18n import gettext
from api.security.input_guard import BODY_TOO_LARGE, UNSTORABLE_TEXT
from api.settings import Settings
from data.seed import DEMO_JOBCENTER_CODE
from models.db import session_scope
from models.tables import JobSeeker
from tests.api.staff_util import csrf
from tests.factories import make_jobcenter
from tests.frontend.seeker_util import csrf_from

NUL, SURROGATE = "\x00", "\ud800"


def _seeded(app: FastAPI) -> TestClient:
    with session_scope(app.state.engine) as session:
        make_jobcenter(session, code=DEMO_JOBCENTER_CODE)
    return TestClient(app)


def _cases(app: FastAPI) -> int:
    with Session(app.state.engine) as session:
        return session.exec(select(func.count()).select_from(JobSeeker)).one()


def test_nul_and_surrogates_in_json_bodies_get_422_and_store_nothing(db_app: FastAPI) -> None:
    client = _seeded(db_app)
    headers = {"X-CSRF-Token": csrf(client), "Content-Type": "application/json"}
    for bad in (NUL, SURROGATE):
        # Sent as JSON escapes (\u0000, \ud800), the way a script would.
        login = client.post("/api/v1/auth/login", headers=headers,
                            content=json.dumps({"username": f"a{bad}b", "password": "x" * 12}))
        assert login.status_code == 422, login.text
        assert login.json()["detail"] == gettext(UNSTORABLE_TEXT, "de")  # German unless asked otherwise
        advice = client.post("/api/v1/recommendations", headers=headers,
                             content=json.dumps({"profile": {"target_occupation_text": f"Koch{bad}"}}))
        assert advice.status_code == 422, advice.text
    assert _cases(db_app) == 0


def test_nul_in_paths_and_queries_gets_400(db_app: FastAPI) -> None:
    client = _seeded(db_app)
    for path in ("/api/v1/decisions/abc%00", "/api/v1/cases/abc%00", "/staff/cases/abc%00",
                 "/api/v1/occupations/suggest?q=Koch%00", "/api/v1/cases?sort=%00"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 400, (path, response.status_code, response.text[:200])


def test_nul_in_html_forms_gets_400_page(db_app: FastAPI) -> None:
    client = _seeded(db_app)
    token = csrf_from(client.get("/login").text)
    login = client.post("/login", data={"csrf_token": token, "username": "a\x00b", "password": "x" * 12},
                        follow_redirects=False)
    assert login.status_code == 400 and "text/html" in login.headers["content-type"]
    start = client.post("/start", data={"csrf_token": token}, follow_redirects=False)
    assert start.status_code == 303
    for action, form in (("/account", {"username": "a\x00b", "jobcenter_code": "demo"}),
                         ("/feedback/some-item", {"kind": "helpful", "comment": "gut\x00"})):
        response = client.post(action, data={"csrf_token": token, **form}, follow_redirects=False)
        assert response.status_code == 400, (action, response.status_code)


def test_json_body_over_the_limit_gets_413(settings: Settings) -> None:
    from frontend.main import create_frontend_app
    from models.migrate import upgrade

    app = create_frontend_app(settings.model_copy(update={"max_body_bytes": 4096}))
    upgrade(app.state.engine)
    client = _seeded(app)
    response = client.post("/api/v1/recommendations", json={"profile": {"target_occupation_text": "x" * 5000}},
                           headers={"X-CSRF-Token": csrf(client)})
    assert response.status_code == 413 and response.json()["detail"] == gettext(BODY_TOO_LARGE, "de")
    assert _cases(app) == 0

