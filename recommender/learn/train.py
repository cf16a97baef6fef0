"""Training the uplift model: a residualised T-learner on logged data with IPS weights.

Why this learner (docs/recommender.md has the comparison): the outcome is dominated by who finds
work anyway, and each module's effect is a few probability points learnt from a few tens of
thousands of logged cases. So (1) one LightGBM *baseline* booster learns P(job | person) from
all rows, sharing that structure; (2) a small booster learns how "no advice" shifts it; (3) per
module, an intercept and a small booster learn the module's uplift over no advice, starting from
the no-advice prediction of the people eligible for that module (``init_score`` plus a group
offset: eligibility rules may read answers the features never hold), early-stopped on the
module's own held-out rows so a module with little data stays near its mean effect. The small
boosters use depth-1 trees: each effect is a sum of per-feature steps, a strong, interpretable
prior that keeps variance low and makes ``pred_contrib`` exact. An S-learner (one booster,
module as a categorical feature) and an interaction-constrained variant reached clearly less of
the oracle (docs/recommender.md).

Logged propensities enter as stabilised, clipped inverse-propensity weights (G16), which undo a
confounded logging policy's tilt towards modules for people who would have found work anyway.
Probabilities are calibrated with Platt scaling on a held-out split (monotone and smooth, so
uplift differences survive; isotonic steps would flatten small uplifts to zero).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import lightgbm as lgb
import numpy as np

from recommender.decide.features import ALLOWED_FEATURES, FEATURE_SET_VERSION, check_feature_names
from recommender.decide.ranker import BASELINE, CONTROL_ID, LoadedModel, TrainResult, action_key, join_models
from recommender.simulate.population import SimulatedData

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; the defaults are the full model, :meth:`quick` the first-start one."""

    baseline_rounds: int = 150
    baseline_learning_rate: float = 0.1
    baseline_leaves: int = 31
    effect_rounds: int = 400
    effect_learning_rate: float = 0.05
    effect_early_stopping_rounds: int = 80
    effect_depth: int = 1
    effect_min_data_in_leaf: int = 2000
    effect_min_gain_to_split: float = 5.0
    effect_lambda_l2: float = 10.0
    min_rows_per_action: int = 200
    early_stopping_rounds: int = 20
    weight_clip: float = 5.0
    validation_share: float = 0.15
    num_threads: int = 2
    seed: int = 42
    # Shorthands kept for callers of the first version: override both stages when given.
    num_boost_round: int | None = None
    min_data_in_leaf: int | None = None

    @classmethod
    def quick(cls) -> TrainConfig:
        return cls(baseline_rounds=60, effect_rounds=60, effect_learning_rate=0.08, effect_min_data_in_leaf=300)


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


def _common_params(config: TrainConfig) -> dict[str, Any]:
    return {"objective": "binary", "num_threads": config.num_threads, "seed": config.seed, "deterministic": True,
            "force_row_wise": True, "verbose": -1, "max_bin": 63}


def _intercept(margin: np.ndarray, y: np.ndarray, weight: np.ndarray) -> float:
    """Weighted maximum-likelihood shift d of the log-odds: sum w * (sigmoid(margin + d) - y) = 0."""
    d = 0.0
    for _ in range(30):
        p = 1.0 / (1.0 + np.exp(-(margin + d)))
        grad = np.sum(weight * (p - y))
        hess = np.sum(weight * p * (1 - p)) + 1e-12
        step = grad / hess
        d -= step
        if abs(step) < 1e-10:
            break
    return float(d)


def _eligible_control_offset(code: int, train_rows: np.ndarray, action: np.ndarray, eligible: np.ndarray,
                             reference: np.ndarray, y: np.ndarray, weight: np.ndarray, min_rows: int) -> float:
    """Log-odds by which no-advice people eligible for module *code* differ from the no-advice model.

    Zero for "no advice" itself, and when too few eligible no-advice rows exist to tell.
    """
    if code == 0:
        return 0.0
    control = train_rows[(action[train_rows] == 0) & eligible[train_rows, code - 1]]
    if len(control) < min_rows:
        return 0.0
    return _intercept(reference[control], y[control].astype(np.float64), weight[control])


def _subset(full: lgb.Dataset, rows: np.ndarray, init_margin: np.ndarray) -> lgb.Dataset:
    """Rows of the shared binned dataset, starting from *init_margin*.

    The subset must be constructed before its init score is set: LightGBM 4 silently ignores
    an init score given to an unconstructed subset.
    """
    # LightGBM types subset() as taking a list; it takes any index array (and copies it to int32 anyway).
    subset = full.subset(rows)  # type: ignore[arg-type]
    subset.construct()
    subset.set_init_score(init_margin[rows])
    return subset


def fit(data: SimulatedData, config: TrainConfig | None = None, *, progress: Progress | None = None) -> TrainResult:
    """Train the uplift model on logged data and calibrate it.

    Parameters
    ----------
    data : SimulatedData
        Logged features, actions, propensities and outcomes (simulated or from the app's logs).
    config : TrainConfig, optional
    progress : callable, optional
        Called as ``progress(done, total, text)`` after each booster.

    Returns
    -------
    TrainResult
    """
    config = config or TrainConfig()
    if config.num_boost_round is not None or config.min_data_in_leaf is not None:
        config = replace(
            config,
            baseline_rounds=config.num_boost_round or config.baseline_rounds,
            effect_rounds=config.num_boost_round or config.effect_rounds,
            effect_min_data_in_leaf=config.min_data_in_leaf or config.effect_min_data_in_leaf,
            num_boost_round=None, min_data_in_leaf=None,
        )
    names = list(ALLOWED_FEATURES)
    check_feature_names(names)
    started = time.perf_counter()
    rng = np.random.default_rng(config.seed)
    n = data.n
    is_valid = rng.random(n) < config.validation_share
    train_rows, valid_rows = np.flatnonzero(~is_valid), np.flatnonzero(is_valid)
    x = np.ascontiguousarray(data.features, dtype=np.float32)
    y = data.outcome
    action = data.action.astype(np.int64)
    weight = ips_weights(action, data.propensity.astype(np.float64), clip=config.weight_clip)
    common = _common_params(config)
    module_ids = [CONTROL_ID, *data.module_ids]
    total = len(module_ids) + 1

    base_params = {**common, "learning_rate": config.baseline_learning_rate, "num_leaves": config.baseline_leaves,
                   "min_data_in_leaf": min(200, config.effect_min_data_in_leaf), "lambda_l2": 1.0,
                   "feature_fraction": 0.9}
    # One binned dataset for everything: the per-action boosters train on subsets that share its bins.
    full = lgb.Dataset(x, y, weight=weight, feature_name=names, params={"max_bin": 63}, free_raw_data=False)
    full.construct()
    # LightGBM types subset() as taking a list; it takes any index array (and copies it to int32 anyway).
    base_train = full.subset(train_rows)  # type: ignore[arg-type]
    base_valid = full.subset(valid_rows)  # type: ignore[arg-type]
    baseline = lgb.train(base_params, base_train, num_boost_round=config.baseline_rounds, valid_sets=[base_valid],
                         callbacks=[lgb.early_stopping(config.early_stopping_rounds, verbose=False)])
    check_feature_names(baseline.feature_name())
    texts = {BASELINE: baseline.model_to_string(num_iteration=baseline.best_iteration or None)}
    base_margin = np.asarray(baseline.predict(x, raw_score=True, num_iteration=baseline.best_iteration or None,
                                              num_threads=config.num_threads))
    if progress is not None:
        progress(1, total, "baseline")

    # Small per-action data: one thread avoids OpenMP barrier costs that dominate on a busy machine.
    effect_params = {**common, "num_threads": 1, "learning_rate": config.effect_learning_rate,
                     "max_depth": config.effect_depth,
                     "num_leaves": 2 ** config.effect_depth, "min_data_in_leaf": config.effect_min_data_in_leaf,
                     "lambda_l2": config.effect_lambda_l2, "min_gain_to_split": config.effect_min_gain_to_split}
    margin = base_margin.copy()
    rows_per_action: dict[str, int] = {}
    best_rounds: dict[str, int] = {}
    intercepts: dict[str, float] = {}
    group_offsets: dict[str, float] = {}
    # Module boosters start from the no-advice prediction, so they learn the uplift itself and
    # early stopping shrinks a noisy module towards "no effect", not towards the pooled baseline.
    reference = base_margin
    for code, module_id in enumerate(module_ids):
        rows = train_rows[action[train_rows] == code]
        rows_per_action[module_id] = int(len(rows))
        if len(rows) >= config.min_rows_per_action:
            # Who may get a module is decided by rules that can read answers the model may not
            # (childcare needs are family status): those people differ from the average person
            # in ways the features miss. So a module is compared with the no-advice people who
            # were eligible for it, not with everybody (``offset``).
            offset = _eligible_control_offset(code, train_rows, action, data.eligible, reference, y, weight,
                                              config.min_rows_per_action)
            # The action's mean shift next (stumps cannot learn an intercept from an init score),
            # then its heterogeneity; leaves scale with the rows so small modules can still split.
            shift = _intercept(reference[rows] + offset, y[rows].astype(np.float64), weight[rows])
            intercepts[module_id] = shift
            if offset:
                group_offsets[module_id] = offset
            start = reference + offset + shift
            params = {**effect_params, "min_data_in_leaf": max(20, min(config.effect_min_data_in_leaf, len(rows) // 8))}
            dataset = _subset(full, rows, start)
            # How much heterogeneity a module's few thousand rows can support is chosen on its
            # held-out rows: too little and every person gets the module's mean, too much is noise.
            held_out = valid_rows[action[valid_rows] == code]
            callbacks: list[Callable[..., Any]] = []
            valid_sets = []
            if len(held_out) >= config.min_rows_per_action // 2:
                valid_sets = [_subset(full, held_out, start)]
                callbacks = [lgb.early_stopping(config.effect_early_stopping_rounds, verbose=False)]
            booster = lgb.train(params, dataset, num_boost_round=config.effect_rounds, valid_sets=valid_sets,
                                callbacks=callbacks)
            check_feature_names(booster.feature_name())
            texts[action_key(module_id)] = booster.model_to_string(num_iteration=booster.best_iteration or None)
            best_rounds[module_id] = booster.best_iteration or booster.current_iteration()
            logged = np.flatnonzero(action == code)
            margin[logged] = start[logged] + booster.predict(
                x[logged], raw_score=True, num_iteration=booster.best_iteration or None, num_threads=config.num_threads)
            if code == 0:
                reference = start + booster.predict(
                    x, raw_score=True, num_iteration=booster.best_iteration or None, num_threads=config.num_threads)
        elif code > 0:
            logged = np.flatnonzero(action == code)
            margin[logged] = reference[logged]
        if progress is not None:
            progress(code + 2, total, module_id)
    # Actions with too few rows get no booster: they score like the baseline (uplift 0, ``known`` False).
    a, b = _platt(margin[valid_rows], y[valid_rows].astype(np.float64), weight[valid_rows])
    seconds = time.perf_counter() - started
    model_text = join_models(texts)
    meta: dict[str, Any] = {
        "feature_set_version": FEATURE_SET_VERSION,
        "features": names,
        "module_ids": module_ids,
        "boosters": list(texts),
        "module_effects_relative_to": CONTROL_ID,
        "action_intercepts": intercepts,
        "eligible_group_offsets": group_offsets,
        "learner": ("residualised T-learner: LightGBM baseline booster, an additive (depth-1) no-advice booster, "
                    "and per module an additive booster of its uplift over no advice; IPS-weighted, Platt-calibrated"),
        "calibration": {"method": "platt", "a": a, "b": b},
        "params": {"baseline": base_params, "effects": effect_params},
        "rows_per_action": rows_per_action,
        "rounds_per_action": best_rounds,
        "num_trees": sum(lgb.Booster(model_str=t).num_trees() for t in texts.values()),
        "training_seconds": round(seconds, 2),
        "data": {"scenario": data.scenario, "rows": n, "seed": data.seed, "sha256": data_hash(data),
                 "synthetic": data.synthetic},
    }
    loaded = LoadedModel.from_text("unsaved", model_text, meta)
    return TrainResult(loaded, model_text, meta)
