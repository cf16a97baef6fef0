"""Outbound feed throughput (issue 20): outbox writes, paging the feed over HTTP, CSV export.

Synthetic data: one Jobcenter, one case, outcome entries. Figures:
- outbox writes/s: one change per transaction, each numbering its row under the log lock (the
  cost every counsellor decision, plan change and outcome now pays);
- feed entries/s over HTTP: ``GET /api/v1/feed?limit=1000`` from the start to the end, with the
  token check, rate count and the logged use per page (what an integrator's first pull costs);
- CSV export rows/s (``lotse feed export``'s writer).

Run: ``.venv/bin/python -m bench.interfaces [--entries 10000] [--writes 300] [--postgres-writes 100]``;
writes bench/reports/interfaces.json. Takes well under 30 s on the development machine.
"""

from __future__ import annotations

import argparse
import io
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import select

from api.auth.api_tokens import create_token
from api.settings import Settings
from bench.decision_path import POSTGRES_URL
from models.db import make_engine, session_scope
from models.integration import FeedEntry
from models.migrate import upgrade
from models.tables import Jobcenter, JobSeeker, new_id, utcnow
from recommender.records.feed_export import write_feed_csv
from recommender.records.outbox import record_feed_entry

REPORT = Path(__file__).parent / "reports" / "interfaces.json"


def _payload(index: int, case: str) -> dict[str, Any]:
    return {"outcome_id": index, "case": case, "kind": "job_found", "occurred_on": "2026-10-01",
            "reported_by": "counsellor", "recorded_at": "2026-10-01T08:00:00Z"}


def _case(engine: Engine) -> JobSeeker:
    with session_scope(engine) as session:
        center = Jobcenter(code="demo", name="Jobcenter Bench (SYNTHETIC)")
        session.add(center)
        session.flush()
        seeker = JobSeeker(jobcenter_id=center.id or 0)
        session.add(seeker)
        session.flush()
        return seeker


def _writes_per_second(engine: Engine, seeker: JobSeeker, count: int) -> float:
    started = time.perf_counter()
    for index in range(count):
        with session_scope(engine) as session:
            record_feed_entry(session, job_seeker=seeker, kind="outcome", payload=_payload(index, seeker.pseudonym))
    return count / (time.perf_counter() - started)


def _fill(engine: Engine, seeker: JobSeeker, count: int) -> None:
    """Bulk-insert *count* more entries after the timed ones (their write cost is measured apart)."""
    with session_scope(engine) as session:
        last = session.exec(select(func.max(FeedEntry.seq))).one() or 0
        rows = [{"id": new_id(), "seq": last + 1 + index, "jobcenter_id": seeker.jobcenter_id, "kind": "outcome",
                 "case_pseudonym": seeker.pseudonym, "payload": _payload(index, seeker.pseudonym),
                 "created_at": utcnow()} for index in range(count)]
        session.execute(insert(FeedEntry), rows)


def _pull_all(client: TestClient, token: str) -> tuple[int, float]:
    headers = {"Authorization": f"Bearer {token}"}
    cursor, total, more = "0", 0, True
    started = time.perf_counter()
    while more:
        page = client.get(f"/api/v1/feed?after={cursor}&limit=1000", headers=headers).json()
        total += len(page["entries"])
        cursor, more = page["next_cursor"], page["has_more"]
    return total, time.perf_counter() - started


def _sqlite(tmp: Path, entries: int, writes: int) -> dict[str, Any]:
    from frontend.main import create_frontend_app

    settings = Settings(environment="test", database_url=f"sqlite:///{tmp / 'feed.db'}", var_dir=tmp,
                        models_dir=tmp / "models", log_level="warning")
    app = create_frontend_app(settings)
    engine = app.state.engine
    upgrade(engine)
    seeker = _case(engine)
    write_rate = _writes_per_second(engine, seeker, writes)
    _fill(engine, seeker, entries - writes)
    with session_scope(engine) as session:
        center = session.get(Jobcenter, seeker.jobcenter_id)
        assert center is not None
        token = create_token(session, jobcenter=center, name="bench", scopes="feed:read").secret
    with TestClient(app) as client:
        pulled, pull_s = _pull_all(client, token)
    assert pulled == entries, (pulled, entries)
    started = time.perf_counter()
    with session_scope(engine) as session:
        rows, _ = write_feed_csv(session, jobcenter_id=seeker.jobcenter_id, after=0, out=io.StringIO())
    csv_s = time.perf_counter() - started
    engine.dispose()
    return {"entries": entries, "outbox_writes_per_s": round(write_rate),
            "http_feed_entries_per_s": round(pulled / pull_s), "http_full_pull_s": round(pull_s, 2),
            "csv_export_rows_per_s": round(rows / csv_s)}


def _postgres(writes: int) -> dict[str, Any]:
    schema = f"bench_feed_{int(time.time())}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(POSTGRES_URL, schema=schema)
    try:
        upgrade(engine)
        seeker = _case(engine)
        return {"outbox_writes_per_s": round(_writes_per_second(engine, seeker, writes))}
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000, help="Feed size on SQLite.")
    parser.add_argument("--writes", type=int, default=300, help="Single-change transactions timed on SQLite.")
    parser.add_argument("--postgres-writes", type=int, default=100, help="Timed on PostgreSQL (0: skip).")
    args = parser.parse_args()
    report: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "synthetic": True}
    with tempfile.TemporaryDirectory() as tmp:
        report["sqlite"] = _sqlite(Path(tmp), args.entries, args.writes)
    print(f"sqlite     {report['sqlite']}")
    if args.postgres_writes:
        report["postgresql"] = _postgres(args.postgres_writes)
        print(f"postgresql {report['postgresql']}")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"-> {REPORT}")


if __name__ == "__main__":
    main()
