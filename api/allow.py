"""``OPTIONS`` answers with every method a path supports (RFC 9110 §9.3.7, §10.2.1).

Starlette matches routes one at a time, so for a path served by two routes (``GET`` and
``PUT /admin/kill-switch``) an ``OPTIONS`` request got a ``405`` whose ``Allow`` named only
the first route's methods. This middleware collects the methods of every route whose path
matches and answers ``204`` with the complete ``Allow``; unknown paths fall through to 404.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from starlette.routing import Mount, compile_path
from starlette.types import ASGIApp, Receive, Scope, Send

from api.auth.policy import route_inventory


def method_table(app: FastAPI) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """(path pattern, methods) of every route of *app*, included routers flattened; mounts left out."""
    table = []
    for entry in route_inventory(app):
        if not isinstance(getattr(entry.route, "original_route", entry.route), Mount):
            table.append((compile_path(entry.path)[0], frozenset(entry.methods)))
    return table


class AllowMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._table: list[tuple[re.Pattern[str], frozenset[str]]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return
        if self._table is None:  # routes are complete once the first request arrives
            self._table = method_table(scope["app"])
        methods = {m for pattern, allowed in self._table if pattern.match(scope["path"]) for m in allowed}
        if not methods:
            await self.app(scope, receive, send)
            return
        allow = ", ".join(sorted(methods | {"OPTIONS"}))
        await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow.encode())]})
        await send({"type": "http.response.body", "body": b""})
