"""The same S-learner, trained with ``lightgbm.dask`` on a Dask cluster (issue 9, scale-out).

Why: one machine trains a million rows in about a minute, but an operator serving many
Jobcenters has tens of millions. Each Dask worker reads its own partitions of the log straight
from the database (``recommender.learn.training_data.read_partition``: ranges of the random decision
id, so partitions are even and need no coordination) and LightGBM's distributed learner trains
one booster across the workers. Features, action coding, IPS weights, the per-action effect
boosters and Platt calibration are the single-machine ones (``recommender.learn.train``), so the
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
from recommender.decide.features import ALLOWED_FEATURES, FEATURE_SET_VERSION, check_feature_names
from recommender.decide.ranker import BASELINE, CONTROL_ID, LoadedModel, TrainResult, action_key, join_models
from recommender.learn.train import TrainConfig, _common_params, _platt
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


def _frame(part: dict[str, Any], seed: int, validation_share: float) -> pd.DataFrame:
    frame = pd.DataFrame(part["features"], columns=list(ALLOWED_FEATURES))
    frame["outcome"] = part["outcome"].astype(np.int8)
    frame["action"] = part["action"].astype(np.int16)
    frame["propensity"] = part["propensity"].astype(np.float64)
    # Deterministic validation split by decision id, identical wherever the partition is read.
    ids = pd.Series(part["decision_id"]).astype(str)
    hashed = pd.util.hash_pandas_object(ids, index=False, hash_key=f"lotse{seed:012d}"[:16]).to_numpy()
    frame["is_valid"] = (hashed % 10_000) < validation_share * 10_000
    return frame


def _read(url: str, lo: str | None, hi: str | None, config: ExtractConfig, module_ids: list[str], seed: int,
          validation_share: float) -> pd.DataFrame:
    engine = make_engine(url)
    try:
        return _frame(read_partition(engine, lo, hi, config, module_ids), seed, validation_share)
    finally:
        engine.dispose()


def _meta() -> pd.DataFrame:
    frame = pd.DataFrame({name: pd.Series(dtype=np.float32) for name in ALLOWED_FEATURES})
    frame["outcome"] = pd.Series(dtype=np.int8)
    frame["action"] = pd.Series(dtype=np.int16)
    frame["propensity"] = pd.Series(dtype=np.float64)
    frame["is_valid"] = pd.Series(dtype=bool)
    return frame


def _effect_booster(config: TrainConfig, x: np.ndarray, y: np.ndarray, w: np.ndarray, base: np.ndarray,
                    valid: np.ndarray) -> lgb.Booster:
    """One action's additive depth-1 booster on its own rows, as ``recommender.learn.train.fit`` does it."""
    params = {**_common_params(config), "num_threads": 1, "learning_rate": config.effect_learning_rate,
              "max_depth": config.effect_depth, "num_leaves": 2 ** config.effect_depth,
              "min_data_in_leaf": config.effect_min_data_in_leaf, "lambda_l2": config.effect_lambda_l2}
    names = list(ALLOWED_FEATURES)
    train = lgb.Dataset(x[~valid], y[~valid], weight=w[~valid], init_score=base[~valid], feature_name=names,
                        params={"max_bin": 63})
    valid_sets: list[lgb.Dataset] = []
    callbacks: list[Callable[..., Any]] = []
    if valid.sum() >= config.min_rows_per_action // 2:
        valid_sets = [lgb.Dataset(x[valid], y[valid], weight=w[valid], init_score=base[valid], reference=train)]
        callbacks = [lgb.early_stopping(config.effect_early_stopping_rounds, verbose=False)]
    return lgb.train(params, train, num_boost_round=config.effect_rounds, valid_sets=valid_sets, callbacks=callbacks)


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
    config = _resolved(config or TrainConfig())
    names = list(ALLOWED_FEATURES)
    check_feature_names(names)
    started = time.perf_counter()
    parts = [delayed(_read)(database_url, lo, hi, extract, module_ids, config.seed, config.validation_share)
             for lo, hi in partition_bounds(extract.partitions)]
    frame = dd.from_delayed(parts, meta=_meta()).persist()
    wait(frame)
    actions = [CONTROL_ID, *module_ids]
    total_steps = len(actions) + 2
    if progress:
        progress(1, total_steps, "read partitions on the workers")
    counts = frame["action"].value_counts().compute()
    total = int(counts.sum())
    if total == 0:
        raise DaskTrainingError(_NO_ROWS.format(read=0))
    marginal = np.zeros(len(actions))
    marginal[counts.index.to_numpy(dtype=np.int64)] = counts.to_numpy() / total
    raw_weight = frame["action"].map(lambda a: marginal[a], meta=("action", np.float64)) / frame["propensity"]
    mean_weight = float(raw_weight.mean().compute())
    frame = frame.assign(weight=(raw_weight / mean_weight).clip(1.0 / config.weight_clip, config.weight_clip))
    frame = frame.persist()
    train = frame[~frame["is_valid"]]
    base_params: dict[str, Any] = {
        "objective": "binary", "learning_rate": config.baseline_learning_rate, "num_leaves": config.baseline_leaves,
        "min_child_samples": min(200, config.effect_min_data_in_leaf), "reg_lambda": 1.0, "colsample_bytree": 0.9,
        "random_state": config.seed, "deterministic": True, "force_row_wise": True, "verbose": -1, "max_bin": 63,
        "n_estimators": config.baseline_rounds, "n_jobs": 1,
    }
    dask_model = DaskLGBMClassifier(client=client, **base_params)
    dask_model.fit(train[names], train["outcome"], sample_weight=train["weight"])
    trained: lgb.Booster = dask_model.booster_
    check_feature_names(trained.feature_name())
    valid_rows = frame[frame["is_valid"]][[*names, "outcome", "weight"]].compute()
    best = _best_iteration(trained, valid_rows[names].to_numpy(np.float64), valid_rows["outcome"].to_numpy(np.float64),
                           valid_rows["weight"].to_numpy(np.float64), patience=config.early_stopping_rounds)
    texts = {BASELINE: trained.model_to_string(num_iteration=best)}
    baseline = lgb.Booster(model_str=texts[BASELINE])
    if progress:
        progress(2, total_steps, "distributed baseline boosting")
    valid_margin, valid_y, valid_w = [], [], []
    rows_per_action: dict[str, int] = {}
    for code, module_id in enumerate(actions):
        rows = frame[frame["action"] == code][[*names, "outcome", "weight", "is_valid"]].compute()
        x = rows[names].to_numpy(dtype=np.float64)
        y = rows["outcome"].to_numpy(np.float64)
        w = rows["weight"].to_numpy(np.float64)
        valid = rows["is_valid"].to_numpy(bool)
        base = np.asarray(baseline.predict(x, raw_score=True, num_threads=1)) if len(x) else np.zeros(0)
        margin = base.copy()
        rows_per_action[module_id] = int((~valid).sum())
        if rows_per_action[module_id] >= config.min_rows_per_action:
            booster = _effect_booster(config, x, y, w, base, valid)
            check_feature_names(booster.feature_name())
            texts[action_key(module_id)] = booster.model_to_string(num_iteration=booster.best_iteration or None)
            margin += booster.predict(x, raw_score=True, num_iteration=booster.best_iteration or None, num_threads=1)
        valid_margin.append(margin[valid])
        valid_y.append(y[valid])
        valid_w.append(w[valid])
        if progress:
            progress(code + 3, total_steps, module_id)
    a, b = _platt(np.concatenate(valid_margin), np.concatenate(valid_y), np.concatenate(valid_w))
    model_text = join_models(texts)
    meta: dict[str, Any] = {
        "feature_set_version": FEATURE_SET_VERSION,
        "features": names,
        "module_ids": actions,
        "boosters": list(texts),
        "learner": ("residualised T-learner: LightGBM baseline booster (trained with lightgbm.dask) + one additive "
                    "(depth-1) booster per action, IPS-weighted, Platt-calibrated"),
        "calibration": {"method": "platt", "a": a, "b": b},
        "params": {"baseline": base_params},
        "rows_per_action": rows_per_action,
        "num_trees": sum(lgb.Booster(model_str=t).num_trees() for t in texts.values()),
        "training_seconds": round(time.perf_counter() - started, 2),
        "data": {"scenario": "logs", "rows": total, "seed": config.seed, "synthetic": False,
                 "source": "logged decisions (distributed read)", "window_days": extract.window_days,
                 "workers": len(client.scheduler_info().get("workers", {}))},
    }
    return TrainResult(LoadedModel.from_text("unsaved", model_text, meta), model_text, meta)


def _resolved(config: TrainConfig) -> TrainConfig:
    if config.num_boost_round is None and config.min_data_in_leaf is None:
        return config
    return replace(config, baseline_rounds=config.num_boost_round or config.baseline_rounds,
                   effect_rounds=config.num_boost_round or config.effect_rounds,
                   effect_min_data_in_leaf=config.min_data_in_leaf or config.effect_min_data_in_leaf,
                   num_boost_round=None, min_data_in_leaf=None)
