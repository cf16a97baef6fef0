"""Worker processes on their own sockets (``api.workers``, issue 16): connections reach every worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from api import workers
from api.cli import app as cli

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(not workers.supported(), reason="SO_REUSEPORT is Linux/BSD only")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _supervisor(app: str, port: int, count: int, startup_seconds: float = 30.0) -> subprocess.Popen[bytes]:
    code = (f"import sys; import api.workers as w; w.STARTUP_SECONDS = {startup_seconds}; "
            "from api.workers import serve_workers; "
            f"sys.exit(serve_workers({{'app': {app!r}, 'host': '127.0.0.1', 'port': {port}, "
            f"'log_level': 'warning'}}, {count}))")
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE)


def _answering_pids(port: int, requests: int, deadline: float) -> set[int]:
    pids: set[int] = set()
    while time.monotonic() < deadline and requests:
        try:  # a new connection each time, as separate people's phones make them
            pids.add(httpx.get(f"http://127.0.0.1:{port}/pid", timeout=5).json())
            requests -= 1
        except httpx.TransportError:
            time.sleep(0.1)  # the workers are still starting
    return pids


def test_every_worker_takes_connections_and_all_stop_on_sigterm() -> None:
    port = _free_port()
    supervisor = _supervisor("tests.api.worker_app:app", port, 2)
    try:
        pids = _answering_pids(port, 60, time.monotonic() + 60)
        assert len(pids) == 2, pids  # both listen on the port (the load split: bench/http_load.py)
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        for pid in pids:
            with pytest.raises(ProcessLookupError):
                os.kill(pid, 0)
    finally:
        supervisor.kill()


def test_a_worker_that_dies_while_serving_is_started_again() -> None:
    port = _free_port()
    supervisor = _supervisor("tests.api.worker_app:app", port, 2, startup_seconds=1)
    try:
        before = _answering_pids(port, 40, time.monotonic() + 60)
        assert len(before) == 2, before
        time.sleep(1.5)  # past the start-up grace: a death now is a crash, not a failed start
        killed = min(before)
        os.kill(killed, signal.SIGKILL)
        deadline, after = time.monotonic() + 60, set()
        while time.monotonic() < deadline and len(after - before) == 0:
            after |= _answering_pids(port, 10, deadline)
        assert after - before, "no new worker answered"
        assert killed not in after and supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGTERM)
        supervisor.wait(timeout=30)
        supervisor.kill()


def test_a_worker_that_cannot_start_stops_the_supervisor_with_an_error() -> None:
    supervisor = _supervisor("no_such_module:app", _free_port(), 2)
    try:
        assert supervisor.wait(timeout=60) == 1  # not a loop of restarts
    finally:
        supervisor.kill()


def test_a_taken_port_is_refused_before_any_worker_starts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("LOTSE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
        monkeypatch.setenv("LOTSE_WORKERS", "2")
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.output


def test_serve_with_several_workers_gives_each_its_own_socket(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    seen: dict[str, Any] = {}
    monkeypatch.setattr(workers, "serve_workers", lambda options, count: seen.update(options, count=count) or 0)
    monkeypatch.setenv("LOTSE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("LOTSE_WORKERS", "3")
    monkeypatch.setenv("LOTSE_FORWARDED_ALLOW_IPS", "10.0.0.5")
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    assert seen["count"] == 3 and seen["app"] == "frontend.main:app"
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.5"
