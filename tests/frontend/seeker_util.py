"""Helpers for the job-seeker page tests: read the CSRF token a page offers, post a form."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _TOKEN.search(html)
    assert match, "page has no CSRF token field"
    return match.group(1)


def post_form(client: TestClient, page: str, action: str, data: dict[str, Any] | list[tuple[str, str]],
              **kwargs: Any) -> Any:
    """GET *page* for a fresh token, then POST *data* to *action* like a browser without JavaScript."""
    token = csrf_from(client.get(page).text)
    items = list(data.items()) if isinstance(data, dict) else list(data)
    form: dict[str, list[str]] = {"csrf_token": [token]}
    for key, value in items:
        values = value if isinstance(value, list) else [value]
        form.setdefault(key, []).extend(str(v) for v in values)
    return client.post(action, data=form, follow_redirects=False, **kwargs)
