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
from sqlalchemy.engine import Engine

from api.settings import Settings
from bench.decision_path import _profile
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
          ("guardrails", "evaluate_guardrails"), ("view", "decision_view"), ("response", "serialize_response")]
# A decision's rows; of the events, the ones a decision writes (page views etc. are not counted).
STORED_TABLES = {"profile_snapshot": "", "decision": "", "decision_item": "",
                 "event": " WHERE event_type IN ('recommendation_generated', 'review_superseded')"}


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


async def _drive(app: Any, requests: int, profiler: cProfile.Profile) -> dict[str, float]:
    rng = random.Random(7)
    bodies = [{"profile": _profile(rng).model_dump(mode="json")} for _ in range(200)]
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        async def one(i: int) -> None:
            client.cookies.clear()  # a first visit: a new trial case each time
            response = await client.post("/api/v1/recommendations", json=bodies[i % len(bodies)])
            if response.status_code != 201:
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


def stored_bytes(engine: Engine) -> dict[str, float]:
    """Bytes per decision as stored: every column of the decision's rows, JSON as its stored text
    (on PostgreSQL JSON comes back decoded, so its figure is approximate)."""
    with engine.connect() as connection:
        decisions = connection.exec_driver_sql("SELECT count(*) FROM decision").scalar_one()
        out: dict[str, float] = {}
        for table, where in STORED_TABLES.items():
            total = 0
            for row in connection.exec_driver_sql(f"SELECT * FROM {table}{where}"):  # noqa: S608 - fixed text
                total += sum(len(str(value).encode("utf-8")) for value in row if value is not None)
            out[table] = round(total / max(1, decisions), 1)
    out["total"] = round(sum(out.values()), 1)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=25, help="Functions listed by cumulative time.")
    args = parser.parse_args()
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory() as name:
        app = _app(Path(name))
        figures = asyncio.run(_drive(app, args.requests, profiler))
        stored = stored_bytes(app.state.engine)
        app.state.engine.dispose()
    stages = _stage_ms(profiler, args.requests)
    report = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "requests": args.requests, **figures,
              "profiled_ms_per_request": stages, "stored_bytes_per_decision": stored}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
