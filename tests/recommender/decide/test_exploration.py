"""Exploration (G16, G18): random, logged, within the rules - and a log a model can learn effects from."""

from __future__ import annotations

import random

import numpy as np
import pytest

from recommender.decide.exploration import MAX_ITEMS, ExplorationConfig, choose_shown

MODULES = [f"m{i:02d}" for i in range(10)]
REVIEW = {"m00", "m01"}
RULES = list(reversed(MODULES))
TOLERANCE = 0.03  # true effect recovered within 3 points of P(job)


def test_logged_probabilities_are_the_observed_chance_of_being_shown() -> None:
    config, rng = ExplorationConfig(rate=0.2, control_share=0.1), random.Random(3)
    draws = [choose_shown(MODULES, RULES, REVIEW, config, rng) for _ in range(20_000)]
    logged = draws[0].shown_probability
    for module in MODULES:
        seen = np.mean([module in d.order for d in draws])
        assert seen == pytest.approx(logged[module], abs=0.012), module
    arms = [d.arm for d in draws]
    assert arms.count("control") / len(arms) == pytest.approx(0.1, abs=0.01)


def test_review_items_are_never_withheld_by_exploration() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        choice = choose_shown(MODULES, RULES, REVIEW, ExplorationConfig(rate=0.5, control_share=0.0), rng)
        assert set(choice.order) >= REVIEW and len(choice.order) <= MAX_ITEMS
        assert choice.order[:2] == ["m00", "m01"]


def test_rates_beyond_half_of_all_decisions_are_refused() -> None:
    with pytest.raises(ValueError, match="must lie between 0 and 0.5"):
        ExplorationConfig(rate=0.4, control_share=0.2)


def _effect(shown: np.ndarray, randomised: np.ndarray, outcome: np.ndarray) -> float:
    """Shown minus not shown among the randomised decisions (nan if the module never varied there)."""
    s, y = shown[randomised], outcome[randomised]
    if s.all() or not s.any():
        return float("nan")
    return float(y[s == 1].mean() - y[s == 0].mean())


def test_new_logging_recovers_true_effects_that_the_old_logging_cannot() -> None:
    """Three self-help modules with true effects 5, 0 and 10 points; baseline depends on the person.

    Old logging (exploration only reorders; every eligible module shown): nobody ever lacks a
    module, so its effect is not identified. New logging: the logged explore arm shows each
    module by its own coin, and each effect is recovered within TOLERANCE.
    """
    modules, effects = ["a", "b", "c"], np.array([0.05, 0.0, 0.10])
    rng, np_rng = random.Random(11), np.random.default_rng(11)
    n = 40_000
    baseline = 0.15 + 0.1 * np_rng.random(n)
    config = ExplorationConfig(rate=0.2, control_share=0.05)
    shown_new, explored = np.zeros((n, 3)), np.zeros(n, dtype=bool)
    for i in range(n):
        order = modules if baseline[i] > 0.2 else modules[::-1]  # the model ranks by the person
        choice = choose_shown(order, ["b", "a", "c"], set(), config, rng)
        shown_new[i] = [m in choice.order for m in modules]
        explored[i] = choice.arm == "explore"
    y_new = (np_rng.random(n) < baseline + shown_new @ effects).astype(float)
    shown_old, shuffled = np.ones((n, 3)), np.random.default_rng(12).random(n) < 0.1
    y_old = (np_rng.random(n) < baseline + shown_old @ effects).astype(float)
    for j in range(3):
        assert np.isnan(_effect(shown_old[:, j], shuffled, y_old))
        assert _effect(shown_new[:, j], explored, y_new) == pytest.approx(effects[j], abs=TOLERANCE)
