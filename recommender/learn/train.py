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
from typing import Any, Literal

import lightgbm as lgb
import numpy as np

from recommender.decide.features import ALLOWED_FEATURES, FEATURE_SET_VERSION, check_feature_names
from recommender.decide.model_meta import LOGS_SCENARIO, Calibration, DataInfo, ModelMeta, TrainingRun
from recommender.decide.ranker import BASELINE, CONTROL_ID, LoadedModel, TrainResult, join_models
from recommender.learn.code_version import code_version
from recommender.learn.effects import ActionRows, EffectStage, common_params, fit_effects
from recommender.learn.train_config import TrainConfig
from recommender.simulate.population import SimulatedData

Progress = Callable[[int, int, str], None]
LEARNER = ("residualised T-learner: LightGBM baseline booster, an additive (depth-1) no-advice booster, "
           "and per module an additive booster of its uplift over no advice; IPS-weighted, Platt-calibrated")


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


def baseline_params(config: TrainConfig) -> dict[str, Any]:
    """The baseline booster's settings (who finds work anyway), shared by both trainers."""
    return {**common_params(config), "learning_rate": config.baseline_learning_rate,
            "num_leaves": config.baseline_leaves, "min_data_in_leaf": min(200, config.effect_min_data_in_leaf),
            "lambda_l2": 1.0, "feature_fraction": 0.9}


def assemble(baseline_text: str, stage: EffectStage, module_ids: list[str], config: TrainConfig,
             data: DataInfo, *, base_params: dict[str, Any], seconds: float,
             where: Literal["single machine", "dask"] = "single machine", workers: int = 1) -> TrainResult:
    """The model file and its validated metadata from the trained parts (both trainers end here)."""
    texts = {BASELINE: baseline_text, **stage.texts}
    a, b = stage.calibration
    meta = ModelMeta(
        feature_set_version=FEATURE_SET_VERSION,
        features=list(ALLOWED_FEATURES),
        module_ids=[CONTROL_ID, *module_ids],
        boosters=list(texts),
        module_effects_relative_to=CONTROL_ID,
        action_intercepts=stage.intercepts,
        eligible_group_offsets=stage.group_offsets,
        learner=LEARNER,
        calibration=Calibration(a=a, b=b),
        params={"baseline": base_params, "effects": stage.params},
        rows_per_action=stage.rows_per_action,
        rounds_per_action=stage.rounds_per_action,
        num_trees=sum(lgb.Booster(model_str=t).num_trees() for t in texts.values()),
        training_seconds=round(seconds, 2),
        training=TrainingRun(seed=config.seed, config=config.as_dict(), code_version=code_version(),
                             where=where, workers=workers),
        data=data,
    )
    model_text = join_models(texts)
    return TrainResult(LoadedModel.from_text("unsaved", model_text, meta), model_text, meta)


def _rows(index: np.ndarray, x: np.ndarray, y: np.ndarray, weight: np.ndarray, base: np.ndarray,
          is_valid: np.ndarray, eligible: np.ndarray | None = None) -> ActionRows:
    return ActionRows(x[index], y[index], weight[index], base[index], is_valid[index],
                      None if eligible is None else np.asarray(eligible[index]), index=index)


def fit(data: SimulatedData, config: TrainConfig | None = None, *, held_out: np.ndarray | None = None,
        progress: Progress | None = None) -> TrainResult:
    """Train the uplift model on logged data held in memory and calibrate it.

    Parameters
    ----------
    data : SimulatedData
        Logged features, actions, propensities and outcomes (simulated or from the app's logs).
    config : TrainConfig, optional
    held_out : ndarray of bool, optional
        Rows kept for early stopping and calibration; default a seeded random
        ``config.validation_share``. Data read from the log passes
        :func:`~recommender.learn.effects.held_out_by_decision`, as the Dask trainer does.
    progress : callable, optional
        Called as ``progress(done, total, text)`` after each booster.

    Returns
    -------
    TrainResult
    """
    config = config or TrainConfig()
    names = list(ALLOWED_FEATURES)
    check_feature_names(names)
    started = time.perf_counter()
    is_valid = held_out if held_out is not None else \
        np.random.default_rng(config.seed).random(data.n) < config.validation_share
    train_rows, valid_rows = np.flatnonzero(~is_valid), np.flatnonzero(is_valid)
    x = np.ascontiguousarray(data.features, dtype=np.float32)
    y = data.outcome.astype(np.float64)
    action = data.action.astype(np.int64)
    weight = ips_weights(action, data.propensity.astype(np.float64), clip=config.weight_clip)
    total = len(data.module_ids) + 2

    base_params = baseline_params(config)
    # One binned dataset for everything: the per-action boosters reuse its bins.
    full = lgb.Dataset(x, y, weight=weight, feature_name=names, params={"max_bin": 63}, free_raw_data=False)
    full.construct()
    # LightGBM types subset() as taking a list; it takes any index array (and copies it to int32 anyway).
    baseline = lgb.train(base_params, full.subset(train_rows),  # type: ignore[arg-type]
                         num_boost_round=config.baseline_rounds,
                         valid_sets=[full.subset(valid_rows)],  # type: ignore[arg-type]
                         callbacks=[lgb.early_stopping(config.early_stopping_rounds, verbose=False)])
    check_feature_names(baseline.feature_name())
    best = baseline.best_iteration or None
    base_margin = np.asarray(baseline.predict(x, raw_score=True, num_iteration=best, num_threads=config.num_threads))
    if progress is not None:
        progress(1, total, "baseline")

    def rows_of(code: int) -> ActionRows:
        return _rows(np.flatnonzero(action == code), x, y, weight, base_margin, is_valid)

    control = _rows(np.flatnonzero(action == 0), x, y, weight, base_margin, is_valid, data.eligible)
    stage = fit_effects(control, rows_of, list(data.module_ids), config, full, progress=progress, done=1,
                        total=total)
    info = DataInfo(source="simulated" if data.synthetic else "real", scenario=data.scenario, rows=data.n,
                    sha256=data_hash(data), simulation_seed=None if data.scenario == LOGS_SCENARIO else data.seed)
    return assemble(baseline.model_to_string(num_iteration=best), stage, list(data.module_ids), config, info,
                    base_params=base_params, seconds=time.perf_counter() - started)
