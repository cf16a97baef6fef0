"""Forwarded headers are believed only from the proxies in LOTSE_FORWARDED_ALLOW_IPS (issue 17).

``X-Forwarded-For`` decides the client address the sign-in lock-out counts; trusting it from
any local client let a request past the per-address lock-out.
"""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from api.cli import app as cli


def _serve(monkeypatch: pytest.MonkeyPatch, tmp_path: Any, **env: str) -> dict[str, Any]:
    import api.cli.core as core

    seen: dict[str, Any] = {}
    monkeypatch.setattr(core.uvicorn, "run", lambda *args, **kwargs: seen.update(kwargs))
    monkeypatch.delenv("LOTSE_FORWARDED_ALLOW_IPS", raising=False)
    monkeypatch.setenv("LOTSE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 0, result.output
    return seen


def test_forwarded_headers_are_ignored_by_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    assert _serve(monkeypatch, tmp_path)["proxy_headers"] is False


def test_forwarded_headers_are_believed_only_from_the_named_proxies(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Any) -> None:
    seen = _serve(monkeypatch, tmp_path, LOTSE_FORWARDED_ALLOW_IPS="10.0.0.5,10.0.1.0/24")
    assert seen["proxy_headers"] is True and seen["forwarded_allow_ips"] == "10.0.0.5,10.0.1.0/24"
