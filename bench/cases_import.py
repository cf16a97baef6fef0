"""``lotse cases import`` of 10,000 SYNTHETIC cases (issue 20): target >= 2,000 cases/s on SQLite.

The file is made up here (random case numbers and profile values; no real person), written as CSV
and as JSON Lines, and imported through the CLI command itself (typer, in process) into a fresh,
migrated SQLite database, after a 50-case warm-up import into another one (so that one-time
imports of the CLI's modules are not counted). Measured in the same run:

- first import (every case created), the same file again (every case unchanged: idempotency),
  a file with every tenth line changed (updates), and the JSON Lines file into a fresh database;
- baseline: the same cases written one by one with the app's per-case functions
  (``create_job_seeker`` + ``create_snapshot``, a flush each), the way a naive loop would.

Run: ``.venv/bin/python -m bench.cases_import [--cases 10000]``; writes
bench/reports/cases_import.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from api.cli import app
from models.crud import create_job_seeker, create_snapshot
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.schemas import Profile
from models.tables import Jobcenter, Role, UserAccount
from recommender.casework.case_import import CSV_COLUMNS, LIST_SEPARATOR

REPORT = Path(__file__).parent / "reports" / "cases_import.json"
TARGET_PER_SECOND = 2000
JOBCENTER = "jc-bench"
COUNSELLORS = [f"berater.{n}" for n in range(20)]
BASELINE_CASES = 1000
_CHANNELS = ["job_boards", "jobcenter", "newspaper", "personal_network", "spontaneous"]


def _case(number: int, rng: random.Random) -> dict[str, Any]:
    """One SYNTHETIC case as a JSON Lines record."""
    return {
        "external_id": f"SYN-{number:07d}",
        "jobcenter": JOBCENTER,
        "counsellor": rng.choice(COUNSELLORS),
        "consent": "given" if rng.random() < 0.4 else None,
        "consent_at": "2026-11-30T09:15:00+01:00",
        "profile": {
            "target_occupation": rng.choice(["62102", "51312", "81302", "25212", "71302"]),
            "region_ags": rng.choice(["09362", "11000", "05315", "14612"]),
            "months_unemployed": rng.randint(0, 60),
            "applications_last_3_months": rng.randint(0, 40),
            "has_cv": rng.random() < 0.7,
            "search_channels": rng.sample(_CHANNELS, 2),
            "constraints": {"working_hours": rng.choice(["full_time", "part_time", "any"])},
        },
    }


def _clean(case: dict[str, Any]) -> dict[str, Any]:
    if case["consent"] is None:
        return {k: v for k, v in case.items() if k not in ("consent", "consent_at")}
    return case


def _csv_row(case: dict[str, Any]) -> str:
    flat: dict[str, str] = {}
    for key, value in _clean(case).items():
        if key != "profile":
            flat[key] = str(value)
    for key, value in case["profile"].items():
        if isinstance(value, dict):
            flat.update({f"{key}.{sub}": str(sub_value) for sub, sub_value in value.items()})
        elif isinstance(value, list):
            flat[key] = LIST_SEPARATOR.join(value)
        else:
            flat[key] = str(value).lower() if isinstance(value, bool) else str(value)
    return ",".join(flat.get(column, "") for column in CSV_COLUMNS)


def write_files(folder: Path, count: int) -> tuple[Path, Path, Path, Path]:
    rng = random.Random(42)
    cases = [_case(n, rng) for n in range(count)]
    csv_path, jsonl_path, changed_path = folder / "cases.csv", folder / "cases.jsonl", folder / "changed.csv"
    header = ",".join(CSV_COLUMNS)
    csv_path.write_text(header + "\n" + "\n".join(_csv_row(c) for c in cases) + "\n", encoding="utf-8")
    jsonl_path.write_text("\n".join(json.dumps(_clean(c)) for c in cases) + "\n", encoding="utf-8")
    for case in cases[::10]:
        case["profile"]["months_unemployed"] += 1
    changed_path.write_text(header + "\n" + "\n".join(_csv_row(c) for c in cases) + "\n", encoding="utf-8")
    warm_path = folder / "warm.csv"
    warm_path.write_text(header + "\n" + "\n".join(_csv_row(c) for c in cases[:50]) + "\n", encoding="utf-8")
    return csv_path, jsonl_path, changed_path, warm_path


def _prepare(engine: Engine) -> None:
    upgrade(engine)
    with session_scope(engine) as session:
        centre = Jobcenter(code=JOBCENTER, name="Jobcenter Bench (SYNTHETIC)")
        session.add(centre)
        session.flush()
        session.add_all([UserAccount(jobcenter_id=centre.id, username=name, password_hash="!",  # type: ignore[arg-type]
                                     role=Role.counsellor.value) for name in COUNSELLORS])


def _cli_import(url: str, path: Path) -> tuple[float, float, str]:
    """Wall and CPU seconds of one ``lotse cases import``, and its last line of output."""
    started, cpu = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(app, ["cases", "import", str(path)],
                                env={"LOTSE_DATABASE_URL": url, "LOTSE_ENVIRONMENT": "test", "COLUMNS": "200"})
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    if result.exit_code != 0:
        raise SystemExit(f"import of {path.name} failed: {result.output}")
    return seconds, cpu, result.output.strip().splitlines()[-1]


def _baseline(engine: Engine, count: int) -> tuple[float, float, str]:
    """Per-case writes with the app's own one-at-a-time functions (a flush per row)."""
    rng = random.Random(7)
    with session_scope(engine) as session:
        centre = Jobcenter(code="jc-baseline", name="Baseline (SYNTHETIC)")
        session.add(centre)
        session.flush()
        started, cpu = time.perf_counter(), time.process_time()
        for number in range(count):
            seeker = create_job_seeker(session=session, jobcenter_id=centre.id)  # type: ignore[arg-type]
            payload = Profile.model_validate(_case(number, rng)["profile"]).model_dump(mode="json")
            create_snapshot(session=session, job_seeker_id=seeker.id, payload=payload)  # type: ignore[arg-type]
    return time.perf_counter() - started, time.process_time() - cpu, ""


def _figure(label: str, count: int, seconds: float, cpu: float, output: str) -> dict[str, Any]:
    """One line of figures: wall-clock rate (the target's measure) and the rate per CPU second."""
    rate, cpu_rate = count / seconds, count / cpu
    print(f"  {label:<36} {seconds:6.2f} s {rate:7,.0f} cases/s (per CPU s: {cpu_rate:7,.0f})  {output}")
    return {"seconds": round(seconds, 3), "cpu_seconds": round(cpu, 3), "cases_per_second": round(rate),
            "cases_per_cpu_second": round(cpu_rate), "cli_output": output}


def measure(url: str, files: tuple[Path, Path, Path, Path], count: int, *, fresh_url: str) -> dict[str, Any]:
    csv_path, jsonl_path, changed_path, _warm = files
    engine = make_engine(url)
    _prepare(engine)
    warm_url = url.replace(".db", "-warm.db")
    _prepare(make_engine(warm_url))
    _cli_import(warm_url, files[3])  # loads the CLI's lazy imports once, as a running system has them
    figures: dict[str, Any] = {}
    figures["first_import_csv"] = _figure("first import (CSV, all created)", count, *_cli_import(url, csv_path))
    figures["same_file_again"] = _figure("same file again (all unchanged)", count, *_cli_import(url, csv_path))
    figures["every_tenth_changed"] = _figure("every 10th line changed", count, *_cli_import(url, changed_path))
    fresh = make_engine(fresh_url)
    _prepare(fresh)
    figures["first_import_jsonl"] = _figure("first import (JSON Lines)", count, *_cli_import(fresh_url, jsonl_path))
    fresh.dispose()
    baseline_count = min(count, BASELINE_CASES)
    figures["baseline_per_case_orm"] = _figure(f"baseline: per-case ORM ({baseline_count:,})", baseline_count,
                                               *_baseline(engine, baseline_count))
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    report: dict[str, Any] = {"cases": args.cases, "target_cases_per_second_sqlite": TARGET_PER_SECOND,
                              "data": "SYNTHETIC cases made up by this benchmark (seed 42)"}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        files = write_files(root, args.cases)
        print(f"lotse cases import: {args.cases:,} SYNTHETIC cases, SQLite")
        report["sqlite"] = measure(f"sqlite:///{root / 'bench.db'}", files, args.cases,
                                   fresh_url=f"sqlite:///{root / 'fresh.db'}")
    first = report["sqlite"]["first_import_csv"]["cases_per_second"]
    report["target_met"] = first >= TARGET_PER_SECOND
    # The machine may be shared: the load says how far the wall-clock figures are from the CPU ones.
    report["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(f"target >= {TARGET_PER_SECOND:,} cases/s on SQLite (wall clock, first import): "
          f"{'met' if report['target_met'] else 'MISSED'} ({first:,} cases/s; load average "
          f"{report['load_average_1min']} on {os.cpu_count()} CPUs)")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"report: {REPORT}")


if __name__ == "__main__":
    main()
