"""Signed checkpoints (issue 16): a cut-off tail, a recomputed rewrite or a removed seal is reported."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import AuditCheckpoint, Event
from recommender.records.chain import compute_hash
from recommender.records.checkpoints import (
    LogReport,
    append_journal,
    export_record,
    generate_key,
    load_key,
    seal_if_verified,
    trusted_keys,
    verify_log,
)
from tests.recommender.records.test_chain import _append_n, _raw


@pytest.fixture
def key_path(tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "checkpoint.key"
    generate_key(path)
    return path


def _verify(engine: Engine, key_path: Path, **kwargs) -> LogReport:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return verify_log(session, trusted=trusted_keys(key_path), journal=key_path.parent / "journal.jsonl",
                          **kwargs)


def _seal(engine: Engine, key_path: Path) -> AuditCheckpoint:
    report = _verify(engine, key_path)
    with session_scope(engine) as session:
        seal = seal_if_verified(session, load_key(key_path), report)
    assert seal is not None
    append_journal(key_path.parent / "journal.jsonl", seal)
    return seal


def _problems(report: LogReport) -> str:
    return " | ".join([*report.seal_problems, *report.chain.problems])


def test_clean_log_is_sealed_and_the_next_walk_resumes_from_the_seal(engine: Engine, key_path: Path) -> None:
    _append_n(engine, 5)
    seal = _seal(engine, key_path)
    assert (seal.seq, seal.event_count) == (1, 5)
    _append_n(engine, 3)
    report = _verify(engine, key_path)
    assert report.ok and report.resumed_from == 1 and report.chain.checked == 8
    assert _seal(engine, key_path).prev_seal != "0" * 64


@pytest.mark.parametrize("cut", [1, 100, 105])
def test_tail_cut_off_after_a_seal_is_reported(engine: Engine, key_path: Path, cut: int) -> None:
    _append_n(engine, 105)
    _seal(engine, key_path)
    _raw(engine, f"DELETE FROM event WHERE id > {105 - cut}")
    for full in (False, True):
        report = _verify(engine, key_path, full=full)
        assert not report.ok and "the log was cut off" in _problems(report)


def _rewrite_and_recompute(engine: Engine, event_id: int) -> None:
    """Change one event and recompute every hash after it: the chain itself stays consistent."""
    _raw(engine, f"UPDATE event SET reason = 'rewritten' WHERE id = {event_id}")
    with Session(engine) as session:
        events = session.exec(select(Event).order_by(Event.id)).all()
    previous = "0" * 64
    with engine.begin() as connection:
        for event in events:
            event.prev_hash = previous
            event.hash = compute_hash(event)
            connection.execute(text("UPDATE event SET prev_hash = :p, hash = :h WHERE id = :i"),
                               {"p": event.prev_hash, "h": event.hash, "i": event.id})
            previous = event.hash


def test_rewrite_with_recomputed_hashes_is_reported(engine: Engine, key_path: Path) -> None:
    _append_n(engine, 6)
    _seal(engine, key_path)
    _rewrite_and_recompute(engine, 2)
    report = _verify(engine, key_path, full=True)
    assert report.chain.broken is None  # the chain alone cannot tell
    assert "the log was rewritten" in _problems(report)


def _remove_seals(engine: Engine, where: str) -> None:
    """Remove seals below the repository layer, as someone with database rights could."""
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER IF EXISTS audit_checkpoint_no_delete"))
        else:
            connection.execute(text("ALTER TABLE audit_checkpoint DISABLE TRIGGER USER"))
        connection.execute(text(f"DELETE FROM audit_checkpoint {where}"))


def _three_seals(engine: Engine, key_path: Path) -> None:
    for _ in range(3):
        _append_n(engine, 2)
        _seal(engine, key_path)


def test_removed_seals_are_reported(engine: Engine, key_path: Path) -> None:
    _three_seals(engine, key_path)
    _remove_seals(engine, "WHERE seq IN (2, 3)")
    problems = _problems(_verify(engine, key_path))
    assert "checkpoint 2 is in the journal" in problems and "checkpoint 3 is in the journal" in problems


def test_seal_removed_from_the_middle_leaves_a_gap(engine: Engine, key_path: Path) -> None:
    _three_seals(engine, key_path)
    _remove_seals(engine, "WHERE seq = 2")
    (key_path.parent / "journal.jsonl").unlink()
    assert "checkpoint 2 is missing from the database" in _problems(_verify(engine, key_path))


def test_seal_by_an_untrusted_key_is_reported(engine: Engine, key_path: Path, tmp_path: Path) -> None:
    _append_n(engine, 3)
    report = _verify(engine, key_path)
    with session_scope(engine) as session:
        seal_if_verified(session, Ed25519PrivateKey.generate(), report)
    assert "not trusted" in _problems(_verify(engine, key_path))


def test_exported_seal_catches_a_rewrite_that_was_sealed_again(engine: Engine, key_path: Path) -> None:
    """Someone with the database and the key rewrites the log, removes every seal and seals anew."""
    _append_n(engine, 4)
    exported = export_record(_seal(engine, key_path))
    _rewrite_and_recompute(engine, 1)
    _remove_seals(engine, "")
    (key_path.parent / "journal.jsonl").unlink()
    _seal(engine, key_path)
    assert _verify(engine, key_path).ok
    report = _verify(engine, key_path, exported=[exported])
    assert "the log was rewritten" in _problems(report)
