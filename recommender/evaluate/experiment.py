"""Generate -> train -> evaluate on a scenario: the one flow behind ``lotse train/evaluate`` and the bench.

Kept out of the CLI so the benchmark, the tests and the command line run exactly the same code.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from data.catalogue import Catalogue, load_catalogue
from recommender.decide.ranker import TrainResult
from recommender.evaluate.true_uplift import evaluate_model
from recommender.learn.train import TrainConfig, fit
from recommender.simulate.population import SimulatedData, simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, Scenario, load_scenario

Progress = Callable[[int, int, str], None]
TEST_SEED_OFFSET = 1_000_003  # held-out people come from a different stream than the training rows


@dataclass
class PipelineResult:
    scenario: Scenario
    train: TrainResult
    timings: dict[str, float] = field(default_factory=dict)
    evaluation: dict[str, Any] | None = None
    train_data: SimulatedData | None = None


def popularity(data: SimulatedData) -> np.ndarray:
    """How often each module was logged (the "most popular" baseline)."""
    return np.bincount(data.action, minlength=len(data.module_ids) + 1)[1:].astype(np.float64)


def run(
    *,
    scenario_path: Path | None = None,
    rows: int = 1_000_000,
    test_rows: int = 0,
    seed: int = 42,
    config: TrainConfig | None = None,
    catalogue: Catalogue | None = None,
    on_simulate: Progress | None = None,
    on_train: Progress | None = None,
    n_boot: int = 200,
    keep_train_data: bool = False,
) -> PipelineResult:
    """Simulate *rows* logged people, train on them, and evaluate on *test_rows* fresh ones."""
    catalogue = catalogue or load_catalogue()
    scenario = load_scenario(scenario_path or DEFAULT_SCENARIO, catalogue)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = simulate(scenario, catalogue, rows, seed=seed, progress=on_simulate)
    timings["simulate_seconds"] = time.perf_counter() - started
    started = time.perf_counter()
    trained = fit(data, config or TrainConfig(seed=seed), progress=on_train)
    timings["train_seconds"] = time.perf_counter() - started
    result = PipelineResult(scenario, trained, timings, train_data=data if keep_train_data else None)
    if test_rows:
        started = time.perf_counter()
        test = simulate(scenario, catalogue, test_rows, seed=seed + TEST_SEED_OFFSET)
        result.evaluation = evaluate_model(trained.model, test, popularity=popularity(data), n_boot=n_boot, seed=seed)
        timings["evaluate_seconds"] = time.perf_counter() - started
    return result
