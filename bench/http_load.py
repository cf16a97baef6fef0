"""HTTP load on loopback (issue 16): Lotse under concurrent use, beside a bare FastAPI endpoint.

For SQLite and PostgreSQL, with 1 and 2 workers (started as ``lotse serve`` starts them:
``bench.serve``, ``api.workers``), a bounded load generator (a fixed number
of concurrent connections, a time limit and a request limit per scenario) drives:

- ``bare``: a FastAPI app with one ``GET`` returning constant JSON, same workers: the ceiling;
- ``recommend``: ``POST /api/v1/recommendations`` with a different synthetic profile per request;
- ``advice``: the job-seeker's advice page (``GET /advice``, after the notice was acknowledged);
- ``suggest``: ``GET /api/v1/occupations/suggest`` with varied titles (the first call, which loads
  the model, is timed on its own; with 2 workers it reaches one of them).

Per scenario: req/s, p50/p95/p99 latency, errors, server CPU per request (all server
processes; PostgreSQL's processes apart), CPU per worker, server RSS before and after, and the
ratio of req/s to the bare endpoint. The client runs on the same 2 cores, so it costs the server
some CPU: the bare ratio shows how much. The generator is Debian's ``wrk`` (``bench.clients.wrk``, installed by
``make bench``), which costs the server far less CPU than a Python client; ``--client asyncio``
(httpx) is the fallback when it is missing.

The whole matrix runs ``--repeat`` times (default 2), one after the other: this machine's own speed
drifts by more than many changes are worth, so a target counts as met only when every repetition
meets it (the report's ``targets`` give each repetition's value).

Run: ``.venv/bin/python -m bench.http_load [--seconds 8] [--repeat 2] [--concurrency 8] [--client wrk|asyncio]``;
writes bench/reports/http_load.json. Profiles and titles are synthetic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil  # type: ignore[import-untyped]
from fastapi import FastAPI
from sqlalchemy import text

from bench.clients import wrk
from bench.decision_path import POSTGRES_URL, _percentiles, _profile
from bench.storage import stored_bytes
from data.seed import seed_reference_data
from models.db import make_engine, session_scope
from models.migrate import upgrade
from recommender.decide.registry import ModelRegistry
from recommender.evaluate.experiment import run
from recommender.learn.train import TrainConfig

REPORT = Path(__file__).parent / "reports" / "http_load.json"
ROOT = Path(__file__).resolve().parents[1]
TITLES = ["Verkäuferin", "Staplerfahrer", "Altenpfleger", "Bürokauffrau", "Koch", "Lagerhelfer", "Erzieherin",
          "Softwareentwickler", "Reinigungskraft", "Kassiererin", "Maurer", "Friseurin", "Klarinettist"]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

bare_app = FastAPI()


@bare_app.get("/bare")
def bare() -> dict[str, str]:
    """The ceiling: FastAPI and uvicorn doing nothing else."""
    return {"status": "ok"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(target: str, workers: int, env: dict[str, str]) -> Any:
    """*target* served on loopback (``bench.serve``); yields (base url, process), stops it afterwards."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.serve", target, "--port", str(port), "--workers", str(workers)],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline, ready_in_a_row = time.monotonic() + 180, 0
        while time.monotonic() < deadline:
            try:
                # Lotse is ready once its occupation model is loaded (``api.warmup``), as a balancer
                # sees it; each probe is a new connection that any worker may take, so ten answers
                # in a row make it very likely that every worker is ready.
                ok = httpx.get(url + ("/bare" if "bare" in target else "/readyz"), timeout=5).status_code == 200
            except httpx.HTTPError:
                ok = False
            ready_in_a_row = ready_in_a_row + 1 if ok else 0
            if ready_in_a_row >= 10:
                break
            time.sleep(0.05 if ok else 0.3)
        else:
            error = process.stderr.read(2000).decode("utf-8", "replace") if process.stderr else ""
            raise RuntimeError(f"{target} did not start: {error}")
        yield url, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _processes(root: psutil.Process) -> list[psutil.Process]:
    return [root, *root.children(recursive=True)]


def _cpu_of(processes: list[psutil.Process], *, reaped_by: psutil.Process | None = None) -> float:
    """User and system CPU of *processes*, plus the ended children *reaped_by* has counted."""
    total = 0.0
    for proc in processes:
        try:
            times = proc.cpu_times()
            total += times.user + times.system
            if proc == reaped_by:
                total += times.children_user + times.children_system
        except psutil.NoSuchProcess:
            continue
    return total


def _cpu_seconds(root: psutil.Process) -> float:
    return _cpu_of(_processes(root))


def _postgres_cpu_seconds() -> float:
    """CPU of PostgreSQL on this machine: its live processes, plus the backends that have ended
    (counted by the postmaster once it reaped them), so the figure only grows."""
    postgres = [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres")]
    pids = {p.pid for p in postgres}
    postmaster = next((p for p in postgres if p.ppid() not in pids), None)
    return _cpu_of(postgres, reaped_by=postmaster)


def _workers(root: psutil.Process) -> list[psutil.Process]:
    """The serving processes: the children, or the parent when it serves alone."""
    procs = _processes(root)
    return procs[1:] or procs


def _worker_cpu_seconds(root: psutil.Process) -> list[float]:
    return [_cpu_of([p]) for p in _workers(root)]


def _rss_mb(root: psutil.Process) -> list[float]:
    return [round(p.memory_info().rss / 2**20, 1) for p in _workers(root) if p.is_running()]


async def _prepare_seeker(client: httpx.AsyncClient, profile: dict[str, Any]) -> None:
    """A trial case with a decision and the notice acknowledged, so ``/advice`` renders."""
    response = await client.post("/api/v1/recommendations", json={"profile": profile})
    response.raise_for_status()
    page = await client.get("/notice")
    token = _CSRF.search(page.text)
    if token is None:
        raise RuntimeError("no CSRF token on /notice")
    await client.post("/notice", data={"csrf_token": token.group(1)})


async def _drive(url: str, scenario: str, *, concurrency: int, seconds: float, max_requests: int,
                 seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    latencies: list[float] = []
    errors: dict[str, int] = {}
    limits = httpx.Limits(max_connections=concurrency)
    clients = [httpx.AsyncClient(base_url=url, timeout=30, limits=limits) for _ in range(concurrency)]
    try:
        if scenario == "advice":
            await asyncio.gather(*(_prepare_seeker(c, _profile(rng).model_dump(mode="json")) for c in clients))
        started = time.perf_counter()
        stop = started + seconds
        issued = 0

        async def worker(client: httpx.AsyncClient) -> None:
            nonlocal issued
            while time.perf_counter() < stop and issued < max_requests:
                issued += 1
                begin = time.perf_counter()
                try:
                    response = await _request(client, scenario, rng)
                    ok = response.status_code < 400
                    key = str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, key = False, type(exc).__name__
                latencies.append((time.perf_counter() - begin) * 1000)
                if not ok:
                    errors[key] = errors.get(key, 0) + 1

        await asyncio.gather(*(worker(c) for c in clients))
        elapsed = time.perf_counter() - started
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return {"requests": len(latencies), "seconds": round(elapsed, 2),
            "req_per_s": round(len(latencies) / elapsed, 1), "errors": errors, **_percentiles(latencies)}


async def _request(client: httpx.AsyncClient, scenario: str, rng: random.Random) -> httpx.Response:
    if scenario == "bare":
        return await client.get("/bare")
    if scenario == "recommend":
        # A new cookie-less request opens a new trial case each time, as first visits do.
        client.cookies.clear()
        return await client.post("/api/v1/recommendations", json={"profile": _profile(rng).model_dump(mode="json")})
    if scenario == "advice":
        return await client.get("/advice")
    return await client.get("/api/v1/occupations/suggest", params={"q": rng.choice(TITLES)})


def _drive_wrk(url: str, scenario: str, *, concurrency: int, seconds: float, max_requests: int,
               seed: int, new_connections: bool = False) -> dict[str, Any]:
    """The same scenario as :func:`_drive`, generated by ``wrk``: varied bodies, own cases' cookies."""
    rng = random.Random(seed)
    method, paths, bodies, cookies = "GET", ["/bare"], None, None
    if scenario == "recommend":
        method, paths = "POST", ["/api/v1/recommendations"]
        bodies = [{"profile": _profile(rng).model_dump(mode="json")} for _ in range(500)]
    elif scenario == "advice":
        paths, cookies = ["/advice"], _seeker_cookies(url, rng, concurrency)
    elif scenario == "suggest":
        paths = wrk.suggest_paths(TITLES)
    return wrk.run_wrk(url, method=method, paths=paths, bodies=bodies, cookies=cookies, concurrency=concurrency,
                       seconds=seconds, max_requests=max_requests, new_connections=new_connections)


def _seeker_cookies(url: str, rng: random.Random, count: int) -> list[str]:
    """Cookie headers of *count* trial cases whose advice page renders."""

    async def prepare() -> list[str]:
        cookies = []
        for _ in range(count):
            async with httpx.AsyncClient(base_url=url, timeout=30) as client:
                await _prepare_seeker(client, _profile(rng).model_dump(mode="json"))
                cookies.append("; ".join(f"{name}={value}" for name, value in client.cookies.items()))
        return cookies

    return asyncio.run(prepare())


def _first_request_ms(url: str, scenario: str) -> float | None:
    """The first suggest in a fresh server loads the occupation model: timed apart, then warm."""
    if scenario != "suggest":
        return None
    started = time.perf_counter()
    httpx.get(url + "/api/v1/occupations/suggest", params={"q": "Verkäuferin"}, timeout=120).raise_for_status()
    return round((time.perf_counter() - started) * 1000, 1)


def _scenario(url: str, root: psutil.Process, scenario: str, args: argparse.Namespace) -> dict[str, Any]:
    first_ms = _first_request_ms(url, scenario)
    rss_before = _rss_mb(root)
    cpu_before, database_before = _cpu_seconds(root), _postgres_cpu_seconds()
    workers_before = _worker_cpu_seconds(root)
    options = {"concurrency": args.concurrency, "seconds": args.seconds, "max_requests": args.max_requests,
               "seed": hash(scenario) & 0xFFFF}
    if args.client == "wrk":
        figures = _drive_wrk(url, scenario, **options, new_connections=args.new_connections)
    else:
        figures = asyncio.run(_drive(url, scenario, **options))
    cpu = _cpu_seconds(root) - cpu_before
    figures["server_cpu_ms_per_request"] = round(1000 * cpu / max(1, figures["requests"]), 2)
    # PostgreSQL's processes share the two cores: their CPU is part of what a request costs there.
    figures["postgres_cpu_ms_per_request"] = round(
        1000 * (_postgres_cpu_seconds() - database_before) / max(1, figures["requests"]), 2)
    figures["rss_mb_before"], figures["rss_mb_after"] = rss_before, _rss_mb(root)
    # How the load spread over the workers (with uvicorn's shared socket one worker took it all).
    figures["worker_cpu_s"] = [round(after - before, 2) for before, after in
                               zip(workers_before, _worker_cpu_seconds(root), strict=False)]
    if first_ms is not None:
        figures["first_request_ms"] = first_ms
    return figures


def _lotse_env(tmp: Path, database_url: str, models: Path, workers: int) -> dict[str, str]:
    return {"LOTSE_DATABASE_URL": database_url, "LOTSE_VAR_DIR": str(tmp), "LOTSE_MODELS_DIR": str(models),
            "LOTSE_AUDIT_DATABASE_URL": f"sqlite:///{tmp}/audit.db", "LOTSE_WORKERS": str(workers),
            "LOTSE_LOG_LEVEL": "warning", "LOTSE_ENVIRONMENT": "development",
            # Every client is 127.0.0.1: lift the per-address limit on new trial cases (still counted).
            "LOTSE_ANONYMOUS_CASES_PER_HOUR": "100000"}


def _database(tmp: Path, name: str, registry: ModelRegistry, version: str) -> tuple[str, str | None]:
    """A fresh, migrated, seeded database with the model promoted; returns (url, PostgreSQL schema)."""
    if name == "sqlite":
        url, schema = f"sqlite:///{tmp}/lotse-{time.time_ns()}.db", None
        engine = make_engine(url)
    else:
        schema = f"bench_http_{time.time_ns()}"
        with make_engine(POSTGRES_URL).begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
        engine = make_engine(POSTGRES_URL, schema=schema)
    upgrade(engine)
    with session_scope(engine) as session:
        seed_reference_data(session)
        registry.promote(version, session=session, actor="bench")
    engine.dispose()
    return url, schema


def _drop(schema: str | None) -> None:
    if schema:
        with make_engine(POSTGRES_URL).begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0, help="Time limit per scenario.")
    parser.add_argument("--max-requests", type=int, default=100_000, help="Request limit per scenario.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--new-connections", action="store_true",
                        help="wrk: each request on a new connection, as separate phones make them "
                             "(default: keep-alive).")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--repeat", type=int, default=2, help="Runs of the whole matrix; targets must hold in each.")
    parser.add_argument("--client", choices=("wrk", "asyncio"), default="wrk" if wrk.available() else "asyncio",
                        help="Load generator (default: wrk when installed).")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": _machine(),
                              "concurrency": args.concurrency, "seconds_per_scenario": args.seconds,
                              "new_connections": args.new_connections, "repeat": args.repeat,
                              "client": args.client, "runs": []}
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        registry = ModelRegistry(tmp / "models")
        version = registry.save(run(rows=20_000, config=TrainConfig.quick()).train)
        for repeat in range(1, args.repeat + 1):
            report["runs"] += _matrix(args, tmp, registry, version, repeat)
    report["targets"] = _targets(report["runs"])
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"targets: {json.dumps(report['targets'])}  -> {REPORT}")


def _matrix(args: argparse.Namespace, tmp: Path, registry: ModelRegistry, version: str,
            repeat: int) -> list[dict[str, Any]]:
    """One run of every worker count and database: the bare endpoint, then Lotse's scenarios."""
    runs: list[dict[str, Any]] = []
    for workers in (int(w) for w in args.workers.split(",")):
        with _server("bench.http_load:bare_app", workers, {}) as (url, root):
            bare_figures = _scenario(url, root, "bare", args)
        for database in args.databases.split(","):
            url_db, schema = _database(tmp, database, registry, version)
            try:
                with _server("frontend.main:app", workers, _lotse_env(tmp, url_db, tmp / "models", workers)) as (
                        url, root):
                    rss_start = _rss_mb(root)
                    figures = {"bare": bare_figures}
                    for scenario in ("recommend", "advice", "suggest"):
                        figures[scenario] = _scenario(url, root, scenario, args)
                        figures[scenario]["ratio_to_bare"] = round(
                            figures[scenario]["req_per_s"] / max(bare_figures["req_per_s"], 1e-9), 4)
                engine = make_engine(url_db) if schema is None else make_engine(POSTGRES_URL, schema=schema)
                stored = stored_bytes(engine)
                engine.dispose()
            finally:
                _drop(schema)
            runs.append({"repeat": repeat, "database": database, "workers": workers,
                         "rss_mb_after_start": rss_start, "stored_bytes_per_decision": stored, **figures})
            _print(repeat, database, workers, figures)
    return runs


def _machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": sys.version.split()[0],
            "memory_gb": round(psutil.virtual_memory().total / 2**30, 1), "load_avg_at_start": os.getloadavg()}


def _print(repeat: int, database: str, workers: int, figures: dict[str, Any]) -> None:
    for scenario, f in figures.items():
        print(f"#{repeat} {database:10} w={workers} {scenario:9} {f['req_per_s']:7.1f} req/s  p50 {f['p50_ms']:7.1f}  "
              f"p95 {f['p95_ms']:7.1f}  p99 {f['p99_ms']:7.1f} ms  cpu {f['server_cpu_ms_per_request']:6.2f} ms/req  "
              f"(postgres {f['postgres_cpu_ms_per_request']:5.2f})  "
              f"errors {sum(f['errors'].values())}  rss {f['rss_mb_after']} MB  worker cpu {f['worker_cpu_s']} s")


def _targets(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue's targets, each with its value in every repetition; met only if met in all of them."""
    out: dict[str, Any] = {}
    repeats = sorted({r["repeat"] for r in runs})
    for repeat in repeats:
        for key, target in _targets_of_one_run([r for r in runs if r["repeat"] == repeat]).items():
            merged = out.setdefault(key, {"values": [], "met": True})
            merged["values"].append(target["value"])
            merged["met"] = merged["met"] and target["met"]
    for merged in out.values():  # a target some repetition did not measure is not met
        merged["met"] = merged["met"] and len(merged["values"]) == len(repeats)
    return out


def _targets_of_one_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The targets for one run of the matrix, each with its measured value."""
    out: dict[str, Any] = {}
    for r in runs:
        tag = f"{r['database']}_w{r['workers']}"
        for scenario in ("recommend", "advice"):
            f = r[scenario]
            out[f"{tag}_{scenario}_p99_ms<=100"] = {"value": f["p99_ms"], "met": f["p99_ms"] <= 100}
            out[f"{tag}_{scenario}_errors==0"] = {"value": sum(f["errors"].values()),
                                                  "met": not f["errors"]}
        out[f"{tag}_recommend_cpu_ms<=4"] = {"value": r["recommend"]["server_cpu_ms_per_request"],
                                             "met": r["recommend"]["server_cpu_ms_per_request"] <= 4}
        out[f"{tag}_rss_mb_after_start<=400"] = {"value": r["rss_mb_after_start"],
                                                 "met": max(r["rss_mb_after_start"]) <= 400}
    by = {(r["database"], r["workers"]): r for r in runs}
    if ("postgresql", 1) in by and ("postgresql", 2) in by:
        gain = by[("postgresql", 2)]["recommend"]["req_per_s"] / max(by[("postgresql", 1)]["recommend"]["req_per_s"],
                                                                     1e-9)
        out["postgresql_recommend_2_workers_gain>=1.7"] = {"value": round(gain, 2), "met": gain >= 1.7}
    return out


if __name__ == "__main__":
    main()
