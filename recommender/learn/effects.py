"""The learner's per-module stage and its calibration, one core for every way of feeding data.

Why one core: the single-machine trainer (``train.fit``) and the Dask trainer (``dask_train``)
differ only in how the rows reach this stage (slices of arrays in memory, or one action at a
time filtered on the workers). Everything that decides what the model *is* happens here, once:
the no-advice booster, each module's intercept and additive booster of its uplift over no
advice, the comparison with the no-advice people eligible for the module (``eligible group
offset``), early stopping on the module's own held-out rows, and Platt scaling on all held-out
rows. ``train.fit`` documents why the learner looks like this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from recommender.decide.features import ALLOWED_FEATURES, check_feature_names
from recommender.decide.ranker import CONTROL_ID, action_key
from recommender.learn.train_config import TrainConfig

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ActionRows:
    """The logged rows of one action (all of them, training and held-out), as the stage needs them."""

    x: np.ndarray  # (n, len(ALLOWED_FEATURES)) float32
    y: np.ndarray  # (n,) float64, found work within the window
    weight: np.ndarray  # (n,) float64, stabilised clipped IPS weight
    base: np.ndarray  # (n,) float64, the baseline booster's raw margin
    valid: np.ndarray  # (n,) bool, held out for early stopping and calibration
    eligible: np.ndarray | None = None  # (n, M) bool, only needed for the no-advice rows
    # Positions of these rows in ``bins`` when it holds every row (in memory): boosters then train on
    # subsets of its binned data instead of binning the rows again.
    index: np.ndarray | None = None

    @property
    def n_train(self) -> int:
        return int((~self.valid).sum())


@dataclass
class EffectStage:
    """The boosters and figures the stage learnt (booster texts keyed like the model file's sections)."""

    texts: dict[str, str] = field(default_factory=dict)
    intercepts: dict[str, float] = field(default_factory=dict)
    group_offsets: dict[str, float] = field(default_factory=dict)
    rows_per_action: dict[str, int] = field(default_factory=dict)
    rounds_per_action: dict[str, int] = field(default_factory=dict)
    calibration: tuple[float, float] = (1.0, 0.0)
    params: dict[str, Any] = field(default_factory=dict)


def held_out_by_decision(decision_ids: np.ndarray, seed: int, share: float) -> np.ndarray:
    """Which logged rows are held out: a seeded hash of the decision id, the same wherever a row is read.

    Both trainers split logged data this way, so they learn from the same rows, and the rows of
    one decision never sit on both sides of the split.
    """
    hashed = pd.util.hash_pandas_object(pd.Series(decision_ids).astype(str), index=False,
                                        hash_key=f"lotse{seed:012d}"[:16]).to_numpy()
    return (hashed % 10_000) < share * 10_000


def common_params(config: TrainConfig) -> dict[str, Any]:
    return {"objective": "binary", "num_threads": config.num_threads, "seed": config.seed, "deterministic": True,
            "force_row_wise": True, "verbose": -1, "max_bin": 63}


def platt(margin: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
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


def _dataset(rows: ActionRows, keep: np.ndarray, start: np.ndarray, bins: lgb.Dataset) -> lgb.Dataset:
    """The kept rows, starting from *start*, binned like *bins* (so every booster shares one binning)."""
    if rows.index is None:
        return lgb.Dataset(rows.x[keep], rows.y[keep], weight=rows.weight[keep], init_score=start[keep],
                           reference=bins, feature_name=list(ALLOWED_FEATURES), params={"max_bin": 63})
    # LightGBM 4 silently ignores an init score given to a subset before it is constructed.
    subset = bins.subset(rows.index[keep])
    subset.construct()
    subset.set_init_score(start[keep])
    return subset


class _Learner:
    """Trains one action's intercept and booster; holds the no-advice model once it is learnt."""

    def __init__(self, config: TrainConfig, bins: lgb.Dataset) -> None:
        self.config = config
        self.bins = bins
        self.params = {**common_params(config), "num_threads": 1, "learning_rate": config.effect_learning_rate,
                       "max_depth": config.effect_depth, "num_leaves": 2 ** config.effect_depth,
                       "min_data_in_leaf": config.effect_min_data_in_leaf, "lambda_l2": config.effect_lambda_l2,
                       "min_gain_to_split": config.effect_min_gain_to_split}
        self.none_shift = 0.0
        self.none_booster: lgb.Booster | None = None

    def reference(self, rows: ActionRows) -> np.ndarray:
        """The no-advice log-odds of *rows*: baseline, plus the no-advice intercept and booster once learnt."""
        margin = rows.base + self.none_shift
        if self.none_booster is not None:
            margin = margin + self.none_booster.predict(rows.x, raw_score=True, num_threads=1)
        return margin

    def fit(self, rows: ActionRows, start_without_shift: np.ndarray) -> tuple[float, lgb.Booster]:
        """The action's mean shift (stumps cannot learn an intercept from an init score), then its heterogeneity.

        How much heterogeneity a module's few thousand rows support is chosen on its held-out
        rows: too little and every person gets the module's mean, too much is noise.
        """
        train = ~rows.valid
        shift = _intercept(start_without_shift[train], rows.y[train], rows.weight[train])
        start = start_without_shift + shift
        params = {**self.params, "min_data_in_leaf": max(20, min(self.config.effect_min_data_in_leaf,
                                                                  int(train.sum()) // 8))}
        dataset = _dataset(rows, train, start, self.bins)
        valid_sets: list[lgb.Dataset] = []
        callbacks: list[Callable[..., Any]] = []
        if rows.valid.sum() >= self.config.min_rows_per_action // 2:
            valid_sets = [_dataset(rows, rows.valid, start, self.bins)]
            callbacks = [lgb.early_stopping(self.config.effect_early_stopping_rounds, verbose=False)]
        booster = lgb.train(params, dataset, num_boost_round=self.config.effect_rounds, valid_sets=valid_sets,
                            callbacks=callbacks)
        check_feature_names(booster.feature_name())
        best = booster.best_iteration or None
        # Keep only the rounds early stopping chose: the stored model and later predictions agree.
        return shift, lgb.Booster(model_str=booster.model_to_string(num_iteration=best))


def _eligible_offset(control: ActionRows, control_reference: np.ndarray, column: int, min_rows: int) -> float:
    """Log-odds by which no-advice people eligible for a module differ from the no-advice model.

    Who may get a module is decided by rules that can read answers the model may not
    (childcare needs are family status): those people differ from the average person in ways
    the features miss. Zero when too few eligible no-advice rows exist to tell.
    """
    eligible = control.eligible
    keep = ~control.valid if eligible is None else ~control.valid & eligible[:, column]
    if keep.sum() < min_rows:
        return 0.0
    return _intercept(control_reference[keep], control.y[keep], control.weight[keep])


def fit_effects(control: ActionRows, rows_of: Callable[[int], ActionRows], module_ids: list[str],
                config: TrainConfig, bins: lgb.Dataset, *, progress: Progress | None = None,
                done: int = 0, total: int = 0) -> EffectStage:
    """Learn the no-advice booster, every module's uplift booster and the calibration.

    Parameters
    ----------
    control : ActionRows
        The no-advice rows, with ``eligible`` (which modules each person could have had).
    rows_of : callable
        ``rows_of(code)`` returns the rows of module ``module_ids[code - 1]``; called once per module.
    module_ids : list of str
        Catalogue module ids (action code ``j + 1``).
    bins : lgb.Dataset
        A constructed dataset whose feature binning every booster reuses (holding every row,
        with labels and weights, when the rows carry an ``index`` into it).
    progress : callable, optional
        ``progress(done + k, total, action)`` after the k-th action.

    Returns
    -------
    EffectStage
    """
    learner = _Learner(config, bins)
    stage = EffectStage(params=learner.params)
    held_out: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    control_reference = control.base
    for code, module_id in enumerate([CONTROL_ID, *module_ids]):
        rows = control if code == 0 else rows_of(code)
        reference = learner.reference(rows)
        stage.rows_per_action[module_id] = rows.n_train
        margin = reference
        if rows.n_train >= config.min_rows_per_action:
            offset = 0.0
            if code > 0:
                offset = _eligible_offset(control, control_reference, code - 1, config.min_rows_per_action)
            shift, booster = learner.fit(rows, reference + offset)
            stage.intercepts[module_id] = shift
            if offset:
                stage.group_offsets[module_id] = offset
            stage.texts[action_key(module_id)] = booster.model_to_string()
            stage.rounds_per_action[module_id] = booster.current_iteration()
            margin = reference + offset + shift + booster.predict(rows.x, raw_score=True, num_threads=1)
            if code == 0:
                # Module boosters start from the no-advice prediction, so they learn the uplift itself and
                # early stopping shrinks a noisy module towards "no effect", not towards the pooled baseline.
                learner.none_shift, learner.none_booster = shift, booster
                control_reference = learner.reference(control)
        # Actions with too few rows get no booster: they score like no advice (uplift 0, ``known`` False).
        held_out.append((margin[rows.valid], rows.y[rows.valid], rows.weight[rows.valid]))
        if progress is not None:
            progress(done + code + 1, total, module_id)
    margins, ys, weights = (np.concatenate(parts) for parts in zip(*held_out, strict=True))
    stage.calibration = platt(margins, ys, weights)
    return stage
