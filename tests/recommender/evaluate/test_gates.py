"""Gated promotion: each gate cites the stored result of its command for this version; missing evidence fails."""

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
from recommender.evaluate.evidence import Evidence
from recommender.evaluate.first_start import SimulatedPolicyValue
from recommender.evaluate.gates import (
    FIRST_START_ONLY,
    FIRST_START_SOURCE,
    POLICY_VALUE_MARGIN,
    GateEvidence,
    PromotionBlocked,
    check_gates,
    evidence_from_registry,
    evidence_store,
    failed_gates,
    promote_with_gates,
)
from recommender.evaluate.logged_comparison import (
    ACTIVE,
    LOGGING,
    RULES,
    LoggedEvaluation,
    PairedDifference,
    UpliftCurve,
)
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


def _evaluation(version: str, low: float, *, held_out: bool = True) -> Evidence:
    differences = [PairedDifference(baseline=b, value=low + 0.01, low=low, high=low + 0.02)
                   for b in (ACTIVE, RULES, LOGGING)]
    result = LoggedEvaluation(candidate=version, against="active-1", data_source="simulated", data_hash="abc",
                              decisions=500, evaluated_from=None, held_out=held_out, held_out_note="test",
                              exploration_share=0.1, values=[], differences=differences,
                              calibration={"predicted": [0.2, 0.3], "observed": [0.21, 0.28]},
                              uplift_curve=UpliftCurve(share=[0.0, 1.0], model=[0.0, 5.0], random=[0.0, 4.0], qini=0.0))
    return Evidence(kind="policy_value", model_version=version, data_source="simulated", data_hash="abc",
                    result=result.model_dump(mode="json"))


def _proxies(test, extra: dict[str, np.ndarray] | None = None) -> Evidence:  # type: ignore[no-untyped-def]
    protected = {"gender": test.protected["gender"], "nationality_group": test.protected["citizenship_group"],
                 **(extra or {})}
    result = {**probe_proxies(test.features, list(ALLOWED_FEATURES), protected), "features": list(ALLOWED_FEATURES)}
    return Evidence(kind="proxy_auc", model_version=None, data_source="simulated", data_hash="def", result=result)


def test_candidate_with_every_command_run_passes_the_gates_and_promotion_is_logged(world, db: Engine,  # type: ignore[no-untyped-def]
                                                                                   tmp_path: Path) -> None:
    catalogue, train, test = world
    registry = ModelRegistry(tmp_path / "models")
    version = registry.save(fit(train, CONFIG), catalogue_version=catalogue.version)
    model = registry.load(version)
    store = evidence_store(registry)
    store.save(_evaluation(version, -0.004))
    store.save(_proxies(test))
    store.save(Evidence(kind="twins", model_version=version, data_source="simulated", data_hash="ghi",
                        result=run_twins(booster_scorer(model.booster, model.module_codes, test.module_ids), test,
                                         n=1000, model=model)))
    html, report = build_model_report(registry, version, test, scenario=DEFAULT_SCENARIO, n_boot=100)
    assert html.exists() and "data:image/png;base64," in html.read_text(encoding="utf-8")
    assert [g["gate"] for g in report["gates"] if not g["passed"]] == []
    assert all("simulated data" in g["detail"] for g in report["gates"] if g["gate"] != "feature_allow_list")
    assert "report_html" in (registry.root / version / "MODEL_CARD.md").read_text(encoding="utf-8")
    with session_scope(db) as session:
        assert promote_with_gates(registry, version, session=session, actor="ds-1") == []
    assert registry.active_version() == version
    assert [e.model_version for e in _events(db, "model_promoted")] == [version]


def test_missing_evidence_fails_every_gate_and_names_the_command() -> None:
    results = {g.gate: g for g in check_gates(GateEvidence("v1", list(ALLOWED_FEATURES)))}
    assert not any(g.passed for name, g in results.items() if name != "feature_allow_list")
    assert "lotse evaluate --candidate v1" in results["policy_value"].detail
    assert "lotse audit proxies" in results["proxy_auc"].detail
    assert "lotse audit twins v1" in results["twins"].detail
    assert "lotse ds report v1" in results["report"].detail


def test_proxy_gate_fails_when_an_attribute_was_not_measured(world) -> None:  # type: ignore[no-untyped-def]
    _, _, test = world
    unreported = np.full(test.n, None, dtype=object)
    evidence = GateEvidence("v1", list(ALLOWED_FEATURES), proxies=_proxies(test, {"disability": unreported}))
    (gate,) = [g for g in check_gates(evidence) if g.gate == "proxy_auc"]
    assert not gate.passed and "disability not measured" in gate.detail


@pytest.mark.parametrize(("low", "held_out", "passes"), [(-POLICY_VALUE_MARGIN / 2, True, True),
                                                         (-2 * POLICY_VALUE_MARGIN, True, False),
                                                         (0.01, False, False)])
def test_policy_value_gate_needs_held_out_paired_lower_bound_above_minus_the_margin(low: float, held_out: bool,
                                                                                    passes: bool) -> None:
    evidence = GateEvidence("v1", list(ALLOWED_FEATURES), policy_value=_evaluation("v1", low, held_out=held_out))
    (gate,) = [g for g in check_gates(evidence) if g.gate == "policy_value"]
    assert gate.passed is passes and "simulated data abc" in gate.detail


def test_first_model_from_logs_is_held_against_the_rules_not_itself() -> None:
    """With no active model, `evaluate --candidate V --against V` compares V with itself (difference 0):
    the gate must read candidate - rules baseline instead, which is what serves people today."""
    evidence = _evaluation("v1", 0.0)
    result = LoggedEvaluation.model_validate(evidence.result)
    differences = [PairedDifference(baseline=ACTIVE, value=0.0, low=0.0, high=0.0),
                   PairedDifference(baseline=RULES, value=-0.02, low=-0.08, high=0.04),
                   PairedDifference(baseline=LOGGING, value=0.0, low=-0.01, high=0.01)]
    alone = result.model_copy(update={"against": "v1", "differences": differences})
    evidence = Evidence(kind="policy_value", model_version="v1", data_source="simulated", data_hash="abc",
                        result=alone.model_dump(mode="json"))
    (gate,) = [g for g in check_gates(GateEvidence("v1", list(ALLOWED_FEATURES), policy_value=evidence))
               if g.gate == "policy_value"]
    assert not gate.passed and "candidate - rules baseline, no other active model -0.0200" in gate.detail


def _first_start_value(low: float) -> Evidence:
    value = SimulatedPolicyValue(people=20_000, k=3, candidate=0.05, rules=0.045, difference=low + 0.002, low=low,
                                 high=low + 0.004)
    return Evidence(kind="policy_value", model_version="v1", data_source="simulated", data_hash="sim",
                    first_start=True, result=value.model_dump())


@pytest.mark.parametrize(("low", "first_start", "passes"), [(-POLICY_VALUE_MARGIN / 2, True, True),
                                                            (-2 * POLICY_VALUE_MARGIN, True, False),
                                                            (0.01, False, False)])
def test_simulated_policy_value_counts_only_on_a_first_start_and_keeps_the_margin(low: float, first_start: bool,
                                                                                 passes: bool) -> None:
    evidence = GateEvidence("v1", list(ALLOWED_FEATURES), policy_value=_first_start_value(low), first_start=first_start)
    (gate,) = [g for g in check_gates(evidence) if g.gate == "policy_value"]
    assert gate.passed is passes and "simulated data sim" in gate.detail
    expected = FIRST_START_SOURCE if first_start else FIRST_START_ONLY.format(version="v1")
    assert expected in gate.detail


def test_evidence_of_another_version_does_not_count(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    catalogue, train, _ = world
    registry = ModelRegistry(tmp_path / "models")
    first = registry.save(fit(train, CONFIG), catalogue_version=catalogue.version)
    second = registry.save(fit(train, replace(CONFIG, seed=7)), catalogue_version=catalogue.version)
    evidence_store(registry).save(_evaluation(first, 0.0))
    assert "policy_value" not in {g.gate for g in failed_gates(evidence_from_registry(registry, first))}
    assert "policy_value" in {g.gate for g in failed_gates(evidence_from_registry(registry, second))}


def test_candidate_trained_with_a_proxy_feature_fails_the_gates(world, db: Engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, train, test = world
    unfair = train_unfair_candidate(train)
    origin = train_unfair_candidate(test).origin
    features = np.column_stack([test.features, origin])
    proxies = probe_proxies(features, [*ALLOWED_FEATURES, PROXY_COLUMN],
                            {"nationality_group": test.protected["citizenship_group"]})
    twins = run_twins(booster_scorer(unfair.booster, unfair.module_codes, test.module_ids), test, n=1000)
    evidence = GateEvidence(
        "unfair-1", unfair.feature_names, None,
        Evidence(kind="proxy_auc", model_version=None, data_source="simulated", data_hash="x",
                 result={**proxies, "features": [*ALLOWED_FEATURES, PROXY_COLUMN]}),
        Evidence(kind="twins", model_version="unfair-1", data_source="simulated", data_hash="y", result=twins),
        None, tmp_path / "missing.html")
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
