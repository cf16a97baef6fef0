"""Gated promotion: a fair candidate with its report is promoted; a proxy-trained one is refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.catalogue import load_catalogue
from models.db import session_scope
from models.migrate import upgrade
from models.tables import Event
from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.registry import ModelRegistry
from recommender.errors import RecommenderError
from recommender.evaluate.gates import GateEvidence, PromotionBlocked, failed_gates, promote_with_gates
from recommender.evaluate.model_report import build_model_report
from recommender.evaluate.proxies import probe_proxies
from recommender.evaluate.twins import PROXY_COLUMN, booster_scorer, run_twins
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from tests.recommender.evaluate.test_proxies import clean_scenario
from tests.recommender.unfair import train_unfair_candidate

CONFIG = replace(TrainConfig.quick(), num_threads=1)


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    scenario = clean_scenario(load_scenario(DEFAULT_SCENARIO, catalogue))
    return catalogue, simulate(scenario, catalogue, 12_000, seed=42), simulate(scenario, catalogue, 4_000, seed=9)


@pytest.fixture
def db(sqlite_engine: Engine) -> Engine:
    upgrade(sqlite_engine)
    return sqlite_engine


def _events(engine: Engine, kind: str) -> list[Event]:
    with Session(engine) as session:
        return list(session.exec(select(Event).where(Event.event_type == kind)).all())


def test_fair_candidate_with_report_passes_every_gate_and_promotion_is_logged(world, db: Engine,  # type: ignore[no-untyped-def]
                                                                             tmp_path: Path) -> None:
    catalogue, train, test = world
    registry = ModelRegistry(tmp_path / "models")
    version = registry.save(fit(train, CONFIG), catalogue_version=catalogue.version)
    html, report = build_model_report(registry, version, test, twins_n=1000, n_boot=100)
    assert html.exists() and "data:image/png;base64," in html.read_text(encoding="utf-8")
    assert [g["gate"] for g in report["gates"] if not g["passed"]] == []
    assert "report_html" in (registry.root / version / "MODEL_CARD.md").read_text(encoding="utf-8")
    with session_scope(db) as session:
        assert promote_with_gates(registry, version, session=session, actor="ds-1") == []
    assert registry.active_version() == version
    assert [e.model_version for e in _events(db, "model_promoted")] == [version]


def test_candidate_trained_with_a_proxy_feature_fails_the_gates(world, db: Engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, train, test = world
    unfair = train_unfair_candidate(train)
    origin = train_unfair_candidate(test).origin
    features = np.column_stack([test.features, origin])
    proxies = probe_proxies(features, [*ALLOWED_FEATURES, PROXY_COLUMN],
                            {"nationality_group": test.protected["citizenship_group"]})
    twins = run_twins(booster_scorer(unfair.booster, unfair.module_codes, test.module_ids), test, n=1000)
    evidence = GateEvidence("unfair-1", unfair.feature_names, None, proxies, twins, tmp_path / "missing.html")
    failed = {g.gate for g in failed_gates(evidence)}
    assert {"proxy_auc", "twins", "feature_allow_list", "report", "policy_value"} <= failed
    registry = ModelRegistry(tmp_path / "models")
    with session_scope(db) as session, pytest.raises(PromotionBlocked, match="failed gates: policy_value"):
        promote_with_gates(registry, "unfair-1", session=session, actor="ds-1", evidence=evidence)
    assert registry.active_version() is None and _events(db, "model_promoted") == []


def test_forced_promotion_needs_a_reason_and_logs_the_failed_gates_then_rollback_is_logged(  # type: ignore[no-untyped-def]
        world, db: Engine, tmp_path: Path) -> None:
    catalogue, train, _ = world
    registry = ModelRegistry(tmp_path / "models")
    first = registry.save(fit(train, CONFIG), catalogue_version=catalogue.version)
    second = registry.save(fit(train.subset(np.arange(6000)), CONFIG), catalogue_version=catalogue.version)
    with session_scope(db) as session, pytest.raises(RecommenderError, match="--force needs a written --reason"):
        promote_with_gates(registry, first, session=session, actor="ds-1", force=True, reason=" ")
    with session_scope(db) as session:
        failed = promote_with_gates(registry, first, session=session, actor="ds-1", force=True, reason="pilot week")
        promote_with_gates(registry, second, session=session, actor="ds-1", force=True, reason="pilot week 2")
    assert "report" in {g.gate for g in failed}
    reasons = [e.reason or "" for e in _events(db, "model_promoted")]
    assert reasons[0].startswith("FORCED past failed gates [") and reasons[0].endswith("pilot week")
    with session_scope(db) as session:
        assert registry.rollback(session=session, actor="ds-1", reason="worse acceptance") == first
    rolled = _events(db, "model_rolled_back")
    assert [(e.model_version, e.reason) for e in rolled] == [(first, "worse acceptance")]
