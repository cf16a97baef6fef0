"""The uplift learner of ``recommender.learn.train``, fed from a Dask cluster (issue 9, scale-out).

Why: one machine trains a million rows in about a minute, but an operator serving many
Jobcenters has tens of millions. Each Dask worker reads its own partitions of the log straight
from the database (``recommender.learn.training_data.read_partition``: ranges of the random decision
id, so partitions are even and need no coordination) and LightGBM's distributed learner trains
the baseline booster (all rows: the heavy part) across the workers. Everything after it is the
single-machine core (``recommender.learn.effects``): the workers filter one action's rows at a
time and send them, and the no-advice booster, the eligible-group offsets, the module boosters,
the calibration and the metadata are learnt and written exactly as ``train.fit`` does. So the
model file, its metadata and the registry do not care where it was trained. The single-machine
path stays the default.

Pointing it at a real cluster (docs/data-science.md):

- start a scheduler (``dask scheduler``) and workers (``dask worker tcp://scheduler:8786
  --nthreads 1 --memory-limit 8GB``) on machines that can reach PostgreSQL and have this
  package installed in the same version;
- run ``lotse train --from-logs --dask-scheduler tcp://scheduler:8786`` with
  ``LOTSE_DATABASE_URL`` pointing at PostgreSQL (workers connect with that URL; SQLite works
  only when all workers share the file system, i.e. on one machine);
- LightGBM opens ports between workers (default from 12400): allow them in the firewall.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from dask import dataframe as dd
from dask import delayed
from distributed import Client, LocalCluster, wait

from models.db import make_engine
from recommender.decide.features import ALLOWED_FEATURES, check_feature_names
from recommender.decide.model_meta import LOGS_SCENARIO, DataInfo
from recommender.decide.ranker import TrainResult
from recommender.learn.effects import ActionRows, fit_effects, held_out_by_decision
from recommender.learn.train import assemble, baseline_params
from recommender.learn.train_config import TrainConfig
from recommender.learn.training_data import ExtractConfig, partition_bounds, read_partition

Progress = Callable[[int, int, str], None]
_NO_ROWS = "the log holds no usable training rows (decisions read: {read}); see `lotse ds train-from-logs --help`"


class DaskTrainingError(RuntimeError):
    """Distributed training could not run (no rows, no cluster)."""


def local_cluster(workers: int = 2) -> Client:
    """A ``LocalCluster`` on this machine (tests, benchmarks, a laptop); close it with ``client.close()``."""
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=40)
    return Client(cluster)


def connect(address: str | None, *, workers: int = 2) -> Client:
    """Connect to the scheduler at *address* (``tcp://host:8786``), or start a local cluster."""
    return Client(address) if address else local_cluster(workers)


def _eligible_columns(module_ids: list[str]) -> list[str]:
    return [f"eligible:{m}" for m in module_ids]


def _frame(part: dict[str, Any], module_ids: list[str], seed: int, validation_share: float) -> pd.DataFrame:
    frame = pd.DataFrame(part["features"], columns=list(ALLOWED_FEATURES))
    frame["outcome"] = part["outcome"].astype(np.int8)
    frame["action"] = part["action"].astype(np.int16)
    frame["propensity"] = part["propensity"].astype(np.float64)
    frame["simulated"] = np.full(len(frame), part["stats"]["simulated_decisions"] > 0)
    eligible = pd.DataFrame(part["eligible"], columns=_eligible_columns(module_ids), dtype=bool)
    frame = pd.concat([frame, eligible], axis=1)
    frame["is_valid"] = held_out_by_decision(part["decision_id"], seed, validation_share)
    return frame


def _read(url: str, lo: str | None, hi: str | None, config: ExtractConfig, module_ids: list[str], seed: int,
          validation_share: float) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        part = read_partition(engine, lo, hi, replace(config, with_eligibility=True), module_ids)
        return _frame(part, module_ids, seed, validation_share)
    finally:
        engine.dispose()


def _meta(module_ids: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=np.float32) for name in ALLOWED_FEATURES})
    frame["outcome"] = pd.Series(dtype=np.int8)
    frame["action"] = pd.Series(dtype=np.int16)
    frame["propensity"] = pd.Series(dtype=np.float64)
    frame["simulated"] = pd.Series(dtype=bool)
    for column in _eligible_columns(module_ids):
        frame[column] = pd.Series(dtype=bool)
    frame["is_valid"] = pd.Series(dtype=bool)
    return frame


def _digest(frame: pd.DataFrame) -> pd.Series:
    """sha256 of one partition's training arrays (features, action, outcome, propensity)."""
    digest = hashlib.sha256()
    for array in (frame[list(ALLOWED_FEATURES)].to_numpy(np.float32), frame["action"].to_numpy(np.int16),
                  frame["outcome"].to_numpy(np.int8), frame["propensity"].to_numpy(np.float32)):
        digest.update(np.ascontiguousarray(array).tobytes())
    return pd.Series([digest.hexdigest()])


def _data_hash(frame: dd.DataFrame) -> str:
    """sha256 over the partitions' digests in partition order (the log is never gathered in one place)."""
    digests = frame.map_partitions(_digest, meta=(None, object)).compute()
    return hashlib.sha256("".join(digests).encode()).hexdigest()


def _best_iteration(booster: lgb.Booster, x: np.ndarray, y: np.ndarray, w: np.ndarray, *, patience: int,
                    step: int = 5) -> int:
    """Early stopping after the fact: the round with the lowest weighted log-loss on held-out rows.

    ``lightgbm.dask`` cannot stop early, so all rounds are trained and the model is cut where the
    single-machine path would have stopped (same held-out share, same patience).
    """
    margin = np.zeros(len(y))
    best, best_loss, since = 0, np.inf, 0
    for start in range(0, booster.current_iteration(), step):
        margin += booster.predict(x, raw_score=True, start_iteration=start, num_iteration=step, num_threads=1)
        p = np.clip(1.0 / (1.0 + np.exp(-margin)), 1e-7, 1 - 1e-7)
        loss = float(-np.sum(w * (y * np.log(p) + (1 - y) * np.log(1 - p))) / max(w.sum(), 1e-12))
        if loss < best_loss:
            best, best_loss, since = min(start + step, booster.current_iteration()), loss, 0
        else:
            since += step
            if since >= patience:
                break
    return best


def fit_dask(client: Client, database_url: str, module_ids: list[str], *, extract: ExtractConfig | None = None,
             config: TrainConfig | None = None, progress: Progress | None = None) -> TrainResult:
    """Train the uplift model on the logged data with LightGBM's distributed learner.

    The baseline booster (all rows: the heavy part) is trained with ``lightgbm.dask`` across
    the workers; each action's small additive booster is then trained on that action's rows
    only (about 1/M of the data), which the workers filter and send, one action at a time.
    The result has the same sections, metadata and calibration as ``recommender.learn.train.fit``.

    Parameters
    ----------
    client : distributed.Client
        A connected client (:func:`connect`).
    database_url : str
        The app database; every worker opens its own connection.
    module_ids : list of str
        Catalogue module ids (action code ``j + 1``; 0 = no advice).
    extract : ExtractConfig, optional
        Outcome window, partitions etc. (as for single-machine training).
    config : TrainConfig, optional
        Same hyper-parameters; the distributed baseline runs ``baseline_rounds`` rounds
        (``lightgbm.dask`` has no early stopping).
    progress : callable, optional

    Returns
    -------
    TrainResult
    """
    from lightgbm.dask import DaskLGBMClassifier

    extract = extract or ExtractConfig()
    config = config or TrainConfig()
    names = list(ALLOWED_FEATURES)
    check_feature_names(names)
    started = time.perf_counter()
    parts = [delayed(_read)(database_url, lo, hi, extract, module_ids, config.seed, config.validation_share)
             for lo, hi in partition_bounds(extract.partitions)]
    frame = dd.from_delayed(parts, meta=_meta(module_ids)).persist()
    wait(frame)
    total_steps = len(module_ids) + 3
    if progress:
        progress(1, total_steps, "read partitions on the workers")
    counts = frame["action"].value_counts().compute()
    total = int(counts.sum())
    if total == 0:
        raise DaskTrainingError(_NO_ROWS.format(read=0))
    marginal = np.zeros(len(module_ids) + 1)
    marginal[counts.index.to_numpy(dtype=np.int64)] = counts.to_numpy() / total
    raw_weight = frame["action"].map(lambda a: marginal[a], meta=("action", np.float64)) / frame["propensity"]
    mean_weight = float(raw_weight.mean().compute())
    frame = frame.assign(weight=(raw_weight / mean_weight).clip(1.0 / config.weight_clip, config.weight_clip))
    frame = frame.persist()
    train = frame[~frame["is_valid"]]
    base_params = {**baseline_params(config), "num_threads": 1}
    dask_model = DaskLGBMClassifier(
        client=client, objective="binary", learning_rate=config.baseline_learning_rate,
        num_leaves=config.baseline_leaves, min_child_samples=base_params["min_data_in_leaf"],
        reg_lambda=base_params["lambda_l2"], colsample_bytree=base_params["feature_fraction"],
        random_state=config.seed, deterministic=True, force_row_wise=True, verbose=-1, max_bin=63,
        n_estimators=config.baseline_rounds)
    dask_model.fit(train[names], train["outcome"], sample_weight=train["weight"])
    trained: lgb.Booster = dask_model.booster_
    check_feature_names(trained.feature_name())
    held_out = frame[frame["is_valid"]][[*names, "outcome", "weight"]].compute()
    x_held_out = held_out[names].to_numpy(np.float32)
    best = _best_iteration(trained, x_held_out, held_out["outcome"].to_numpy(np.float64),
                           held_out["weight"].to_numpy(np.float64), patience=config.early_stopping_rounds)
    baseline_text = trained.model_to_string(num_iteration=best)
    baseline = lgb.Booster(model_str=baseline_text)
    if progress:
        progress(2, total_steps, "distributed baseline boosting")
    eligible = _eligible_columns(module_ids)

    def rows_of(code: int, with_eligibility: bool = False) -> ActionRows:
        columns = [*names, "outcome", "weight", "is_valid", *(eligible if with_eligibility else ())]
        rows = frame[frame["action"] == code][columns].compute()
        x = rows[names].to_numpy(np.float32)
        base = np.asarray(baseline.predict(x, raw_score=True, num_threads=1)) if len(x) else np.zeros(0)
        return ActionRows(x, rows["outcome"].to_numpy(np.float64), rows["weight"].to_numpy(np.float64), base,
                          rows["is_valid"].to_numpy(bool), rows[eligible].to_numpy(bool) if with_eligibility else None)

    # Every booster bins features like the held-out rows (a random sample of the whole log).
    bins = lgb.Dataset(x_held_out, feature_name=names, params={"max_bin": 63}, free_raw_data=False).construct()
    stage = fit_effects(rows_of(0, with_eligibility=True), rows_of, module_ids, config, bins, progress=progress,
                        done=2, total=total_steps)
    simulated = bool(frame["simulated"].any().compute())
    info = DataInfo(source="simulated" if simulated else "real", scenario=LOGS_SCENARIO, rows=total,
                    sha256=_data_hash(frame), window_days=extract.window_days)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return assemble(baseline_text, stage, module_ids, config, info, base_params=base_params,
                    seconds=time.perf_counter() - started, where="dask", workers=workers)
