"""Job-seeker page weight, request count and server render time (issue 7).

Targets per page: <= 30 KB transferred (gzip of the HTML plus the CSS and JS that page loads;
the reverse proxy compresses - the app does not gzip HTML itself because pages carry the CSRF
token next to reflected input (BREACH); the uncompressed size is reported too),
<= 3 requests for a first view (HTML + same-origin assets; no fonts, images or third parties),
server render p95 <= 30 ms (in-process, SQLite, one request at a time, including the database
work and the events a view writes).

The journey is real: a trial case goes through onboarding with the real decision path, so
the advice page carries real cards.

Run: ``.venv/bin/python bench/pages.py [--requests 100]``; writes bench/reports/pages.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, Python puts bench/ first on the path, where a module may shadow a package
# of ours (bench/recommender.py would hide recommender/); the repository root goes first instead.
sys.path[:1] = [str(Path(__file__).resolve().parents[1])]

import httpx  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session  # noqa: E402

from api.settings import Settings  # noqa: E402
from data.seed import seed_reference_data  # noqa: E402
from frontend.main import create_frontend_app  # noqa: E402
from models.migrate import upgrade  # noqa: E402

REPORT = Path(__file__).parent / "reports" / "pages.json"
TARGET_KB = 30.0
TARGET_REQUESTS = 3
TARGET_P95_MS = 30.0
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_ASSETS = re.compile(r'<(?:link[^>]+href|script[^>]+src|img[^>]+src)="([^"]+)"')


def _post(client: TestClient, page: str, action: str, data: dict[str, str]) -> None:
    token = _TOKEN.search(client.get(page).text)
    assert token, f"{page} offers no form"
    response = client.post(action, data={**data, "csrf_token": token.group(1)}, follow_redirects=False)
    assert response.status_code in (303, 200), (action, response.status_code)


def _prepare(client: TestClient) -> dict[str, str]:
    """Walk a trial case through onboarding to advice; return the page paths to measure."""
    pages = {"start": "/"}
    _post(client, "/", "/start", {})
    pages["notice"] = "/notice"
    _post(client, "/notice", "/notice", {})
    pages["onboarding_step"] = "/onboarding/occupation"
    answers = {"occupation": {"target_occupation_text": "Verkäufer"}, "region": {"region_query": "Nürnberg"},
               "time": {"months_unemployed": "14"},
               "search": {"applications_last_3_months": "30", "interviews_last_3_months": "0", "has_cv": "no"}}
    for slug, data in answers.items():
        _post(client, f"/onboarding/{slug}", f"/onboarding/{slug}", data)
    pages["summary"] = "/onboarding/summary"
    _post(client, "/onboarding/summary", "/advice", {})
    advice = client.get("/advice").text
    pages["advice"] = "/advice"
    explanation = re.search(r'href="(/explanation/[0-9a-f]+)#', advice)
    if explanation:
        pages["explanation"] = explanation.group(1)
    item = re.search(r'action="/plan/([0-9a-f]+)"', advice)
    if item:
        _post(client, "/advice", f"/plan/{item.group(1)}", {"action": "add", "due_date": ""})
    pages.update({"plan": "/plan", "outcome": "/outcome", "my_data": "/my-data", "easy_language": "/easy-language",
                  "accessibility": "/accessibility", "about_ai": "/about-ai"})
    return pages


def _weight(client: TestClient, html: str) -> tuple[int, int, list[str], int]:
    """(gzip bytes of HTML + assets, requests, asset paths, uncompressed bytes) for a first view (empty cache)."""
    assets = [a for a in _ASSETS.findall(html) if a.startswith("/static/")]
    total = len(gzip.compress(html.encode("utf-8"), compresslevel=6))
    raw = len(html.encode("utf-8"))
    for asset in assets:
        content = client.get(asset).content
        total += len(gzip.compress(content, compresslevel=6))
        raw += len(content)
    external = [a for a in _ASSETS.findall(html) if a.startswith(("http:", "https:", "//"))]
    assert not external, f"external assets: {external}"
    return total, 1 + len(assets), assets, raw


async def _time_requests(app: Any, cookies: Any, path: str, count: int) -> list[float]:
    """Request timings through the full ASGI stack without the test client's thread hand-offs."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies) as client:
        timings = []
        for _ in range(count):
            started = time.perf_counter()
            response = await client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        return timings


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(environment="test", database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
                            var_dir=Path(tmp), models_dir=Path(tmp) / "models", log_level="warning",
                            audit_database_url=f"sqlite:///{Path(tmp) / 'audit.db'}")
        app = create_frontend_app(settings)
        upgrade(app.state.engine)
        with Session(app.state.engine) as session:
            seed_reference_data(session)
            session.commit()
        results: list[dict[str, Any]] = []
        with TestClient(app) as client:
            pages = _prepare(client)
            for name, path in pages.items():
                first = client.get(path)
                assert first.status_code == 200, (path, first.status_code)
                size, requests, assets, raw = _weight(client, first.text)
                for _ in range(5):
                    client.get(path)
                timings = asyncio.run(_time_requests(app, client.cookies, path, args.requests))
                row: dict[str, Any] = {
                    "page": name, "path": re.sub(r"[0-9a-f]{32}", "{id}", path),
                    "gzip_kb": round(size / 1024, 2), "requests": requests, "assets": assets,
                    "html_kb": round(len(first.content) / 1024, 2), "uncompressed_kb": round(raw / 1024, 2),
                    "p50_ms": round(statistics.median(timings), 2), "p95_ms": round(_p(timings, 0.95), 2),
                }
                row["ok"] = (row["gzip_kb"] <= TARGET_KB and requests <= TARGET_REQUESTS
                             and row["p95_ms"] <= TARGET_P95_MS)
                results.append(row)
        app.state.engine.dispose()
    report = {"targets": {"gzip_kb": TARGET_KB, "requests": TARGET_REQUESTS, "p95_ms": TARGET_P95_MS},
              "requests_per_page": args.requests, "load_average_1m": round(os.getloadavg()[0], 2),
              "pages": results, "all_ok": all(r["ok"] for r in results)}
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"{'page':16} {'gzip KB':>8} {'req':>4} {'p50 ms':>7} {'p95 ms':>7}  ok")
    for r in results:
        print(f"{r['page']:16} {r['gzip_kb']:8.2f} {r['requests']:4d} {r['p50_ms']:7.2f} {r['p95_ms']:7.2f}  "
              f"{'yes' if r['ok'] else 'NO'}")
    print(f"targets: <= {TARGET_KB} KB gzip, <= {TARGET_REQUESTS} requests, p95 <= {TARGET_P95_MS} ms; "
          f"report: {REPORT}")


if __name__ == "__main__":
    main()
