"""The decision lane (``api.lane``, issue 16): one thread hop per decision, few at once per worker."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from types import SimpleNamespace
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, text

from api.lane import DecisionLane, in_lane
from api.routes.recommendations import EXAMPLE_PROFILE
from data.seed import DEMO_JOBCENTER_CODE
from models.db import session_scope
from tests.factories import make_jobcenter
from tests.frontend.seeker_util import csrf_from


def _request(lane: DecisionLane) -> Any:
    return SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(decision_lane=lane)))


@pytest.mark.parametrize("threads", [1, 2])
def test_the_lane_runs_at_most_its_threads_at_once(threads: int) -> None:
    request, lock, running, most = _request(DecisionLane(threads)), threading.Lock(), [0], [0]

    def work() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    async def six() -> None:
        await asyncio.gather(*(in_lane(request, work) for _ in range(6)))

    asyncio.run(six())
    assert most[0] == threads


def test_each_event_loop_has_its_own_lane() -> None:
    """Two apps' clients in tests (or two loops in one process) must not wait for each other's lane."""
    request, both_inside = _request(DecisionLane(1)), threading.Barrier(2, timeout=5)
    errors: list[BaseException] = []

    def loop_with_one_decision() -> None:
        try:
            asyncio.run(in_lane(request, both_inside.wait))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=loop_with_one_decision) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []


def test_lane_errors_reach_the_caller() -> None:
    def refuse() -> None:
        raise ValueError("no case")

    with pytest.raises(ValueError, match="no case"):
        asyncio.run(in_lane(_request(DecisionLane(1)), refuse))


def test_a_decision_costs_one_thread_hop(app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """FastAPI would hop once per synchronous dependency, exit and response check (eight times)."""
    with session_scope(app.state.engine) as session:
        make_jobcenter(session, code=DEMO_JOBCENTER_CODE)
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(func: Any, *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "__qualname__", repr(func)))
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    response = client.post("/api/v1/recommendations", json={"profile": EXAMPLE_PROFILE})
    assert response.status_code == 201, response.text
    assert len(hops) == 1, hops


def test_lane_routes_compute_write_and_render_on_both_databases(db_app: FastAPI) -> None:
    """PostgreSQL's read sessions are read-only: the routes must read there and write elsewhere."""
    with session_scope(db_app.state.engine) as session:
        make_jobcenter(session, code=DEMO_JOBCENTER_CODE)
    with TestClient(db_app) as client:
        assert client.post("/api/v1/recommendations", json={"profile": EXAMPLE_PROFILE}).status_code == 201
        token = csrf_from(client.get("/notice").text)
        client.post("/notice", data={"csrf_token": token}, follow_redirects=False)
        statements: list[str] = []
        event.listen(db_app.state.engine, "before_cursor_execute",
                     lambda _connection, _cursor, statement, *_: statements.append(statement))
        page = client.get("/advice")
        assert page.status_code == 200 and "Warum?" in page.text
        # The page holds its snapshot, so the decision's view and details do not read it again;
        # the details find the decision's snapshot through the view, not by reading the decision.
        assert sum("FROM profile_snapshot" in s for s in statements) == 1
        assert sum(bool(re.search(r"\bFROM decision\b", s)) for s in statements) == 1
        again = client.post("/advice", data={"csrf_token": token}, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"].endswith("/advice")
    with session_scope(db_app.state.engine) as session:
        decisions = session.execute(text("SELECT count(*) FROM decision")).scalar_one()
        views = session.execute(text("SELECT count(*) FROM event WHERE event_type = 'client_viewed'")).scalar_one()
    assert (decisions, views) == (2, 1)
