"""Counterfactual twins (G5): an allow-list model keeps the top-5; a proxy-trained one does not."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from data.catalogue import load_catalogue
from recommender.evaluate.twins import (
    MIN_JACCARD,
    MIN_TWINS,
    booster_scorer,
    jaccard_top_k,
    make_twins,
    model_scorer,
    run_twins,
)
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from tests.recommender.unfair import train_unfair_candidate


@pytest.fixture(scope="module")
def data():  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    return simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 12_000, seed=42)


def test_allow_list_model_gives_every_twin_the_same_top5_and_clean_reasons(data) -> None:  # type: ignore[no-untyped-def]
    model = fit(data, replace(TrainConfig.quick(), num_threads=1)).model
    report = run_twins(model_scorer(model, data.module_ids), data, n=MIN_TWINS, model=model)
    assert report["passes"] is True
    assert all(r["twins"] == MIN_TWINS and r["mean_jaccard"] == 1.0 for r in report["changes"].values())
    assert report["explanations_clean"] is True


def test_candidate_trained_with_a_first_name_proxy_fails_the_twin_test(data) -> None:  # type: ignore[no-untyped-def]
    unfair = train_unfair_candidate(data)
    report = run_twins(booster_scorer(unfair.booster, unfair.module_codes, data.module_ids), data, n=MIN_TWINS)
    assert report["passes"] is False
    assert report["changes"]["first_name"]["mean_jaccard"] < MIN_JACCARD
    assert report["changes"]["gender"]["mean_jaccard"] == 1.0  # it did not use gender


def test_twins_differ_only_in_the_changed_attribute(data) -> None:  # type: ignore[no-untyped-def]
    twins = make_twins(data, "first_name", n=200)
    changed = [k for k in twins.base if not np.array_equal(twins.base[k], twins.twin[k], equal_nan=True)]
    assert changed == ["first_name_origin"]
    assert (twins.names[0] != twins.names[1]).mean() > 0.9


def test_jaccard_counts_overlap_of_eligible_top_k() -> None:
    eligible = np.ones((2, 6), dtype=bool)
    a = np.array([[6, 5, 4, 3, 2, 1], [6, 5, 4, 3, 2, 1]], dtype=float)
    b = np.array([[6, 5, 4, 3, 2, 1], [1, 2, 3, 4, 5, 6]], dtype=float)
    assert jaccard_top_k(a, b, eligible, k=5).tolist() == [1.0, pytest.approx(4 / 6)]


def test_unknown_change_is_refused(data) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="unknown twin change 'religion'; allowed: gender, nationality_group"):
        make_twins(data, "religion")
