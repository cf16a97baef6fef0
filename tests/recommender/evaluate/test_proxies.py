"""Proxy probe (G4): a simulated population with a planted proxy fails, a clean one passes."""

from __future__ import annotations

import numpy as np
import pytest

from data.catalogue import load_catalogue
from recommender.decide.features import ALLOWED_FEATURES
from recommender.evaluate.proxies import MAX_PROXY_AUC, ProxyProbeError, probe_proxies
from recommender.records.justified_features import declared_features
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, Scenario, load_scenario

N = 3000


def clean_scenario(scenario: Scenario) -> Scenario:
    """The same world, but no allowed feature depends on gender, citizenship or age."""
    pop = scenario.population
    population = pop.model_copy(update={
        "school_non_german": pop.school_german, "vocational_none_non_german": pop.vocational_none_german,
        "foreign_qualification_non_german": 0.02, "german_level_non_german": {"C1": 0.05, "C2": 0.95},
        "driving_licence_non_german": pop.driving_licence_german, "commute_women_factor": 1.0,
    })
    return scenario.model_copy(update={"population": population})


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(DEFAULT_SCENARIO, load_catalogue())


def _probe(data, **kwargs):  # type: ignore[no-untyped-def]
    protected = {"gender": data.protected["gender"], "nationality_group": data.protected["citizenship_group"]}
    return probe_proxies(data.features, list(ALLOWED_FEATURES), protected, **kwargs)


def test_planted_proxy_german_level_for_nationality_fails_the_probe(scenario: Scenario) -> None:
    data = simulate(scenario, load_catalogue(), N, seed=42)
    report = _probe(data, declared=())
    nationality = report["attributes"]["nationality_group"]
    assert nationality["auc"] > MAX_PROXY_AUC and nationality["passes"] is False
    assert "german_level" in nationality["top_features"]
    assert report["passes"] is False


def test_declared_features_are_reported_with_their_auc_and_only_the_rest_is_gated(scenario: Scenario) -> None:
    data = simulate(scenario, load_catalogue(), N, seed=42)
    report = _probe(data)
    nationality = report["attributes"]["nationality_group"]
    assert report["declared"] == list(declared_features())
    assert nationality["auc_with_declared"] > 0.9 > MAX_PROXY_AUC >= nationality["auc"]
    assert not set(nationality["top_features"]) & set(declared_features())
    assert report["passes"] is True


def test_clean_population_passes_the_probe(scenario: Scenario) -> None:
    data = simulate(clean_scenario(scenario), load_catalogue(), N, seed=42)
    report = _probe(data)
    assert report["passes"] is True, report
    assert all(0.4 < r["auc"] <= MAX_PROXY_AUC for r in report["attributes"].values())


def test_unreported_people_are_left_out_and_lengths_are_checked() -> None:
    rng = np.random.default_rng(42)
    x = rng.random((400, 3))
    labels = np.where(x[:, 0] > 0.5, "a", "b").astype(object)
    labels[:100] = None
    report = probe_proxies(x, ["f0", "f1", "f2"], {"g": labels})
    assert report["attributes"]["g"]["rows"] == 300
    assert report["attributes"]["g"]["top_features"][0] == "f0"
    with pytest.raises(ProxyProbeError, match="features has 400 rows but 'g' has 3 values"):
        probe_proxies(x, ["f0", "f1", "f2"], {"g": labels[:3]})
