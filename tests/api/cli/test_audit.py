"""``lotse audit keygen | checkpoint | verify`` as an operator and an auditor use them (issue 16)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from api.cli import app
from models.db import make_engine
from models.migrate import upgrade
from recommender.records.checkpoints import KEY_MISSING
from tests.recommender.records.test_chain import _append_n, _raw


def _env(tmp_path: Path) -> dict[str, str]:
    return {"LOTSE_DATABASE_URL": f"sqlite:///{tmp_path / 'lotse.db'}", "LOTSE_VAR_DIR": str(tmp_path),
            "LOTSE_CHECKPOINT_KEY": str(tmp_path / "keys" / "checkpoint.key")}


def _run(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["audit", *args], env=env)


def test_operator_seals_exports_and_a_later_verify_resumes_from_the_seal(tmp_path: Path) -> None:
    env = _env(tmp_path)
    engine = make_engine(env["LOTSE_DATABASE_URL"])
    upgrade(engine)
    _append_n(engine, 4)
    assert _run(env, "keygen").exit_code == 0
    assert (tmp_path / "keys" / "checkpoint.pub").is_file()
    assert oct((tmp_path / "keys" / "checkpoint.key").stat().st_mode & 0o777) == "0o600"
    export = tmp_path / "checkpoint-1.json"
    sealed = _run(env, "checkpoint", "--export", str(export))
    assert sealed.exit_code == 0, sealed.output
    record = json.loads(export.read_text())
    assert (record["seq"], record["event_count"], record["algorithm"]) == (1, 4, "Ed25519")
    _append_n(engine, 2)
    verified = _run(env, "verify", "--json", "--against", str(export))
    body = json.loads(verified.output)
    assert verified.exit_code == 0 and body["resumed_from_checkpoint"] == 1 and body["checked"] == 6
    assert body["sealed_checkpoint"] == 2  # a clean verify seals the new head


def test_verify_fails_on_a_cut_off_tail_and_names_it(tmp_path: Path) -> None:
    env = _env(tmp_path)
    engine = make_engine(env["LOTSE_DATABASE_URL"])
    upgrade(engine)
    _append_n(engine, 3)
    _run(env, "keygen")
    assert _run(env, "checkpoint").exit_code == 0
    _raw(engine, "DELETE FROM event WHERE id = 3")
    result = _run(env, "verify")
    assert result.exit_code == 1 and "the log was cut off" in result.output


def test_checkpoint_without_a_key_says_how_to_make_one(tmp_path: Path) -> None:
    env = _env(tmp_path)
    upgrade(make_engine(env["LOTSE_DATABASE_URL"]))
    result = _run(env, "checkpoint")
    assert result.exit_code == 2
    assert KEY_MISSING.split("{")[0] in result.output and "lotse audit keygen" in result.output
