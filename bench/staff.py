"""Staff side: cost of argon2id sign-in, and server render time of the counsellor pages (issue 8).

Targets: one argon2id verify between 50 and 1000 ms on this 2-core machine (slow enough to make
offline guessing expensive, fast enough that sign-in does not feel stuck); caseload, review queue
and decision page render p95 <= 50 ms in-process with a caseload of 200 cases (SQLite, including
the access-log event each case read writes). The baseline in the same run is ``/healthz``.

Run: ``.venv/bin/python bench/staff.py [--requests 50] [--cases 200]``; writes bench/reports/staff.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path[:1] = [str(Path(__file__).resolve().parents[1])]

from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from api.auth.passwords import hash_password, verify_password  # noqa: E402
from api.settings import Settings  # noqa: E402
from frontend.main import create_frontend_app  # noqa: E402
from models.db import session_scope  # noqa: E402
from models.migrate import upgrade  # noqa: E402
from tests.factories import (  # noqa: E402
    TEST_PASSWORD,
    assign_case,
    make_decision,
    make_job_seeker,
    make_jobcenter,
    make_staff_user,
    make_team,
)

REPORT = Path(__file__).parent / "reports" / "staff.json"
VERIFY_RANGE_MS = (50.0, 1000.0)
TARGET_P95_MS = 50.0


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return {"p50": round(statistics.median(ordered), 2), "p95": round(p95, 2), "n": len(ordered)}


def _time(call: Any, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--cases", type=int, default=200)
    args = parser.parse_args()

    stored = hash_password(TEST_PASSWORD)
    argon = {"hash": _ms(_time(lambda: hash_password(TEST_PASSWORD), 5)),
             "verify": _ms(_time(lambda: verify_password(stored, TEST_PASSWORD), 10))}

    with tempfile.TemporaryDirectory() as directory:
        tmp = Path(directory)
        app = create_frontend_app(Settings(environment="test", database_url=f"sqlite:///{tmp / 'bench.db'}",
                                           var_dir=tmp, models_dir=tmp / "models", log_level="error"))
        upgrade(app.state.engine)
        with session_scope(app.state.engine) as session:
            center = make_jobcenter(session, code="bench")
            team = make_team(session, jobcenter=center)
            counsellor = make_staff_user(session, role="counsellor", jobcenter=center, team=team)
            first = None
            for _ in range(args.cases):
                seeker = make_job_seeker(session, jobcenter=center)
                assign_case(session, job_seeker=seeker, counsellor=counsellor)
                decision = make_decision(session, job_seeker=seeker)
                first = first or (seeker.pseudonym, decision.id)
            username = counsellor.username
        assert first is not None
        def sign_in() -> TestClient:
            fresh = TestClient(app)
            token = fresh.get("/api/v1/auth/session").json()["csrf_token"]
            response = fresh.post("/api/v1/auth/login", headers={"X-CSRF-Token": token},
                                  json={"username": username, "password": TEST_PASSWORD})
            assert response.status_code == 200, response.text
            return fresh

        login = _time(sign_in, 3)
        client = sign_in()
        pages = {
            "healthz (baseline)": "/healthz",
            "caseload": "/staff/caseload",
            "review_queue": "/staff/reviews",
            "decision": f"/staff/cases/{first[0]}/decisions/{first[1]}",
        }
        rendered: dict[str, Any] = {}
        for name, path in pages.items():
            assert client.get(path).status_code == 200, path
            rendered[name] = _ms(_time(lambda p=path: client.get(p), args.requests))
        with Session(app.state.engine) as session:
            from sqlmodel import func, select

            from models.tables import Event

            events = session.exec(select(func.count()).select_from(Event)).one()
        app.state.engine.dispose()

    report = {
        "argon2id_ms": argon,
        "login_request_ms": _ms(login),
        "pages_ms": rendered,
        "cases": args.cases,
        "events_written": events,
        "targets": {"verify_ms_range": VERIFY_RANGE_MS, "page_p95_ms": TARGET_P95_MS},
        "verify_within_range": VERIFY_RANGE_MS[0] <= argon["verify"]["p50"] <= VERIFY_RANGE_MS[1],
        "pages_within_target": all(v["p95"] <= TARGET_P95_MS for k, v in rendered.items() if "baseline" not in k),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
