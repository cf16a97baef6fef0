"""Off-policy estimates recover a known policy's value on a simulated log (G16)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from data.catalogue import load_catalogue
from recommender.evaluate.ope import (
    OPEError,
    compare,
    estimate_policy_value,
    evaluate_on_simulation,
    exploration_report,
    greedy_choice,
)
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    scenario = load_scenario(DEFAULT_SCENARIO, catalogue)
    return catalogue, scenario, simulate(scenario, catalogue, 20_000, seed=43)


def _fixed_policy(data) -> tuple[np.ndarray, float]:  # type: ignore[no-untyped-def]
    """Always the eligible module with the largest true uplift on average: a known policy."""
    order = np.argsort(-np.nanmean(np.where(data.eligible, data.tau, np.nan), axis=0))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    chosen = greedy_choice(-rank[None, :].repeat(data.n, 0).astype(float), data.eligible)
    uplift = np.where(chosen > 0, data.tau[np.arange(data.n), np.maximum(chosen - 1, 0)], 0.0)
    return chosen, float((data.p0 + uplift).mean())


def test_ips_snips_and_dr_cover_the_true_value_of_a_known_policy(world) -> None:  # type: ignore[no-untyped-def]
    _, _, data = world
    chosen, truth = _fixed_policy(data)
    rows = np.arange(data.n)
    q_all = np.column_stack([data.p0, data.p0[:, None] + data.tau])
    estimates = estimate_policy_value(data.outcome, data.propensity, (data.action == chosen).astype(float),
                                      q_logged=q_all[rows, data.action], q_target=q_all[rows, chosen])
    assert set(estimates) == {"ips", "snips", "dr"}
    for estimate in estimates.values():
        assert estimate.low <= truth <= estimate.high, estimate
        assert estimate.high - estimate.low < 0.1
    # A good outcome model makes DR much tighter than IPS.
    assert estimates["dr"].high - estimates["dr"].low < estimates["ips"].high - estimates["ips"].low


def test_ignoring_the_logged_propensities_misses_the_true_value(world) -> None:  # type: ignore[no-untyped-def]
    _, _, data = world
    chosen, truth = _fixed_policy(data)
    naive = estimate_policy_value(data.outcome, np.ones(data.n), (data.action == chosen).astype(float))
    assert not naive["ips"].low <= truth <= naive["ips"].high


def test_trained_model_policy_value_is_covered_on_held_out_simulated_log(world) -> None:  # type: ignore[no-untyped-def]
    catalogue, scenario, data = world
    model = fit(data, replace(TrainConfig.quick(), num_threads=1)).model
    test = simulate(scenario, catalogue, 10_000, seed=7)
    result = evaluate_on_simulation(model, test, n_boot=200)
    assert result["covers_truth"]["dr"] and result["covers_truth"]["snips"]
    verdict = compare({k: _est(v) for k, v in result["estimates"].items()},
                      {k: _est(v) for k, v in result["estimates"].items()})
    assert verdict["not_worse"] and verdict["estimator"] == "dr"


def _est(d):  # type: ignore[no-untyped-def]
    from recommender.evaluate.ope import Estimate

    return Estimate(**d)


def test_clearly_worse_candidate_is_flagged_worse() -> None:
    from recommender.evaluate.ope import Estimate

    active = {"dr": Estimate("dr", 0.30, 0.28, 0.32, 1000, 900.0)}
    worse = {"dr": Estimate("dr", 0.20, 0.18, 0.22, 1000, 900.0)}
    assert compare(worse, active)["not_worse"] is False
    assert compare(active, worse)["not_worse"] is True


@pytest.mark.parametrize("propensity", [0.0, 1.5, -0.1])
def test_propensity_outside_unit_interval_is_refused(propensity: float) -> None:
    with pytest.raises(OPEError, match=r"propensities must lie in \(0, 1\]"):
        estimate_policy_value(np.ones(3), np.array([0.5, 0.5, propensity]), np.ones(3))


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(OPEError, match="same length"):
        estimate_policy_value(np.ones(3), np.ones(2), np.ones(3))


def test_exploration_share_is_reported_and_warns_when_tiny() -> None:
    from recommender.learn.training_data import LoggedData

    n = 100
    logged = LoggedData([], np.zeros((n, 22), np.float32), np.zeros(n, np.int16), np.ones(n, np.float32),
                        np.zeros(n, np.int8), np.ones(n, np.int16), np.arange(n) < 2, np.zeros(n, bool),
                        np.array(["none"] * n, object), np.zeros(n, np.float32), np.arange(n).astype(object),
                        np.arange(n).astype(object), np.array(["v"] * n, object), np.zeros(n, "datetime64[s]"))
    report = exploration_report(logged)
    assert report["exploration_share"] == pytest.approx(0.02)
    assert report["warning"] is True
