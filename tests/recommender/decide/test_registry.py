"""Model registry: round trip with logged events, broken or invalid models refused, stages, duplicate retrains."""

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
from recommender.errors import _DUPLICATE_MODEL, _META_INVALID, DuplicateModelError, ModelLoadError, RegistryError
from recommender.learn.train import fit
from recommender.learn.train_config import TrainConfig
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


def _three_versions(root: Path) -> tuple[ModelRegistry, list[str]]:
    registry = ModelRegistry(root)
    data = sm.data(5000)
    return registry, [registry.save(fit(data, TrainConfig.quick(seed=seed, num_threads=1))) for seed in (1, 2, 3)]


def _stages(registry: ModelRegistry) -> dict[str, str]:
    return {info.version: info.stage for info in registry.list_versions()}


def test_stages_move_with_promote_shadow_and_rollback(tmp_path: Path, db: Engine) -> None:
    registry, (first, second, third) = _three_versions(tmp_path)
    assert set(_stages(registry).values()) == {"candidate"}
    with session_scope(db) as session:
        registry.promote(first, session=session, actor="ds:1")
        registry.set_shadow(third, session=session, actor="ds:1")
    assert _stages(registry) == {first: "production", second: "candidate", third: "shadow"}
    with session_scope(db) as session:
        registry.promote(second, session=session, actor="ds:1", reason="better")
    assert _stages(registry) == {first: "archived", second: "production", third: "shadow"}
    with session_scope(db) as session:
        registry.rollback(session=session, actor="ds:1", reason="drift alarm")
    assert _stages(registry) == {first: "production", second: "archived", third: "shadow"}
    assert [info.version for info in registry.list_versions() if info.active] == [first]


SMALL = TrainConfig.quick(num_threads=1)


def test_identical_retrain_is_refused_as_duplicate_of_the_stored_version(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    first = registry.save(fit(sm.data(5000), SMALL))
    retrain = fit(sm.data(5000), SMALL)
    with pytest.raises(DuplicateModelError) as refused:
        registry.save(retrain)
    assert refused.value.version == first
    assert str(refused.value) == _DUPLICATE_MODEL.format(version=first, data_sha=retrain.meta.data.sha256[:12],
                                                         code=retrain.meta.training.code_version)
    assert registry.versions() == [first]


def test_retrain_with_another_seed_is_a_new_version(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    first = registry.save(fit(sm.data(5000), SMALL))
    second = registry.save(fit(sm.data(5000), TrainConfig.quick(num_threads=1, seed=7)))
    assert registry.versions() == sorted([first, second])


def test_meta_json_that_does_not_validate_is_refused_with_the_field_named(tmp_path: Path) -> None:
    registry = ModelRegistry(tmp_path)
    version = registry.save(sm.trained())
    meta_file = tmp_path / version / "meta.json"
    meta = json.loads(meta_file.read_text(encoding="utf-8"))
    del meta["module_effects_relative_to"]
    meta["calibration"]["a"] = "steep"
    meta_file.write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelLoadError) as refused:
        registry.load(version)
    message = str(refused.value)
    assert message.startswith(_META_INVALID.split("{problems}")[0].format(version=version))
    assert "module_effects_relative_to: Field required" in message and "calibration.a" in message
    [info] = registry.list_versions()
    assert info.problem == message and info.stage == "candidate"
