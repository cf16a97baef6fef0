"""Scale-out training: the Dask path reads the log in partitions on a 2-worker LocalCluster."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from data.catalogue import load_catalogue
from models.db import make_engine
from models.migrate import upgrade
from recommender.decide.features import ALLOWED_FEATURES
from recommender.learn.train import TrainConfig, fit
from recommender.learn.training_data import ExtractConfig, extract_training_data
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from recommender.simulate.simulated_log import write_simulated_log

pytestmark = [pytest.mark.dask, pytest.mark.slow]


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    from recommender.learn.dask_train import local_cluster

    client = local_cluster(2)
    yield client
    cluster = client.cluster
    client.close()
    cluster.close()


def test_dask_training_matches_the_single_machine_model(client, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from recommender.learn.dask_train import fit_dask

    catalogue = load_catalogue()
    data = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 6000, seed=42)
    url = f"sqlite:///{tmp_path / 'log.db'}"
    engine = make_engine(url)
    upgrade(engine)
    write_simulated_log(engine, data, catalogue)
    extract = ExtractConfig(partitions=4)
    config = TrainConfig(baseline_rounds=40, early_stopping_rounds=40, effect_rounds=40, effect_min_data_in_leaf=50,
                         min_rows_per_action=100, num_threads=1)
    result = fit_dask(client, url, catalogue.ids, extract=extract, config=config)
    assert result.meta["features"] == list(ALLOWED_FEATURES)
    assert result.model.all_feature_names() <= set(ALLOWED_FEATURES)
    assert result.meta["data"]["rows"] == 6000 and result.meta["data"]["workers"] == 2
    logged = extract_training_data(engine, catalogue.ids, extract)
    single = fit(logged.as_training_data(), config)
    held_out = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, 6000, seed=7)
    x, codes, y = held_out.features, held_out.action, held_out.outcome
    auc_dask = roc_auc_score(y, result.model.predict_matrix(x, codes, num_threads=1))
    auc_single = roc_auc_score(y, single.model.predict_matrix(x, codes, num_threads=1))
    assert auc_dask > 0.6
    assert abs(auc_dask - auc_single) < 0.03
    assert np.isfinite(result.meta["calibration"]["a"])
