"""Where the CPU of one ``POST /api/v1/recommendations`` goes, and what a decision stores (issue 16).

The real app (``frontend.main``) on a SQLite file with a trained model, driven in-process
through its ASGI interface. Thread-pool hops are run inline so the whole request is on one
thread and ``cProfile`` sees all of it; each request opens a new trial case, as in
``bench/http_load.py``. Reports CPU ms per request (warm, without the profiler), the
profiled share of the named stages, and the bytes stored per decision (its snapshot, decision,
items and events, each column as stored), per table.

Run: ``.venv/bin/python -m bench.decision_profile [--requests 300]``; writes
bench/reports/decision_profile.json. Profiles are synthetic.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio.to_thread
import httpx

from api.settings import Settings
from bench.decision_path import _profile
from bench.http_load import _CSRF
from bench.storage import stored_bytes
from data.seed import seed_reference_data
from frontend.main import create_frontend_app
from models.db import session_scope
from models.migrate import upgrade
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.experiment import run
from recommender.learn.train import TrainConfig

REPORT = Path(__file__).parent / "reports" / "decision_profile.json"
# Stages reported by cumulative profiled time: (label, function name in the profile).
STAGES = [("route", "create_recommendation"), ("dependencies", "solve_dependencies"), ("plan", "plan_decision"),
          ("write", "write_decision"), ("insert_event", "insert_event"), ("append_event", "append_event"),
          ("market", "market_context_for"), ("rank", "_rank"), ("reasons", "item_reasons"),
          ("guardrails", "evaluate_guardrails"), ("view", "decision_view"), ("response", "serialize_response"),
          ("advice page", "read_advice"), ("render", "render"), ("decision view", "latest_decision_view")]


async def _inline(func: Callable[..., Any], *args: Any, **_: Any) -> Any:
    return func(*args)


def _app(tmp: Path) -> Any:
    registry = ModelRegistry(tmp / "models")
    version = registry.save(run(rows=5_000, config=TrainConfig.quick()).train)
    settings = Settings(environment="development", database_url=f"sqlite:///{tmp}/app.db",
                        audit_database_url=f"sqlite:///{tmp}/audit.db", var_dir=tmp, models_dir=tmp / "models",
                        log_level="warning", anonymous_cases_per_hour=100_000)
    app = create_frontend_app(settings)
    upgrade(app.state.engine)
    with session_scope(app.state.engine) as session:
        seed_reference_data(session)
        registry.promote(version, session=session, actor="bench")
    return app


async def _drive(app: Any, scenario: str, requests: int, profiler: cProfile.Profile) -> dict[str, float]:
    rng = random.Random(7)
    bodies = [{"profile": _profile(rng).model_dump(mode="json")} for _ in range(200)]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        if scenario == "advice":  # one trial case with a decision and the notice acknowledged
            (await client.post("/api/v1/recommendations", json=bodies[0])).raise_for_status()
            token = _CSRF.search((await client.get("/notice")).text)
            if token is None:
                raise RuntimeError("no CSRF token on /notice")
            await client.post("/notice", data={"csrf_token": token.group(1)})

        async def one(i: int) -> None:
            if scenario == "advice":
                response, expected = await client.get("/advice"), 200
            else:
                client.cookies.clear()  # a first visit: a new trial case each time
                response, expected = await client.post("/api/v1/recommendations", json=bodies[i % len(bodies)]), 201
            if response.status_code != expected:
                raise RuntimeError(response.text)

        for i in range(30):
            await one(i)
        cpu, wall = time.process_time(), time.perf_counter()
        for i in range(requests):
            await one(i)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        profiler.enable()
        for i in range(requests):
            await one(i)
        profiler.disable()
    return {"cpu_ms_per_request": round(1000 * cpu / requests, 2),
            "wall_ms_per_request": round(1000 * wall / requests, 2)}


def _stage_ms(profiler: cProfile.Profile, requests: int) -> dict[str, float]:
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    out: dict[str, float] = {}
    for label, name in STAGES:
        cumulative = [value[3] for (_, _, function), value in stats.items() if function == name]
        if cumulative:
            out[label] = round(1000 * max(cumulative) / requests, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25, help="Functions listed by cumulative time.")
    args = parser.parse_args()
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "requests": args.requests,
                              "load_avg_at_start": os.getloadavg()}
    for scenario in ("recommend", "advice"):
        profiler = cProfile.Profile()
        with tempfile.TemporaryDirectory() as name:
            app = _app(Path(name))
            figures = asyncio.run(_drive(app, scenario, args.requests, profiler))
            if scenario == "recommend":
                report["stored_bytes_per_decision"] = stored_bytes(app.state.engine)
            app.state.engine.dispose()
        report[scenario] = {**figures, "profiled_ms_per_request": _stage_ms(profiler, args.requests)}
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
