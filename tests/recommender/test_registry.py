"""Registry stages (candidate, shadow, production, archived), duplicate retrains, meta.json validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from models.db import session_scope
from models.migrate import upgrade
from recommender.decide.registry import ModelRegistry
from recommender.errors import _DUPLICATE_MODEL, _META_INVALID, DuplicateModelError, ModelLoadError
from recommender.learn.train import fit
from recommender.learn.train_config import TrainConfig
from tests.recommender import simulated_model as sm


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    return sqlite_engine


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
