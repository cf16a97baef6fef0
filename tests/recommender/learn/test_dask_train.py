"""Scale-out training: the Dask feed of the one training core gives the single-machine model.

Both trainers read the same simulated log (the Dask one in 4 partitions on a 2-worker
LocalCluster) with the same settings and the same held-out rows; only the baseline booster is
trained differently (LightGBM's distributed learner). Tolerance, measured at 20,000 rows: the
two models pick the same first module for >= 85 % of held-out people (measured 92 %), rank
each person's eligible modules with a mean Spearman correlation >= 0.9 (measured 0.97) and
differ in a module's estimated uplift by < 0.5 percentage points on average (measured 0.23).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr

from data.catalogue import load_catalogue
from models.db import make_engine
from models.migrate import upgrade
from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.ranker import TrainResult
from recommender.learn.effects import held_out_by_decision
from recommender.learn.train import TrainConfig, fit
from recommender.learn.training_data import ExtractConfig, extract_training_data
from recommender.simulate.population import SimulatedData, simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from recommender.simulate.simulated_log import write_simulated_log

pytestmark = [pytest.mark.dask, pytest.mark.slow]
ROWS = 20_000
CONFIG = TrainConfig(baseline_rounds=40, early_stopping_rounds=40, effect_rounds=40, effect_min_data_in_leaf=50,
                     min_rows_per_action=100, num_threads=1)


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from recommender.learn.dask_train import local_cluster

    client = local_cluster(2)
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


@pytest.fixture(scope="module")
def both(client, tmp_path_factory: pytest.TempPathFactory) -> tuple[TrainResult, TrainResult]:  # type: ignore[no-untyped-def]
    from recommender.learn.dask_train import fit_dask

    catalogue = load_catalogue()
    data = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, ROWS, seed=42)
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('dask')) / 'log.db'}"
    engine = make_engine(url)
    upgrade(engine)
    write_simulated_log(engine, data, catalogue)
    extract = ExtractConfig(partitions=4)
    distributed = fit_dask(client, url, catalogue.ids, extract=extract, config=CONFIG)
    logged = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=4, with_eligibility=True))
    held_out = held_out_by_decision(logged.decision_id, CONFIG.seed, CONFIG.validation_share)
    return distributed, fit(logged.as_training_data(), CONFIG, held_out=held_out)


def _uplifts(result: TrainResult, people: SimulatedData) -> np.ndarray:
    p = result.model.predict_all(people.features, num_threads=1)
    return np.where(people.eligible, p[:, 1:] - p[:, [0]], np.nan)


def test_dask_model_has_the_single_machine_structure_and_metadata(both: tuple[TrainResult, TrainResult]) -> None:
    distributed, single = both
    assert distributed.meta.features == list(ALLOWED_FEATURES)
    assert distributed.model.all_feature_names() <= set(ALLOWED_FEATURES)
    assert distributed.meta.module_effects_relative_to == single.meta.module_effects_relative_to == "none"
    assert distributed.meta.boosters == single.meta.boosters
    assert distributed.meta.rows_per_action == single.meta.rows_per_action
    assert set(distributed.meta.eligible_group_offsets) == set(single.meta.eligible_group_offsets)
    assert distributed.meta.data.rows == ROWS and distributed.meta.data.source == "simulated"
    assert distributed.meta.training.where == "dask" and distributed.meta.training.workers == 2
    assert distributed.meta.learner == single.meta.learner


def test_dask_and_single_machine_models_rank_modules_alike(both: tuple[TrainResult, TrainResult]) -> None:
    distributed, single = both
    catalogue = load_catalogue()
    people = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 4000, seed=7)
    a, b = _uplifts(distributed, people), _uplifts(single, people)
    several = np.sum(~np.isnan(a), axis=1) >= 3
    a, b = a[several], b[several]
    same_first = np.nanargmax(a, axis=1) == np.nanargmax(b, axis=1)
    rho = [spearmanr(x[~np.isnan(x)], y[~np.isnan(y)]).statistic for x, y in zip(a, b, strict=True)]
    assert same_first.mean() >= 0.85
    assert np.nanmean(rho) >= 0.9
    assert np.nanmean(np.abs(a - b)) < 0.005
