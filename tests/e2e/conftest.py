"""Real-browser fixtures: a uvicorn server on a free port with a temporary SQLite database, Debian's Chromium.

Never downloads a browser: the tests skip when ``/usr/bin/chromium`` (``make browser``) or
axe-core (``make e2e-deps``) is missing. Screenshots of failing tests go to
``tests/e2e/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
VIEWPORT = {"width": 360, "height": 740}

_PREPARE_DB = """
import sys
from sqlmodel import Session
from models.db import make_engine
from models.migrate import upgrade
from data.seed import seed_reference_data
engine = make_engine(sys.argv[1])
upgrade(engine)
with Session(engine) as session:
    seed_reference_data(session)
    session.commit()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(tmp: Path, url: str) -> dict[str, str]:
    return {**os.environ, "LOTSE_DATABASE_URL": url, "LOTSE_ENVIRONMENT": "test", "LOTSE_VAR_DIR": str(tmp),
            "LOTSE_MODELS_DIR": str(tmp / "models"), "LOTSE_LOG_LEVEL": "warning",
            "LOTSE_AUDIT_DATABASE_URL": f"sqlite:///{tmp / 'audit.db'}"}


@contextlib.contextmanager
def running_server(tmp: Path, url: str, *, ready_path: str = "/", extra_env: dict[str, str] | None = None,
                   ) -> Iterator[str]:
    """A real uvicorn serving Lotse on *url*'s database at a free port (with *extra_env*); stopped on exit."""
    env = {**_server_env(tmp, url), **(extra_env or {})}
    port = _free_port()
    log = (tmp / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "frontend.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", "warning"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}{ready_path}", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {(tmp / 'server.log').read_text()[-2000:]}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def prepared_database(tmp: Path) -> str:
    """A migrated and seeded SQLite database under *tmp*; its URL."""
    url = f"sqlite:///{tmp / 'e2e.db'}"
    subprocess.run([sys.executable, "-c", _PREPARE_DB, url], env=_server_env(tmp, url), cwd=ROOT, check=True,
                   timeout=180)
    return url


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a real uvicorn running Lotse; stopped after the session."""
    tmp = tmp_path_factory.mktemp("e2e")
    with running_server(tmp, prepared_database(tmp)) as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    if not AXE_JS.exists():
        pytest.skip("axe-core is not installed (make e2e-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call" and report.failed:
        page = getattr(item, "_e2e_page", None)
        journey = getattr(item, "_e2e_journey", None)
        if journey is not None:
            journey.save_shots(item.name)  # every step up to the failure
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            # A failed screenshot must not hide the real failure.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{item.name}.png"), full_page=True)
