"""Refuse input no database can store before any route sees it: NUL bytes, unpaired surrogates, huge bodies.

PostgreSQL rejects ``\\x00`` in text and JSON (``psycopg.DataError``, a 500 if it gets that
far), and an unpaired UTF-16 surrogate (``"\\ud800"`` in JSON) cannot be encoded as UTF-8 at
all. Rather than checking in every route, one app-wide dependency looks at the path, the
query string and the body of every request: JSON bodies get ``422`` (like any other invalid
JSON field), paths, query strings and forms ``400``. Bodies over ``LOTSE_MAX_BODY_BYTES`` are
cut off while they arrive (``413``), so a 20 MB JSON document is never parsed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import HTTPException, Request
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.i18n import _

UNSTORABLE_TEXT = _(
    "The input contains characters that cannot be stored (a NUL byte or an unpaired surrogate). "
    "Please remove them and try again."
)
BODY_TOO_LARGE = _("The request body is too large. Please send less.")

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def has_unstorable_text(value: Any) -> bool:
    """True if any string (key or value) anywhere in *value* holds a NUL or an unpaired surrogate."""
    stack = [value]  # iterative: a deeply nested document must not exhaust the call stack
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _json_has_unstorable_text(body: bytes) -> bool:
    if b"\\u" not in body and b"\x00" not in body:
        return False  # neither an escape nor a raw NUL: nothing to look for
    try:
        return has_unstorable_text(json.loads(body))
    except (ValueError, RecursionError):
        return False  # not JSON (or absurdly nested): the route's own validation answers that


async def reject_unstorable_input(request: Request) -> None:
    """App-wide dependency: ``400`` for a bad path, query or form, ``422`` for a bad JSON body."""
    texts = [request.scope.get("path", ""), *(item for pair in request.query_params.multi_items() for item in pair)]
    if any(_UNSTORABLE.search(text) for text in texts):
        raise HTTPException(status_code=400, detail=UNSTORABLE_TEXT)
    if request.method not in _BODY_METHODS:
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(_FORM_TYPES):
        # Parsed once and cached on the request: the route and the CSRF check reuse it.
        form = await request.form()
        if any(isinstance(v, str) and _UNSTORABLE.search(k + v) for k, v in form.multi_items()):
            raise HTTPException(status_code=400, detail=UNSTORABLE_TEXT)
    elif "json" in content_type and _json_has_unstorable_text(await request.body()):
        raise HTTPException(status_code=422, detail=UNSTORABLE_TEXT)


class BodyLimitMiddleware:
    """Answer ``413`` as soon as a request body exceeds *max_bytes* (declared or actually sent)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            receive = self._refusing_receive()
        else:
            receive = self._counting_receive(receive)
        await self.app(scope, receive, send)

    def _too_large(self) -> HTTPException:
        return HTTPException(status_code=413, detail=BODY_TOO_LARGE)

    def _refusing_receive(self) -> Receive:
        async def refuse() -> Message:
            raise self._too_large()

        return refuse

    def _counting_receive(self, receive: Receive) -> Receive:
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise self._too_large()
            return message

        return counted
