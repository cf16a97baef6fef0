"""Scoring with a loaded model: P(job within 6 months | person, module) and uplift over no advice.

The model is an S-learner (docs/recommender.md): one LightGBM booster over the allow-listed
features plus the module as a categorical feature, where module code 0 means "no advice".
The uplift of a module is its calibrated probability minus the probability without advice,
both predicted in one ``Booster.predict`` call on a small numpy array (no sklearn wrapper:
it is about 2.5x slower per request, ARCHITECTURE.md performance notes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

from recommender.features import ALLOWED_FEATURES, MODULE_FEATURE

CONTROL_ID = "none"


@dataclass(frozen=True)
class ModuleScore:
    """Internal per-(person, module) figures for ranking; never shown as a person's score (G7)."""

    module_id: str
    score: float  # calibrated P(job within 6 months | this module)
    uplift: float  # score minus P(job within 6 months | no advice)
    known: bool = True  # False: the model has never seen this module (uplift 0, ranked by rules)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


class LoadedModel:
    """A trained booster with its metadata, ready to score (loaded via the registry)."""

    def __init__(self, version: str, booster: lgb.Booster, meta: dict[str, Any]) -> None:
        self.version = version
        self.booster = booster
        self.meta = meta
        self.feature_set_version: str = meta["feature_set_version"]
        self.feature_names: list[str] = list(meta["features"])
        self.module_codes: dict[str, int] = {m: i for i, m in enumerate(meta["module_ids"])}
        calibration = meta.get("calibration") or {"a": 1.0, "b": 0.0}
        self._a = float(calibration["a"])
        self._b = float(calibration["b"])
        self.synthetic: bool = bool(meta.get("data", {}).get("synthetic", True))

    def _rows(self, features: dict[str, float], module_ids: list[str]) -> np.ndarray:
        base = np.array([features.get(name, np.nan) for name in ALLOWED_FEATURES], dtype=np.float64)
        rows = np.empty((len(module_ids) + 1, len(ALLOWED_FEATURES) + 1), dtype=np.float64)
        rows[:, :-1] = base
        rows[0, -1] = self.module_codes[CONTROL_ID]
        for i, module_id in enumerate(module_ids, start=1):
            rows[i, -1] = self.module_codes[module_id]
        return rows

    def calibrate(self, margin: np.ndarray) -> np.ndarray:
        """Map raw booster margins to calibrated probabilities (Platt scaling, fit on held-out data)."""
        return _sigmoid(self._a * margin + self._b)

    def score(self, features: dict[str, float], module_ids: list[str]) -> list[ModuleScore]:
        """Score every module for one person in one batch, in the order given.

        Parameters
        ----------
        features : dict of str to float
            From :func:`recommender.features.build_features`.
        module_ids : list of str
            Eligible modules. Modules the model does not know get ``known=False`` and uplift 0.

        Returns
        -------
        list of ModuleScore
        """
        known = [m for m in module_ids if m in self.module_codes and m != CONTROL_ID]
        margin = self.booster.predict(self._rows(features, known), raw_score=True, num_threads=1)
        probs = self.calibrate(np.asarray(margin))
        p_none = float(probs[0])
        by_id = {m: float(p) for m, p in zip(known, probs[1:], strict=True)}
        return [ModuleScore(m, by_id[m], by_id[m] - p_none) if m in by_id else ModuleScore(m, p_none, 0.0, False)
                for m in module_ids]

    def contributions(self, features: dict[str, float], module_id: str) -> dict[str, float]:
        """Per-feature contributions (raw margin) to this module's advantage over no advice.

        ``pred_contrib`` of the module row minus that of the no-advice row: what in this
        person's situation makes the module more (positive) or less (negative) useful.
        """
        rows = self._rows(features, [module_id])
        contrib = self.booster.predict(rows, pred_contrib=True, num_threads=1)
        diff = np.asarray(contrib[1] - contrib[0])
        names = self.feature_names
        return {name: float(diff[i]) for i, name in enumerate(names) if name != MODULE_FEATURE}

    def predict_matrix(self, features: np.ndarray, module_codes: np.ndarray, *, num_threads: int = 0) -> np.ndarray:
        """Calibrated probabilities for many (person, module) rows (evaluation, not requests)."""
        rows = np.column_stack([features.astype(np.float64), module_codes.astype(np.float64)])
        margin = self.booster.predict(rows, raw_score=True, num_threads=num_threads)
        return self.calibrate(np.asarray(margin))
