"""The simulator: deterministic per seed, consistent oracle, protected attributes kept apart."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from recommender.decide.features import ALLOWED_FEATURES
from recommender.errors import ScenarioError
from recommender.simulate.population import simulate
from recommender.simulate.scenario import HARD_SCENARIO, load_scenario
from tests.recommender import simulated_model as sm


def test_same_seed_gives_identical_data() -> None:
    a = simulate(sm.scenario(), sm.catalogue(), 3000, seed=42)
    b = simulate(sm.scenario(), sm.catalogue(), 3000, seed=42)
    for name in ("features", "eligible", "action", "propensity", "outcome", "p0", "tau"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_different_seed_gives_different_people() -> None:
    a = simulate(sm.scenario(), sm.catalogue(), 2000, seed=1)
    b = simulate(sm.scenario(), sm.catalogue(), 2000, seed=2)
    assert not np.array_equal(a.outcome, b.outcome)


def test_oracle_matches_outcomes_of_logged_actions() -> None:
    data = simulate(sm.scenario(), sm.catalogue(), 60_000, seed=42)
    treated = data.action > 0
    p_logged = data.p0 + np.where(treated, data.tau[np.arange(data.n), np.maximum(data.action - 1, 0)], 0.0)
    assert np.all((p_logged > 0) & (p_logged < 1))
    # The mean outcome equals the oracle's expected outcome up to sampling noise.
    assert data.outcome.mean() == pytest.approx(p_logged.mean(), abs=0.01)
    subsidised = data.module_ids.index("subsidised_employment")
    got = data.action == subsidised + 1
    if got.sum() > 200:  # the largest effect: visible in raw outcomes
        assert data.outcome[got].mean() > data.outcome[data.action == 0].mean()


def test_logged_actions_are_eligible_and_propensities_valid() -> None:
    data = sm.data(5000)
    treated = data.action > 0
    assert data.eligible[np.flatnonzero(treated), data.action[treated] - 1].all()
    assert np.all((data.propensity > 0) & (data.propensity <= 1))


def test_protected_attributes_stay_out_of_features_but_correlate() -> None:
    data = sm.data(20_000)
    assert set(data.protected) == {"gender", "age_band", "citizenship_group"}
    assert data.features.shape[1] == len(ALLOWED_FEATURES)
    german = data.features[:, ALLOWED_FEATURES.index("german_level")]
    non_german = data.protected["citizenship_group"] == "non_german"
    # A realistic proxy: later fairness audits must be able to find it.
    assert np.nanmean(german[non_german]) < np.nanmean(german[~non_german]) - 1


def test_hard_scenario_is_confounded() -> None:
    data = simulate(load_scenario(HARD_SCENARIO, sm.catalogue()), sm.catalogue(), 20_000, seed=42)
    assert data.propensity.min() < 0.02 < data.propensity.max()


def test_scenario_with_unknown_module_fails_with_file_and_line(tmp_path: Path) -> None:
    text = sm.STRONG_SCENARIO.read_text(encoding="utf-8").replace("module: personal_network", "module: ghost")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"bad\.yaml, line 1\d: effect for unknown module 'ghost'"):
        load_scenario(path, sm.catalogue())


def test_scenario_effect_without_source_is_refused(tmp_path: Path) -> None:
    text = sm.STRONG_SCENARIO.read_text(encoding="utf-8")
    text = text.replace('    source: "test fixture"\n    terms:', "    terms:", 1)
    path = tmp_path / "nosource.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"effects\.0\.source"):
        load_scenario(path, sm.catalogue())
