"""Drive one load scenario with Debian's ``wrk`` (C, one thread) instead of a Python client.

A Python HTTP client on the same two cores spends about as much CPU per request as a bare
FastAPI endpoint does, so the bare ceiling and a second worker's gain mostly measure the client
(bare: 923 req/s with 1 worker, 966 with 2). ``wrk`` costs a small fraction of that. The request
bodies, cookies and titles are written into a Lua script: every request of a scenario differs,
as with the asyncio client, and the script's ``done`` prints the figures as one JSON line.
``make bench`` installs ``wrk`` (``apt-get install wrk``); without it the asyncio client runs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

WRK = "/usr/bin/wrk"

_SCRIPT = """
local bodies = {%(bodies)s}
local paths = {%(paths)s}
local cookies = {%(cookies)s}
local method = "%(method)s"
local limit = %(limit)d
local close = %(close)s
local i, answered = 0, 0

request = function()
  i = i + 1
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(i %% #cookies) + 1] end
  if close then headers["Connection"] = "close" end
  local body = nil
  if #bodies > 0 then
    headers["Content-Type"] = "application/json"
    body = bodies[(i %% #bodies) + 1]
  end
  return wrk.format(method, paths[(i %% #paths) + 1], headers, body)
end

response = function(status, headers, body)
  answered = answered + 1
  if answered >= limit then wrk.thread:stop() end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, "mean_us": %%f, ' ..
    '"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def available() -> bool:
    return shutil.which(WRK) is not None


def _lua_strings(values: list[str]) -> str:
    # Long brackets need no escaping; the level is chosen so that no value can close them.
    return ", ".join(f"[==[{value}]==]" for value in values)


def run_wrk(url: str, *, method: str, paths: list[str], bodies: list[dict[str, Any]] | None = None,
            cookies: list[str] | None = None, concurrency: int, seconds: float, max_requests: int,
            new_connections: bool = False) -> dict[str, Any]:
    """Run ``wrk`` with *concurrency* connections for *seconds* (stopping after *max_requests*
    answers) and return figures in the form of the asyncio client's (``bench.http_load``).

    *new_connections*: each request on a new connection (``Connection: close``), as people on
    their own phones arrive, so each is handed to whichever worker accepts it first.
    """
    script = _SCRIPT % {
        "bodies": _lua_strings([json.dumps(b, ensure_ascii=False) for b in bodies or []]),
        "paths": _lua_strings(paths), "cookies": _lua_strings(cookies or []),
        "method": method, "limit": max_requests, "close": "true" if new_connections else "false",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8", delete=False) as handle:
        handle.write(script)
    try:
        completed = subprocess.run(
            [WRK, "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "-s", handle.name,
             url], capture_output=True, text=True, timeout=seconds + 60, check=True)
    finally:
        Path(handle.name).unlink(missing_ok=True)
    line = next(line for line in completed.stdout.splitlines() if line.startswith('{"requests"'))
    raw = json.loads(line)
    elapsed = raw["duration_us"] / 1e6
    errors = {kind: raw[kind] for kind in ("connect", "read", "write", "status", "timeout") if raw[kind]}
    return {"requests": raw["requests"], "seconds": round(elapsed, 2),
            "req_per_s": round(raw["requests"] / elapsed, 1), "errors": errors, "client": "wrk",
            "p50_ms": raw["p50_us"] / 1000, "p95_ms": raw["p95_us"] / 1000, "p99_ms": raw["p99_us"] / 1000,
            "mean_ms": round(raw["mean_us"] / 1000, 3), "n": raw["requests"]}


def suggest_paths(titles: list[str]) -> list[str]:
    return [f"/api/v1/occupations/suggest?q={quote(title)}" for title in titles]
