"""Memory of one serving worker over 10,000 requests (issue 16: RSS <= 400 MB after start, <= 10 % growth).

For each database, one uvicorn worker of ``frontend.main:app`` (the model promoted, the occupation
model loaded at start-up) gets a fixed number of requests in rotation from a few concurrent
clients: ``POST /api/v1/recommendations`` (a new trial case each, a different synthetic profile),
the job-seeker's advice page and ``GET /api/v1/occupations/suggest`` with varied titles. The
worker's RSS is read after start (ready), and after every ``--step`` requests; the report gives the
growth from start and from the first step (after warm-up: first pages rendered, first queries
compiled), so memory that grows per request shows as a slope, not as the warm-up.

Run: ``.venv/bin/python -m bench.memory [--requests 10000] [--databases sqlite,postgresql]``;
writes bench/reports/memory.json. RSS, not timings: the client shares the machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]

from bench.decision_path import _profile
from bench.http_load import _database, _drop, _lotse_env, _machine, _prepare_seeker, _request, _rss_mb, _server
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.experiment import run
from recommender.learn.train import TrainConfig

REPORT = Path(__file__).parent / "reports" / "memory.json"
SCENARIOS = ("recommend", "advice", "suggest")


async def _mixed(url: str, requests: int, *, concurrency: int, rng: random.Random,
                 clients: dict[str, list[httpx.AsyncClient]]) -> dict[str, int]:
    """*requests* requests in rotation over the scenarios; returns the count of errors by status."""
    errors: dict[str, int] = {}
    order = itertools.islice(itertools.cycle(SCENARIOS), requests)

    async def worker(n: int) -> None:
        for scenario in order:  # one shared iterator: the workers take turns
            try:
                response = await _request(clients[scenario][n], scenario, rng)
                key = None if response.status_code < 400 else str(response.status_code)
            except httpx.HTTPError as exc:
                key = type(exc).__name__
            if key is not None:
                errors[key] = errors.get(key, 0) + 1

    await asyncio.gather(*(worker(n) for n in range(concurrency)))
    return errors


async def _run(url: str, root: psutil.Process, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(16)
    clients = {s: [httpx.AsyncClient(base_url=url, timeout=60) for _ in range(args.concurrency)] for s in SCENARIOS}
    start = max(_rss_mb(root))
    print(f"  after start {start} MB", flush=True)
    try:
        await asyncio.gather(*(_prepare_seeker(c, _profile(rng).model_dump(mode="json")) for c in clients["advice"]))
        steps: list[dict[str, Any]] = []
        done, errors = 0, 0
        while done < args.requests:
            batch = min(args.step, args.requests - done)
            errors += sum((await _mixed(url, batch, concurrency=args.concurrency, rng=rng,
                                        clients=clients)).values())
            done += batch
            steps.append({"requests": done, "rss_mb": max(_rss_mb(root))})
            print(f"  {done:6} requests  rss {steps[-1]['rss_mb']} MB  errors {errors}", flush=True)
    finally:
        await asyncio.gather(*(c.aclose() for group in clients.values() for c in group))
    end, first = steps[-1]["rss_mb"], steps[0]["rss_mb"]
    return {"rss_mb_after_start": start, "steps": steps, "errors": errors,
            "rss_mb_after_first_step": first, "rss_mb_after_all": end,
            "growth_pct_from_start": round(100 * (end - start) / start, 1),
            "growth_pct_from_first_step": round(100 * (end - first) / first, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--step", type=int, default=1_000, help="Read the RSS after every this many requests.")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": _machine(),
                              "requests": args.requests, "concurrency": args.concurrency, "runs": {}}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        registry = ModelRegistry(tmp / "models")
        version = registry.save(run(rows=20_000, config=TrainConfig.quick()).train)
        for database in args.databases.split(","):
            url_db, schema = _database(tmp, database, registry, version)
            try:
                with _server("frontend.main:app", 1, _lotse_env(tmp, url_db, tmp / "models", 1)) as (url, root):
                    print(f"{database}:", flush=True)
                    report["runs"][database] = asyncio.run(_run(url, root, args))
            finally:
                _drop(schema)
    report["targets"] = {
        f"{db}_{name}": {"value": r[key], "met": r[key] <= limit}
        for db, r in report["runs"].items()
        for name, key, limit in (("rss_mb_after_start<=400", "rss_mb_after_start", 400),
                                 ("growth_pct<=10", "growth_pct_from_start", 10))}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"targets: {json.dumps(report['targets'])}  -> {REPORT}")


if __name__ == "__main__":
    main()
