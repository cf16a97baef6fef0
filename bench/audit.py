"""``lotse audit verify`` at scale (issue 16): full walks of 100k and 1M events, incremental walks.

Targets: a full verify of 1 M events <= 30 s; an incremental verify of 10,000 new events since the
last checkpoint <= 1 s. The log is filled with synthetic events (a third shaped like
``recommendation_generated`` with eight items and ten guardrail outcomes, the rest small client
events), chained and inserted in bulk; no decision rows, so the row check has nothing to read.

Run: ``.venv/bin/python -m bench.audit [--sizes 100000,1000000] [--postgres-size 100000]``;
writes bench/reports/audit.json.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bench.decision_path import POSTGRES_URL
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.tables import Event
from recommender.records.chain import GENESIS_HASH, compute_hash, head_hash
from recommender.records.checkpoints import generate_key, load_key, seal_if_verified, trusted_keys, verify_log

REPORT = Path(__file__).parent / "reports" / "audit.json"
NEW_EVENTS = 10_000
_GUARDRAILS = [{"rule_id": f"rule_{i}", "module_id": f"module_{i}", "legal_basis": "§ 16 SGB II",
                "outcome": "eligible"} for i in range(10)]
_ITEMS = [{"module_id": f"module_{i}", "rank": i + 1, "propensity": 0.9, "review": "not_required"}
          for i in range(8)]


def _events(count: int, first_id: int, prev: str, start: datetime) -> list[dict[str, Any]]:
    """*count* chained synthetic events, as rows for one bulk insert."""
    rows = []
    for offset in range(count):
        big = (first_id + offset) % 3 == 0
        event = Event(
            id=first_id + offset, created_at=start + timedelta(milliseconds=offset),
            event_type="recommendation_generated" if big else "client_viewed", actor_role="job_seeker",
            case_pseudonym=f"{first_id + offset:032x}", decision_id=f"{first_id + offset:032x}" if big else None,
            model_version="bench-model" if big else None, input_hash="a" * 64 if big else None,
            outputs={"mode": "model", "items": _ITEMS} if big else {"n": offset},
            guardrails=_GUARDRAILS if big else [], prev_hash=prev, hash="")
        event.hash = compute_hash(event)
        prev = event.hash
        rows.append({column: getattr(event, column) for column in Event.model_fields})
    return rows


def _fill(engine: Engine, count: int) -> None:
    with Session(engine) as session:
        last = session.execute(text("SELECT max(id) FROM event")).scalar() or 0
        prev = head_hash(session) if last else GENESIS_HASH
    start = datetime.now(UTC)
    for chunk in range(0, count, 50_000):
        rows = _events(min(50_000, count - chunk), last + 1 + chunk, prev, start)
        prev = rows[-1]["hash"]
        with session_scope(engine) as session:
            session.execute(insert(Event), rows)


def _timed_verify(engine: Engine, key_path: Path, *, full: bool) -> tuple[float, Any]:
    started = time.perf_counter()
    with Session(engine) as session:
        report = verify_log(session, trusted=trusted_keys(key_path), full=full)
    return time.perf_counter() - started, report


def _measure(engine: Engine, size: int, key_path: Path) -> dict[str, Any]:
    upgrade(engine)
    started = time.perf_counter()
    _fill(engine, size)
    fill_s = time.perf_counter() - started
    full_s, report = _timed_verify(engine, key_path, full=True)
    assert report.ok, report
    with session_scope(engine) as session:
        seal_if_verified(session, load_key(key_path), report)
    _fill(engine, NEW_EVENTS)
    incremental_s, incremental = _timed_verify(engine, key_path, full=False)
    assert incremental.ok and incremental.resumed_from == 1, incremental
    return {"events": size, "fill_s": round(fill_s, 1), "full_verify_s": round(full_s, 2),
            "full_verify_us_per_event": round(1e6 * full_s / size, 1),
            "incremental_verify_s_for_10000_new": round(incremental_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100000,1000000", help="SQLite log sizes.")
    parser.add_argument("--postgres-size", type=int, default=100_000, help="PostgreSQL log size (0: skip).")
    args = parser.parse_args()
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "sqlite": [], "postgresql": []}
    with tempfile.TemporaryDirectory() as tmp:
        key_path = Path(tmp) / "keys" / "checkpoint.key"
        generate_key(key_path)
        for size in (int(s) for s in args.sizes.split(",")):
            figures = _measure(make_engine(f"sqlite:///{tmp}/audit-{size}.db"), size, key_path)
            report["sqlite"].append(figures)
            print(f"sqlite     {figures}")
        if args.postgres_size:
            schema = f"bench_audit_{int(time.time())}"
            admin = make_engine(POSTGRES_URL)
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                figures = _measure(make_engine(POSTGRES_URL, schema=schema), args.postgres_size, key_path)
                report["postgresql"].append(figures)
                print(f"postgresql {figures}")
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    largest = max(report["sqlite"], key=lambda f: f["events"])
    per_million = largest["full_verify_s"] * 1_000_000 / largest["events"]
    report["targets"] = {
        "full_verify_1M_s<=30": {"value": round(per_million, 1), "met": per_million <= 30},
        "incremental_10000_s<=1": {"value": largest["incremental_verify_s_for_10000_new"],
                                   "met": largest["incremental_verify_s_for_10000_new"] <= 1},
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"targets: {json.dumps(report['targets'])}  -> {REPORT}")


if __name__ == "__main__":
    main()
