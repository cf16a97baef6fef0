"""Training the uplift model: an S-learner on logged (features, module, outcome) with IPS weights.

Why an S-learner: one booster shares the baseline structure (who finds work anyway) across
all modules, so each module's few thousand logged cases only have to teach the *difference*
it makes; T-learners would fit 24 noisy baselines. Logged propensities enter as stabilised,
clipped inverse-propensity weights (G16), which undo a confounded logging policy's tilt
towards modules for people who would have found work anyway. Probabilities are calibrated
with Platt scaling on a held-out split (monotone and smooth, so uplift differences survive;
isotonic steps would flatten small uplifts to zero).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np

from recommender.features import ALLOWED_FEATURES, FEATURE_SET_VERSION, MODULE_FEATURE, check_feature_names
from recommender.ranker import CONTROL_ID, LoadedModel
from recommender.simulate import SimulatedData

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; the defaults are the full model, :meth:`quick` the first-start one."""

    num_boost_round: int = 400
    learning_rate: float = 0.08
    num_leaves: int = 31
    min_data_in_leaf: int = 200
    feature_fraction: float = 0.9
    lambda_l2: float = 1.0
    early_stopping_rounds: int = 40
    weight_clip: float = 10.0
    validation_share: float = 0.15
    num_threads: int = 2
    seed: int = 42

    @classmethod
    def quick(cls) -> TrainConfig:
        return cls(num_boost_round=150, learning_rate=0.12, early_stopping_rounds=20)


@dataclass
class TrainResult:
    model: LoadedModel
    model_text: str
    meta: dict[str, Any]
    metrics: dict[str, float] = field(default_factory=dict)


def ips_weights(action: np.ndarray, propensity: np.ndarray, *, clip: float = 10.0) -> np.ndarray:
    """Stabilised inverse-propensity weights ``P(a) / e(a | x)``, clipped to [1/clip, clip].

    Parameters
    ----------
    action : ndarray of shape (n,)
        Logged action codes (0 = no advice).
    propensity : ndarray of shape (n,)
        Probability the logging policy gave each logged action, in (0, 1].

    Returns
    -------
    ndarray of shape (n,)
    """
    if np.any(propensity <= 0) or np.any(propensity > 1):
        raise ValueError("propensities must lie in (0, 1]")
    marginal = np.bincount(action, minlength=int(action.max()) + 1) / len(action)
    weights = marginal[action] / propensity
    return np.clip(weights / weights.mean(), 1.0 / clip, clip)


def data_hash(data: SimulatedData) -> str:
    digest = hashlib.sha256()
    for array in (data.features, data.action, data.outcome, data.propensity):
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _platt(margin: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    """Weighted logistic fit p = sigmoid(a * margin + b) by Newton steps (no extra dependency)."""
    a, b = 1.0, 0.0
    for _ in range(25):
        p = 1.0 / (1.0 + np.exp(-(a * margin + b)))
        g = weight * (p - y)
        h = weight * p * (1 - p) + 1e-12
        grad = np.array([np.sum(g * margin), np.sum(g)])
        hess = np.array([[np.sum(h * margin * margin), np.sum(h * margin)], [np.sum(h * margin), np.sum(h)]])
        step = np.linalg.solve(hess + 1e-9 * np.eye(2), grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def fit(data: SimulatedData, config: TrainConfig | None = None, *, progress: Progress | None = None) -> TrainResult:
    """Train the S-learner on logged data and calibrate it.

    Parameters
    ----------
    data : SimulatedData
        Logged features, actions, propensities and outcomes (simulated or from the app's logs).
    config : TrainConfig, optional
    progress : callable, optional
        Called as ``progress(done, total, text)`` every boosting round.

    Returns
    -------
    TrainResult
    """
    config = config or TrainConfig()
    names = [*ALLOWED_FEATURES, MODULE_FEATURE]
    check_feature_names(names)
    started = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    n = data.n
    is_valid = rng.random(n) < config.validation_share
    x = np.column_stack([data.features, data.action.astype(np.float32)])
    weight = ips_weights(data.action.astype(np.int64), data.propensity.astype(np.float64), clip=config.weight_clip)
    params = {
        "objective": "binary", "learning_rate": config.learning_rate, "num_leaves": config.num_leaves,
        "min_data_in_leaf": config.min_data_in_leaf, "feature_fraction": config.feature_fraction,
        "lambda_l2": config.lambda_l2, "num_threads": config.num_threads, "seed": config.seed,
        "deterministic": True, "force_row_wise": True, "verbose": -1, "max_cat_to_onehot": 32,
        "cat_smooth": 1.0, "min_data_per_group": 50, "max_bin": 63,
    }
    train_set = lgb.Dataset(x[~is_valid], data.outcome[~is_valid], weight=weight[~is_valid], feature_name=names,
                            categorical_feature=[MODULE_FEATURE], free_raw_data=True)
    valid_set = lgb.Dataset(x[is_valid], data.outcome[is_valid], weight=weight[is_valid], reference=train_set)
    callbacks: list[Any] = [lgb.early_stopping(config.early_stopping_rounds, verbose=False)]
    if progress is not None:
        def _report(env: lgb.callback.CallbackEnv) -> None:
            progress(env.iteration + 1, config.num_boost_round, "boosting")
        callbacks.append(_report)
    booster = lgb.train(params, train_set, num_boost_round=config.num_boost_round, valid_sets=[valid_set],
                        callbacks=callbacks)
    check_feature_names(booster.feature_name())
    margin = booster.predict(x[is_valid], raw_score=True, num_threads=config.num_threads)
    a, b = _platt(margin, data.outcome[is_valid].astype(np.float64), weight[is_valid])
    seconds = time.perf_counter() - started
    model_text = booster.model_to_string(num_iteration=booster.best_iteration or None)
    meta: dict[str, Any] = {
        "feature_set_version": FEATURE_SET_VERSION,
        "features": names,
        "categorical_features": [MODULE_FEATURE],
        "module_ids": [CONTROL_ID, *data.module_ids],
        "learner": "s-learner (LightGBM binary, module as categorical feature, IPS-weighted)",
        "calibration": {"method": "platt", "a": a, "b": b},
        "params": params,
        "num_trees": booster.num_trees(),
        "training_seconds": round(seconds, 2),
        "data": {"scenario": data.scenario, "rows": n, "seed": data.seed, "sha256": data_hash(data),
                 "synthetic": data.synthetic},
    }
    loaded = LoadedModel("unsaved", lgb.Booster(model_str=model_text), meta)
    return TrainResult(loaded, model_text, meta)
