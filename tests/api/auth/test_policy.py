"""The authorization matrix: every route x every role (and anonymous), from the route table.

The list of routes is read from the app itself, so a new route appears here without anyone
editing this file. A route that declares no access rule fails
``test_every_route_declares_its_access``; a declared rule that is not enforced fails its row
in the matrix. How to declare access: ``docs/security.md``.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.auth.api_tokens import SCOPES, create_token
from api.auth.policy import AccessRule, RouteAccess, route_inventory, undeclared_routes
from api.settings import Settings
from frontend.main import create_frontend_app
from models.db import session_scope
from models.migrate import upgrade
from models.tables import Jobcenter
from tests.api.staff_util import ROLES, StaffWorld, build_world, csrf, logged_in, use_cheap_argon2
from tests.factories import _TEST_HASH

ANONYMOUS = "anonymous"
OTHER_JOBCENTER = "token of another Jobcenter"
PRINCIPALS = (ANONYMOUS, *ROLES)
STAFF = ("counsellor", "team_lead", "data_scientist", "admin")
# Signing in or out changes the client's own session; re-sign-in after calling these.
SESSION_CHANGING = {"/login", "/logout", "/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/auth/password"}
_PARAM = re.compile(r"{([^}:]+)(:[^}]*)?}")


def _make_app(directory: Path) -> FastAPI:
    settings = Settings(environment="test", database_url=f"sqlite:///{directory / 'matrix.db'}", var_dir=directory,
                        models_dir=directory / "models", log_level="warning")
    return create_frontend_app(settings)


def _inventory() -> list[RouteAccess]:
    with tempfile.TemporaryDirectory() as directory:
        app = _make_app(Path(directory))
        entries = [e for e in route_inventory(app) if e.methods != ("GET",) or not _is_mount(e)]
        app.state.engine.dispose()
    return entries


def _is_mount(entry: RouteAccess) -> bool:
    from starlette.routing import Mount

    return isinstance(getattr(entry.route, "original_route", entry.route), Mount)


ROUTES = [e for e in _inventory() if not _is_mount(e)]


def _method(entry: RouteAccess) -> str:
    methods = [m for m in entry.methods if m != "HEAD"]
    return methods[0] if methods else "GET"


@pytest.fixture(scope="module")
def matrix(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_cheap_argon2(monkeypatch)  # hundreds of sign-ins; the real cost is tested elsewhere
        app = _make_app(tmp_path_factory.mktemp("matrix"))
        upgrade(app.state.engine)
        app.state.warmup.start()  # as the app's start-up does, so /readyz answers as a served worker would
        assert app.state.warmup.wait(60), "the occupation model did not load"
        world = build_world(app)
        clients = {ANONYMOUS: TestClient(app)}
        for role in ROLES:
            clients[role] = logged_in(app, world.usernames[role])
        yield {"app": app, "world": world, "clients": clients, "tokens": _machine_tokens(app)}
        app.state.engine.dispose()
    _TEST_HASH.clear()


def _machine_tokens(app: FastAPI) -> dict[str, str]:
    """One token per scope of the world's Jobcenter, and one with every scope of the other Jobcenter."""
    tokens = {}
    with session_scope(app.state.engine) as session:
        centers = {center.code: center for center in session.exec(select(Jobcenter)).all()}
        for scope in SCOPES:
            tokens[scope] = create_token(session, jobcenter=centers["demo"], name=f"matrix {scope}",
                                         scopes=scope).secret
        tokens[OTHER_JOBCENTER] = create_token(session, jobcenter=centers["other"], name="matrix other",
                                               scopes=list(SCOPES)).secret
    return tokens


def _fill(path: str, world: StaffWorld) -> str:
    values = {"pseudonym": world.own_case, "decision_id": world.decision_id, "item_id": world.item_ids[0],
              "user_id": "999999", "slug": "matrix-probe"}
    return _PARAM.sub(lambda m: values.get(m.group(1), "matrix-probe"), path)


def _call(client: TestClient, method: str, url: str, html: bool) -> Any:
    # The token is fixed for the life of a session; fetch it once per client.
    token = getattr(client, "_matrix_csrf", None) or csrf(client)
    client._matrix_csrf = token  # type: ignore[attr-defined]
    headers = {"X-CSRF-Token": token}
    if method in ("GET", "DELETE"):
        return client.request(method, url, headers=headers, follow_redirects=False)
    if html:
        return client.request(method, url, headers=headers, data={}, follow_redirects=False)
    return client.request(method, url, headers=headers, json={}, follow_redirects=False)


def _refused_as_anonymous(response: Any, html: bool) -> bool:
    if html:
        return response.status_code == 303 and response.headers.get("location", "").startswith("/login?next=")
    return response.status_code == 401


def test_every_route_declares_its_access() -> None:
    with tempfile.TemporaryDirectory() as directory:
        app = _make_app(Path(directory))
        assert undeclared_routes(app) == [], "declare access as described in docs/security.md"
        app.state.engine.dispose()


def test_a_route_without_declaration_is_detected() -> None:
    with tempfile.TemporaryDirectory() as directory:
        app = _make_app(Path(directory))
        router = APIRouter()

        @router.get("/forgotten")
        def forgotten() -> dict[str, str]:
            return {}

        app.include_router(router)
        assert "GET /forgotten" in undeclared_routes(app)
        app.state.engine.dispose()


def test_matrix_covers_the_staff_and_job_seeker_routes() -> None:
    paths = {e.path for e in ROUTES}
    for expected in ("/api/v1/cases/{pseudonym}", "/staff/caseload", "/api/v1/admin/kill-switch", "/login",
                     "/api/v1/cases/{pseudonym}/outcomes", "/staff/cases/{pseudonym}/outcomes"):
        assert expected in paths


@pytest.mark.parametrize("entry", ROUTES, ids=[f"{_method(e)} {e.path}" for e in ROUTES])
def test_route_answers_each_role_as_declared(matrix: dict[str, Any], entry: RouteAccess) -> None:
    app, world, clients = matrix["app"], matrix["world"], matrix["clients"]
    rule = entry.effective
    assert rule is not None
    method, url = _method(entry), _fill(entry.path, world)
    html = not url.startswith("/api/")
    failures = []
    for principal in PRINCIPALS:
        response = _call(clients[principal], method, url, html)
        status = response.status_code
        if "no-store" not in response.headers.get("cache-control", ""):
            failures.append(f"{principal}: personal data may be cached (no Cache-Control: no-store), {status}")
        if status >= 500:
            failures.append(f"{principal}: server error {status}")
        elif rule.kind == "roles":
            if principal == ANONYMOUS:
                if not _refused_as_anonymous(response, html):
                    failures.append(f"anonymous: expected login required, got {status}")
            elif principal not in rule.roles and status != 403:
                failures.append(f"{principal}: expected 403, got {status}")
            elif principal in rule.roles and status in (401, 403):
                failures.append(f"{principal}: allowed role refused with {status}")
        elif rule.kind == "job_seeker":
            if principal in STAFF and status != 403:
                failures.append(f"{principal}: staff must not use the job-seeker's own view, got {status}")
            elif principal not in STAFF and status == 403 and "csrf" not in response.text.lower():
                failures.append(f"{principal}: job-seeker route refused with 403")
        elif rule.kind == "public" and status == 403:
            failures.append(f"{principal}: public route refused with 403")
        elif rule.kind == "scope" and status != 401:
            failures.append(f"{principal}: a person's session must not open a machine endpoint, got {status}")
        if principal != ANONYMOUS and entry.path in SESSION_CHANGING:
            clients[principal] = logged_in(app, world.usernames[principal])
        if principal == ANONYMOUS and entry.path in SESSION_CHANGING:
            clients[principal] = TestClient(app)
    assert failures == [], f"{method} {url} ({rule}):\n" + "\n".join(failures)


def _machine_call(matrix: dict[str, Any], entry: RouteAccess, token: str) -> Any:
    client = TestClient(matrix["app"])  # no cookies: the token is the only credential
    url = _fill(entry.path, matrix["world"])
    return client.request(_method(entry), url, headers={"Authorization": f"Bearer {token}"}, json={},
                          follow_redirects=False)


@pytest.mark.parametrize("entry", ROUTES, ids=[f"{_method(e)} {e.path}" for e in ROUTES])
def test_route_answers_each_machine_token_as_declared(matrix: dict[str, Any], entry: RouteAccess) -> None:
    """A token reaches exactly the endpoints of its scopes, only its own Jobcenter's data, and no page for people."""
    rule, world = entry.effective, matrix["world"]
    assert rule is not None
    failures = []
    for name, token in matrix["tokens"].items():
        response = _machine_call(matrix, entry, token)
        status, html = response.status_code, not entry.path.startswith("/api/")
        if status >= 500:
            failures.append(f"{name}: server error {status}")
        elif rule.kind == "scope" and name == OTHER_JOBCENTER:
            # A refusal may repeat the pseudonym the client sent; an answer must hold no case of the world.
            if "{pseudonym}" in entry.path and status not in (403, 404):
                failures.append(f"{name}: reached a case of another Jobcenter ({status})")
            if status < 400 and (world.own_case in response.text or world.colleague_case in response.text):
                failures.append(f"{name}: answered with cases of another Jobcenter ({status})")
        elif rule.kind == "scope" and name == rule.scope and status in (401, 403):
            failures.append(f"{name}: token with the scope refused with {status}")
        elif rule.kind == "scope" and name != rule.scope and status != 403:
            failures.append(f"{name}: token without scope {rule.scope} expected 403, got {status}")
        elif rule.kind == "roles" and not (_refused_as_anonymous(response, html) or status == 403):
            failures.append(f"{name}: a token must not open a page or endpoint for staff, got {status}")
        elif rule.kind == "job_seeker" and (world.own_case in response.text or world.foreign_case in response.text):
            failures.append(f"{name}: a token must not reach a job-seeker's own view ({status})")
    assert failures == [], f"{_method(entry)} {entry.path} ({rule}):\n" + "\n".join(failures)


def test_admin_reads_no_case_content(matrix: dict[str, Any]) -> None:
    world, admin = matrix["world"], matrix["clients"]["admin"]
    for url in (f"/api/v1/cases/{world.own_case}", f"/api/v1/cases/{world.own_case}/decisions/{world.decision_id}",
                f"/staff/cases/{world.own_case}", "/api/v1/cases", "/api/v1/reviews/queue"):
        assert admin.get(url, follow_redirects=False).status_code == 403, url


def test_data_scientist_gets_no_identifiers(matrix: dict[str, Any]) -> None:
    world, scientist = matrix["world"], matrix["clients"]["data_scientist"]
    html = scientist.get("/staff/data").text
    assert world.own_case not in html and world.colleague_case not in html
    assert scientist.get(f"/api/v1/cases/{world.own_case}").status_code == 403


def test_rule_kinds_are_the_documented_ones() -> None:
    assert {e.effective.kind for e in ROUTES if e.effective} <= {"public", "roles", "job_seeker", "scope"}
    assert AccessRule.for_roles(["admin"]).roles == frozenset({"admin"})
