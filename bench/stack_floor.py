"""What the prescribed stack alone costs per decision, beside Lotse's own CPU per decision (issue 16).

Issue 16 asks for at most 4 ms of CPU per ``POST /api/v1/recommendations``. Lotse is built on
FastAPI with pydantic, SQLAlchemy over the database driver and LightGBM's ``pred_contrib``, as the
project prescribes. This benchmark separates what those libraries cost for the very same decisions
from what Lotse's own code adds, in one run on one machine:

- **Lotse**: the real app (``frontend.main``) on SQLite, driven in-process as
  ``bench/decision_profile.py`` drives it (thread hops inline, a new trial case per request).
- **FastAPI + pydantic**: a bare route validating the same request bodies and returning a real
  decision's response through the same ``response_model``, driven by the same in-process client.
- **SQLAlchemy + sqlite3**: the exact SQL of the measured decisions, recorded as the app sent it
  and replayed with ``exec_driver_sql`` in the same transactions (read and write sessions as the
  app opens them) on a copy of the database taken before those decisions. No statement is built
  or compiled, no row becomes an object.
- **LightGBM**: the exact ``Booster.predict`` calls of those decisions, replayed.

The sum of the three is a floor: what the stack costs before Lotse computes, checks or logs
anything. Every figure is CPU time (``time.process_time``) per decision, the median of
``--rounds`` rounds that alternate Lotse and the floor parts. Profiles are synthetic.

Run: ``.venv/bin/python -m bench.stack_floor [--requests 300] [--rounds 3]``; writes
bench/reports/stack_floor.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx
import lightgbm as lgb
import numpy as np
from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.engine import Engine

from api.routes.recommendations import DecisionOut, RecommendationRequest
from bench.decision_path import _profile
from bench.decision_profile import _app, _inline
from models.db import make_engine, read_session, session_scope

REPORT = Path(__file__).parent / "reports" / "stack_floor.json"
_PATH = "/api/v1/recommendations"


@dataclass
class Recording:
    """What the app sent to the database and to LightGBM for some decisions, and one response."""

    transactions: list[tuple[bool, list[tuple[str, Any]]]] = field(default_factory=list)  # (read-only, SQL)
    predictions: list[tuple[lgb.Booster, np.ndarray, dict[str, Any]]] = field(default_factory=list)
    response: dict[str, Any] = field(default_factory=dict)


def _bodies() -> list[dict[str, Any]]:
    rng = random.Random(7)
    return [{"profile": _profile(rng).model_dump(mode="json")} for _ in range(200)]


async def _post_each(app: Any, bodies: list[dict[str, Any]], requests: int) -> dict[str, Any]:
    """*requests* first-visit recommendations through an in-process client; the last response."""
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        response = None
        for i in range(requests):
            client.cookies.clear()  # a first visit: a new trial case each time
            response = await client.post(_PATH, json=bodies[i % len(bodies)])
            if response.status_code != 201:
                raise RuntimeError(response.text)
    return response.json() if response is not None else {}


def _cpu_ms(work: Callable[[], object], requests: int) -> float:
    started = time.process_time()
    work()
    return 1000 * (time.process_time() - started) / requests


@contextmanager
def _recording(engine: Engine, recording: Recording) -> Iterator[None]:
    """Record each transaction's SQL on *engine* and each ``Booster.predict`` call while inside."""
    predict = lgb.Booster.predict

    def sent(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if statement in ("BEGIN", "BEGIN IMMEDIATE"):  # the session opens these itself on replay
            recording.transactions.append((statement == "BEGIN", []))
        else:
            recording.transactions[-1][1].append((statement, parameters))

    def predicted(booster: lgb.Booster, data: Any, *args: Any, **kwargs: Any) -> Any:
        if args:
            raise RuntimeError("Booster.predict called with positional options; record them too")
        recording.predictions.append((booster, np.array(data, copy=True), dict(kwargs)))
        return predict(booster, data, **kwargs)

    event.listen(engine, "before_cursor_execute", sent)
    lgb.Booster.predict = predicted  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        lgb.Booster.predict = predict  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", sent)


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database in WAL mode (the backup API reads through the WAL)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def _replay_sql(engine: Engine, transactions: list[tuple[bool, list[tuple[str, Any]]]]) -> None:
    for read_only, statements in transactions:
        with read_session(engine) if read_only else session_scope(engine) as session:
            connection = session.connection()
            for statement, parameters in statements:
                result = connection.exec_driver_sql(statement, parameters)
                if result.returns_rows:
                    result.fetchall()


def _replay_predictions(predictions: list[tuple[lgb.Booster, np.ndarray, dict[str, Any]]]) -> None:
    for booster, data, kwargs in predictions:
        booster.predict(data, **kwargs)


def _bare_app(response: dict[str, Any]) -> FastAPI:
    """The same request and response validation as Lotse's route, and nothing else."""
    app = FastAPI()
    answer = DecisionOut.model_validate(response)

    @app.post(_PATH, status_code=201, response_model=DecisionOut)
    async def recommend(body: RecommendationRequest) -> DecisionOut:
        return answer

    return app


def _round(app: Any, bare: FastAPI, recording: Recording, tmp: Path, bodies: list[dict[str, Any]],
           requests: int) -> dict[str, float]:
    """CPU ms per decision of Lotse and of each floor part, measured one after the other."""
    figures = {"lotse": _cpu_ms(lambda: asyncio.run(_post_each(app, bodies, requests)), requests),
               "fastapi_pydantic": _cpu_ms(lambda: asyncio.run(_post_each(bare, bodies, requests)), requests)}
    _copy_sqlite(tmp / "before.db", tmp / "replay.db")
    replay = make_engine(f"sqlite:///{tmp / 'replay.db'}")
    figures["sqlalchemy_sqlite"] = _cpu_ms(lambda: _replay_sql(replay, recording.transactions), requests)
    replay.dispose()
    figures["lightgbm"] = _cpu_ms(lambda: _replay_predictions(recording.predictions), requests)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]  # one thread, as in decision_profile
    bodies, n = _bodies(), args.requests
    rounds: dict[str, list[float]] = {"lotse": [], "fastapi_pydantic": [], "sqlalchemy_sqlite": [], "lightgbm": []}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        app = _app(tmp)
        asyncio.run(_post_each(app, bodies, 30))  # warm: first decisions, caches, compiled statements
        engine = app.state.engine
        _copy_sqlite(tmp / "app.db", tmp / "before.db")
        recording = Recording()
        with _recording(engine, recording):
            recording.response = asyncio.run(_post_each(app, bodies, n))
        bare = _bare_app(recording.response)
        asyncio.run(_post_each(bare, bodies, 30))
        for _ in range(args.rounds):
            for key, value in _round(app, bare, recording, tmp, bodies, n).items():
                rounds[key].append(value)
        engine.dispose()
    median = {key: round(statistics.median(values), 2) for key, values in rounds.items()}
    floor = round(median["fastapi_pydantic"] + median["sqlalchemy_sqlite"] + median["lightgbm"], 2)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "load_avg_at_start": os.getloadavg(),
        "requests": n, "rounds": args.rounds, "database": "sqlite", "synthetic_profiles": True,
        "cpu_ms_per_decision": {**median, "stack_floor": floor, "lotse_own_code": round(median["lotse"] - floor, 2)},
        "per_decision": {"sql_statements": sum(len(s) for _, s in recording.transactions) / n,
                         "transactions": len(recording.transactions) / n,
                         "lightgbm_predict_calls": len(recording.predictions) / n},
        "rounds_ms": {key: [round(v, 2) for v in values] for key, values in rounds.items()},
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
