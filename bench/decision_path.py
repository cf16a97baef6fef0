"""In-process decision path latency (issue 6): snapshot + features + rules + scoring + explanation + log.

Targets on SQLite: p50 <= 5 ms, p99 <= 20 ms. PostgreSQL figures are reported too. Baselines
measured in the same run: the rules-only path (kill switch on, no model) and a bare
transaction that writes one snapshot and one event (the floor set by the database).

Run: ``.venv/bin/python -m bench.decision_path [--requests 400]``; writes bench/reports/decision_path.json.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from data.catalogue import load_catalogue
from data.seed import seed_reference_data
from models.crud import create_snapshot, get_jobcenter_by_code
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.schemas import Profile
from models.tables import JobSeeker
from recommender.decide.decision_path import recommend
from recommender.decide.killswitch import set_kill_switch
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.experiment import run
from recommender.learn.train import TrainConfig
from recommender.records.chain import EventType, append_event

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REPORT = Path(__file__).parent / "reports" / "decision_path.json"
OCCUPATIONS = ["62102", "52122", "81302", "25102", "71402", "54101", "51311", "83112"]


def _profile(rng: random.Random) -> Profile:
    return Profile.model_validate({
        "target_occupation": rng.choice(OCCUPATIONS),
        "region_ags": rng.choice(["09362", "11000", "05315", "14612"]),
        "vocational_qualification": rng.choice(["none", "apprenticeship", "bachelor"]),
        "german_level": rng.choice(["A2", "B1", "B2", "C1"]),
        "months_unemployed": rng.randint(0, 60),
        "applications_last_3_months": rng.randint(0, 40),
        "interviews_last_3_months": rng.randint(0, 4),
        "search_channels": rng.sample(["jobcenter", "job_boards", "personal_network", "spontaneous"], 2),
        "has_cv": rng.random() < 0.6,
        "driving_licence": rng.random() < 0.5,
        "max_commute_minutes": rng.choice([15, 30, 45, 60]),
        "salary_expectation_eur": rng.randint(1800, 4000),
    })


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(pick(0.50), 3), "p95_ms": round(pick(0.95), 3), "p99_ms": round(pick(0.99), 3),
            "mean_ms": round(statistics.fmean(ordered), 3), "n": len(ordered)}


def _timed(n: int, step: Callable[[int], Any]) -> dict[str, float]:
    step(-1)  # warm-up: caches, model load, prepared statements
    samples = []
    for i in range(n):
        started = time.perf_counter()
        step(i)
        samples.append((time.perf_counter() - started) * 1000)
    return _percentiles(samples)


def _measure(engine: Engine, registry: ModelRegistry, n: int) -> dict[str, Any]:
    upgrade(engine)
    with session_scope(engine) as session:
        seed_reference_data(session)
        jobcenter = get_jobcenter_by_code(session=session, code="demo")
        assert jobcenter is not None and jobcenter.id is not None
        jobcenter_id = jobcenter.id
    catalogue = load_catalogue()
    rng = random.Random(42)
    profiles = [_profile(rng) for _ in range(n + 1)]

    def decide(i: int) -> None:
        with session_scope(engine) as session:
            person = JobSeeker(jobcenter_id=jobcenter_id)
            session.add(person)
            session.flush()
            recommend(session, job_seeker=person, profile=profiles[i], registry=registry, actor_role="job_seeker",
                      actor_id=None, catalogue=catalogue, exploration_rate=0.1, rng=rng)

    def bare(i: int) -> None:
        with session_scope(engine) as session:
            person = JobSeeker(jobcenter_id=jobcenter_id)
            session.add(person)
            session.flush()
            assert person.id is not None
            snapshot = create_snapshot(session=session, job_seeker_id=person.id,
                                       payload=profiles[i].model_dump(mode="json"))
            append_event(session, event_type=EventType.client_viewed, actor_role="job_seeker",
                         input_hash=snapshot.sha256)

    figures = {"model_path": _timed(n, decide), "bare_transaction": _timed(n, bare)}
    with session_scope(engine) as session:
        set_kill_switch(session, on=True, actor_role="admin", actor_id="bench", reason="benchmark rules path")
    figures["rules_path"] = _timed(n, decide)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        registry = ModelRegistry(Path(tmp) / "models")
        result = run(rows=20_000, config=TrainConfig.quick())
        version = registry.save(result.train)
        sqlite = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(sqlite)
        with session_scope(sqlite) as session:
            registry.promote(version, session=session, actor="bench")
        report: dict[str, Any] = {"requests": args.requests, "model_trees": result.train.meta.num_trees,
                                  "sqlite": _measure(sqlite, registry, args.requests)}
        schema = f"bench_{int(time.time())}"
        admin = make_engine(POSTGRES_URL)
        try:
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            report["postgresql"] = _measure(make_engine(POSTGRES_URL, schema=schema), registry, args.requests)
        except Exception as exc:  # noqa: BLE001 - the SQLite figures still count
            report["postgresql"] = {"error": str(exc).splitlines()[0]}
        finally:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    sqlite_model = report["sqlite"]["model_path"]
    report["targets"] = {"p50_ms<=5": sqlite_model["p50_ms"] <= 5, "p99_ms<=20": sqlite_model["p99_ms"] <= 20}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    for database in ("sqlite", "postgresql"):
        for path, figures in report[database].items() if isinstance(report[database], dict) else []:
            if isinstance(figures, dict) and "p50_ms" in figures:
                print(f"{database:10} {path:17} p50 {figures['p50_ms']:7.2f} ms  p95 {figures['p95_ms']:7.2f} ms  "
                      f"p99 {figures['p99_ms']:7.2f} ms")
    print(f"targets (SQLite, model path): {report['targets']}  -> {REPORT}")


if __name__ == "__main__":
    main()
