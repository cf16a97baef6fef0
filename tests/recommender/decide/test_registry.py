"""Model registry: round trip with logged events, corrupted or incompatible models refused, shadow candidates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.migrate import upgrade
from models.tables import Event
from recommender.decide.registry import ModelRegistry
from recommender.errors import ModelLoadError, RegistryError
from recommender.records.chain import verify_chain
from tests.recommender import simulated_model as sm


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    return sqlite_engine


def _two_versions(root: Path) -> tuple[ModelRegistry, str, str]:
    registry = ModelRegistry(root)
    return registry, registry.save(sm.trained()), registry.save(sm.trained(10_000))


def test_promote_and_rollback_round_trip_logs_events(tmp_path: Path, db: Engine) -> None:
    registry, first, second = _two_versions(tmp_path)
    assert registry.active_version() is None and registry.load_active() is None
    with session_scope(db) as session:
        registry.promote(first, session=session, actor="ds:1")
        registry.promote(second, session=session, actor="ds:1", reason="better")
    assert registry.load_active().version == second
    with session_scope(db) as session:
        assert registry.rollback(session=session, actor="ds:1", reason="drift alarm") == first
    assert registry.active_version() == first
    with session_scope(db) as session:
        events = session.exec(select(Event)).all()
        assert [e.event_type for e in events] == ["model_promoted", "model_promoted", "model_rolled_back"]
        assert events[-1].reason == "drift alarm" and events[-1].model_version == first
        assert verify_chain(session).ok


def test_rollback_without_reason_or_history_is_refused(tmp_path: Path, db: Engine) -> None:
    registry, first, _ = _two_versions(tmp_path)
    with session_scope(db) as session:
        registry.promote(first, session=session, actor="ds:1")
        with pytest.raises(RegistryError, match="needs a reason"):
            registry.rollback(session=session, actor="ds:1", reason=" ")
        with pytest.raises(RegistryError, match="no earlier active model"):
            registry.rollback(session=session, actor="ds:1", reason="why not")


def test_corrupted_model_is_refused_and_active_model_stays(tmp_path: Path, db: Engine) -> None:
    registry, first, second = _two_versions(tmp_path)
    with session_scope(db) as session:
        registry.promote(first, session=session, actor="ds:1")
    model_file = tmp_path / second / "model.txt"
    model_file.write_text(model_file.read_text(encoding="utf-8").replace("Tree=0", "Tree=9"), encoding="utf-8")
    with session_scope(db) as session, pytest.raises(ModelLoadError, match="corrupted.*sha256"):
        registry.promote(second, session=session, actor="ds:1")
    assert registry.active_version() == first
    assert registry.load_active().version == first


def test_incompatible_feature_set_is_refused(tmp_path: Path) -> None:
    registry, first, _ = _two_versions(tmp_path)
    meta_file = tmp_path / first / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    meta["feature_set_version"] = "fs-old"
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="feature set 'fs-old'"):
        registry.load(first)


def test_stored_model_has_meta_card_and_no_pickle(tmp_path: Path) -> None:
    registry, first, _ = _two_versions(tmp_path)
    files = sorted(p.name for p in (tmp_path / first).iterdir())
    assert files == ["MODEL_CARD.md", "meta.json", "model.txt"]
    assert "SYNTHETIC" in (tmp_path / first / "MODEL_CARD.md").read_text(encoding="utf-8")
    meta = registry.meta(first)
    assert meta.data.synthetic is True and meta.libraries["lightgbm"]


def test_shadow_candidate_is_set_logged_and_cleared_when_promoted(tmp_path: Path, db: Engine) -> None:
    registry, first, second = _two_versions(tmp_path)
    with session_scope(db) as session:
        registry.promote(first, session=session, actor="ds:1")
        registry.set_shadow(second, session=session, actor="ds:1")
    assert registry.load_shadow().version == second and registry.load_active().version == first
    with session_scope(db) as session:
        registry.promote(second, session=session, actor="ds:1", reason="shadow looked better")
    assert registry.shadow_version() is None and registry.active_version() == second
    with session_scope(db) as session:
        events = [e.event_type for e in session.exec(select(Event)).all()]
    assert events == ["model_promoted", "model_shadow_set", "model_promoted"]


def test_corrupted_shadow_candidate_is_refused_before_it_is_set(tmp_path: Path, db: Engine) -> None:
    registry, first, second = _two_versions(tmp_path)
    (tmp_path / second / "model.txt").write_text("not a model", encoding="utf-8")
    with pytest.raises(ModelLoadError), session_scope(db) as session:
        registry.set_shadow(second, session=session, actor="ds:1")
    assert registry.shadow_version() is None
