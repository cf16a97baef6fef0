"""Fairness audit from the audited model's own rankings, with need-based eligibility kept apart."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from data.catalogue import load_catalogue
from recommender.evaluate.fairness import audit_data_from_model, run_audit
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario

CONFIG = replace(TrainConfig.quick(), num_threads=1)


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    scenario = load_scenario(DEFAULT_SCENARIO, catalogue)
    train = simulate(scenario, catalogue, 8000, seed=1)
    test = simulate(scenario, catalogue, 3000, seed=2)
    first = fit(train, CONFIG).model
    second = fit(train.subset(np.arange(2000)), replace(CONFIG, baseline_rounds=5, effect_rounds=5)).model
    return catalogue, test, first, second


def _exposures(result: dict) -> dict[str, float | None]:  # type: ignore[type-arg]
    metrics = result["attributes"]["gender"]["metrics"]
    return {k: v["by_group"]["female"] for k, v in metrics.items() if k.startswith("exposure_if_eligible:")}


def test_two_models_get_their_own_exposure_figures(world) -> None:  # type: ignore[no-untyped-def]
    catalogue, test, first, second = world
    one = run_audit(audit_data_from_model(first, test, catalogue=catalogue), n_boot=30)
    two = run_audit(audit_data_from_model(second, test, catalogue=catalogue), n_boot=30)
    assert _exposures(one) != _exposures(two)


def test_need_based_eligibility_difference_is_reported_but_not_alerted(world) -> None:  # type: ignore[no-untyped-def]
    catalogue, test, first, _ = world
    result = run_audit(audit_data_from_model(first, test, catalogue=catalogue), n_boot=30)
    eligible = result["attributes"]["nationality_group"]["metrics"]["eligible:job_german_course"]
    assert eligible["ratio"] is not None and eligible["ratio"] < 0.1
    alerted = {a["metric"] for a in result["alerts"]}
    assert not any(m.startswith(("eligible:", "exposure:")) for m in alerted)


def test_people_with_a_self_report_are_counted_apart_from_everyone(world) -> None:  # type: ignore[no-untyped-def]
    catalogue, test, first, _ = world
    data = audit_data_from_model(first, test, catalogue=catalogue)
    data.groups.loc[: 999, :] = None
    result = run_audit(data, n_boot=30)
    assert result["people"] == 3000 and result["people_with_report"] == 2000
