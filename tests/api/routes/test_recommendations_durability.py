"""kill -9 during a stream of decisions loses none that was acknowledged (issue 16).

A real uvicorn worker on loopback, eight clients posting first-visit decisions (each also opens
a trial case), and SIGKILL in the middle of the stream: every decision answered 201 must be in
the database with its case and its logged event, and the chain must still verify.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlmodel import Session, col, select

from data.seed import seed_reference_data
from models.db import make_engine, session_scope
from models.migrate import upgrade
from models.schemas import EXAMPLE_PROFILE
from models.tables import Decision, Event
from recommender.records.chain import verify_chain

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(tmp_path: Path, url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "LOTSE_DATABASE_URL": url, "LOTSE_VAR_DIR": str(tmp_path),
           "LOTSE_MODELS_DIR": str(tmp_path / "models"), "LOTSE_AUDIT_DATABASE_URL": f"sqlite:///{tmp_path}/audit.db",
           "LOTSE_ENVIRONMENT": "development", "LOTSE_LOG_LEVEL": "warning",
           "LOTSE_ANONYMOUS_CASES_PER_HOUR": "100000"}  # every client here is 127.0.0.1
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "frontend.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return server, base
        except httpx.HTTPError:
            time.sleep(0.2)
    server.kill()
    raise AssertionError("the server did not start")


def test_kill_9_during_a_stream_loses_no_acknowledged_decision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'lotse.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(engine) as session:
        seed_reference_data(session)
    server, base = _start(tmp_path, url)
    acknowledged: list[str] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=10) as http:
            for _ in range(200):  # bounded; the kill ends it much earlier
                if stop.is_set():
                    return
                http.cookies.clear()
                try:
                    response = http.post("/api/v1/recommendations", json={"profile": EXAMPLE_PROFILE})
                except httpx.HTTPError:
                    return  # the server is gone
                if response.status_code == 201:
                    acknowledged.append(response.json()["decision_id"])

    threads = [threading.Thread(target=client) for _ in range(8)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 24 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)  # mid-stream: other requests are in flight
        server.wait(timeout=10)
    finally:
        stop.set()
        if server.poll() is None:
            server.kill()
        for thread in threads:
            thread.join(timeout=30)
    assert len(acknowledged) >= 24
    with Session(engine) as session:
        stored = set(session.exec(select(Decision.id).where(col(Decision.id).in_(acknowledged))).all())
        logged = set(session.exec(select(Event.decision_id).where(
            Event.event_type == "recommendation_generated", col(Event.decision_id).in_(acknowledged))).all())
        report = verify_chain(session)
    assert stored == set(acknowledged) and logged == set(acknowledged)
    assert report.ok, report
