"""Proxy probes (G4): can the model's feature vector tell a protected attribute?

Protected attributes are never features (G2), but a combination of allowed features can stand
in for one (indirect discrimination). The probe trains a small gradient-boosted classifier to
predict each protected attribute from exactly the features the model sees, with 5-fold
cross-validation, and reports the out-of-fold AUC per group (one-vs-rest). An AUC of 0.5 means
the features carry no information about the attribute; above :data:`MAX_PROXY_AUC` promotion
is blocked pending a human review (``recommender.evaluate.gates``). The most informative features are
named, so the review knows where to look (e.g. the German level for nationality).

Some features are legally justified although they correlate with origin (the register,
``recommender.records.justified_features``). The probe reports the AUC with them
(``auc_with_declared``) and without them (``auc``); only the undeclared rest is gated, because
a justified feature is used knowingly, while an unexplained proxy is not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from models.errors import InvalidError
from recommender.errors import RecommenderError
from recommender.records.justified_features import declared_features

MAX_PROXY_AUC = 0.65
MIN_GROUP = 20
_PARAMS = {"objective": "binary", "learning_rate": 0.1, "num_leaves": 15, "min_data_in_leaf": 50,
           "feature_fraction": 0.9, "verbose": -1, "num_threads": 1, "deterministic": True, "force_row_wise": True}
_ROUNDS = 60
_SHAPE = "features has {rows} rows but {attribute!r} has {values} values"


class ProxyProbeError(RecommenderError, InvalidError):
    """Inputs the probe cannot use."""


def _oof_scores(x: np.ndarray, y: np.ndarray, folds: int, seed: int) -> np.ndarray:
    out = np.zeros(len(y))
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(x, y):
        booster = lgb.train({**_PARAMS, "seed": seed}, lgb.Dataset(x[train], y[train]), num_boost_round=_ROUNDS)
        out[test] = booster.predict(x[test])
    return out


def _top_features(x: np.ndarray, y: np.ndarray, names: Sequence[str], seed: int, top: int = 3) -> list[str]:
    booster = lgb.train({**_PARAMS, "seed": seed}, lgb.Dataset(x, y, feature_name=list(names)),
                        num_boost_round=_ROUNDS)
    gain = booster.feature_importance(importance_type="gain")
    return [names[i] for i in np.argsort(-gain)[:top] if gain[i] > 0]


def _probe_attribute(x_all: np.ndarray, names: Sequence[str], labels: np.ndarray, *, folds: int, max_rows: int,
                     seed: int, threshold: float) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    known = np.array([v is not None and v == v and v != "" for v in labels])
    rows = np.flatnonzero(known)
    if len(rows) > max_rows:
        rows = np.sort(rng.choice(rows, max_rows, replace=False))
    groups, counts = np.unique(labels[rows].astype(str), return_counts=True)
    kept = groups[counts >= max(MIN_GROUP, folds)]
    if len(kept) < 2:
        return {"auc": None, "passes": True, "note": "fewer than two groups large enough"}
    rows = rows[np.isin(labels[rows].astype(str), kept)]
    x, y_labels = x_all[rows], labels[rows].astype(str)
    by_group: dict[str, float] = {}
    top: list[str] = []
    targets = kept[:1] if len(kept) == 2 else kept  # binary: one probe serves both groups
    for group in targets:
        y = (y_labels == group).astype(np.int32)
        auc = float(roc_auc_score(y, _oof_scores(x, y, folds, seed)))
        by_group[str(group)] = round(auc, 4)
        if len(kept) == 2:
            by_group[str(kept[1])] = round(auc, 4)
        if not top or auc >= max(by_group.values()):
            top = _top_features(x, y, names, seed)
    worst = max(by_group.values())
    return {"auc": worst, "auc_by_group": by_group, "passes": worst <= threshold, "top_features": top,
            "rows": int(len(rows))}


def probe_proxies(features: np.ndarray, feature_names: Sequence[str], protected: Mapping[str, np.ndarray], *,
                  folds: int = 5, max_rows: int = 40_000, seed: int = 42,
                  threshold: float = MAX_PROXY_AUC, declared: Sequence[str] | None = None) -> dict[str, Any]:
    """Out-of-fold AUC of predicting each protected attribute from the model's features.

    Parameters
    ----------
    features : ndarray of shape (n, f)
        The model's feature vector per person (NaN = unknown).
    feature_names : sequence of str
    protected : mapping of str to ndarray of shape (n,)
        Group labels per attribute from the audit store; None/NaN/"" = not reported.
    folds : int, default 5
    max_rows : int, default 40000
        A seeded random subsample above this size (the AUC is stable long before).
    seed : int, default 42
    threshold : float, default 0.65
    declared : sequence of str, optional
        Legally justified features (default: the register); ``()`` probes all features only.

    Returns
    -------
    dict
        ``{"attributes": {attr: {"auc": max one-vs-rest AUC without the declared features,
        "auc_with_declared": the same with them, "auc_by_group": ..., "passes": ..., "top_features": ...}},
        "passes": all attributes pass, "threshold": ..., "declared": [...]}``
    """
    x_all = np.asarray(features, dtype=np.float64)
    names = list(feature_names)
    justified = [n for n in (declared_features() if declared is None else declared) if n in names]
    rest = [i for i, n in enumerate(names) if n not in justified]
    results: dict[str, Any] = {}
    for attribute, raw in protected.items():
        labels = np.asarray(raw, dtype=object)
        if len(labels) != len(x_all):
            raise ProxyProbeError(_SHAPE.format(rows=len(x_all), attribute=attribute, values=len(labels)))
        result = _probe_attribute(x_all[:, rest], [names[i] for i in rest], labels, folds=folds,
                                  max_rows=max_rows, seed=seed, threshold=threshold)
        if justified and result["auc"] is not None:
            result["auc_with_declared"] = _probe_attribute(x_all, names, labels, folds=folds, max_rows=max_rows,
                                                           seed=seed, threshold=threshold)["auc"]
        results[attribute] = result
    return {"threshold": threshold, "folds": folds, "attributes": results, "declared": justified,
            "passes": all(r["passes"] for r in results.values())}
