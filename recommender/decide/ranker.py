"""Scoring with a loaded model: P(job within 6 months | person, module) and uplift over no advice.

The model (docs/recommender.md) is a *residualised T-learner*: a LightGBM baseline booster
learns who finds work anyway from the allow-listed features; one small additive booster per
action (depth-1 trees, i.e. a sum of per-feature steps) learns how that action shifts the
log-odds (modules relative to "no advice", with their mean shift as an intercept).
Action ``none`` is "no advice". The uplift of a module is its calibrated probability
minus the probability without advice. Scoring one person calls ``Booster.predict`` on a
one-row numpy array (no sklearn wrapper: it is about 2.5x slower per call): once for the
baseline, twice for all actions together (:mod:`recommender.decide.action_model`).

All boosters are stored in one text file, one LightGBM text model per section.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import lightgbm as lgb
import numpy as np

from recommender.decide.action_model import ActionModel
from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.model_meta import ModelMeta

CONTROL_ID = "none"
BASELINE = "baseline"
_SECTION = re.compile(r"^=== booster: (?P<name>[a-z0-9_:]+) ===$", re.MULTILINE)
HEADER = "# Lotse uplift model: LightGBM text models, one per section (never a pickle).\n"


def action_key(module_id: str) -> str:
    return f"action:{module_id}"


def join_models(models: dict[str, str]) -> str:
    """One text file holding several LightGBM text models."""
    return HEADER + "".join(f"=== booster: {name} ===\n{text.rstrip()}\n" for name, text in models.items())


def action_texts(models: dict[str, str]) -> dict[str, str]:
    """The action boosters of :func:`split_models`'s result, by module id."""
    prefix = action_key("")
    return {name.removeprefix(prefix): body for name, body in models.items() if name.startswith(prefix)}


def split_models(text: str) -> dict[str, str]:
    """Inverse of :func:`join_models`; raises ValueError on a file without sections."""
    matches = list(_SECTION.finditer(text))
    if not matches:
        raise ValueError("no '=== booster: ... ===' sections found")
    out = {}
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        out[match.group("name")] = text[match.end() + 1 : end]
    return out


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
    """A trained uplift model with its metadata, ready to score (load it via the registry)."""

    def __init__(self, version: str, boosters: dict[str, lgb.Booster], meta: ModelMeta,
                 actions: ActionModel | None) -> None:
        self.version = version
        self.boosters = boosters
        self._actions = actions
        self.meta = meta
        self.feature_set_version: str = meta.feature_set_version
        self.feature_names: list[str] = list(meta.features)
        self.module_codes: dict[str, int] = {m: i for i, m in enumerate(meta.module_ids)}
        self._a = meta.calibration.a
        self._b = meta.calibration.b
        self.synthetic: bool = meta.data.synthetic
        self._intercepts: dict[str, float] = dict(meta.action_intercepts)
        # How the no-advice people eligible for a module differ from everybody (log-odds): the
        # module's uplift is the step from there, not from the average person.
        self._group_offsets: dict[str, float] = dict(meta.eligible_group_offsets)
        # The actions' figures :meth:`score` computed last on this thread, which the reasons for
        # the same person read again (issue 16: LightGBM called once per person, not per reason).
        self._recent = threading.local()

    @classmethod
    def from_text(cls, version: str, text: str, meta: ModelMeta) -> LoadedModel:
        texts = split_models(text)
        return cls(version, {name: lgb.Booster(model_str=body) for name, body in texts.items()}, meta,
                   ActionModel.join(action_texts(texts)))

    @property
    def booster(self) -> lgb.Booster:
        """The baseline booster (who finds work without advice)."""
        return self.boosters[BASELINE]

    def all_feature_names(self) -> set[str]:
        """Every feature name any of the boosters reads (for the deny-list check, G2)."""
        return {name for booster in self.boosters.values() for name in booster.feature_name()}

    def knows(self, module_id: str) -> bool:
        return module_id != CONTROL_ID and (action_key(module_id) in self.boosters or module_id in self._intercepts)

    def _row(self, features: dict[str, float]) -> np.ndarray:
        return np.array([[features.get(name, np.nan) for name in ALLOWED_FEATURES]], dtype=np.float64)

    def _offset(self, row: np.ndarray, module_id: str, **kwargs: Any) -> np.ndarray:
        shift = self._intercepts.get(module_id, 0.0)
        booster = self.boosters.get(action_key(module_id))
        if booster is None:
            return np.full(len(row), shift)
        return shift + np.asarray(booster.predict(row, raw_score=True, **kwargs))

    def calibrate(self, margin: np.ndarray) -> np.ndarray:
        """Map raw margins to calibrated probabilities (Platt scaling, fit on held-out data)."""
        return _sigmoid(self._a * margin + self._b)

    def _module_probability(self, none_margin: np.ndarray | float,
                            p_none: np.ndarray | float, effect: np.ndarray,
                            group_offset: np.ndarray | float) -> np.ndarray:
        """P(job | module): the person's no-advice chance *p_none* plus the module's uplift for its eligible group.

        Element-wise, so one call covers many people for one module or one person for many modules.
        """
        group = np.asarray(none_margin + group_offset)
        uplift = self.calibrate(group + effect) - self.calibrate(group)
        return np.clip(p_none + uplift, 0.0, 1.0)

    def score(self, features: dict[str, float], module_ids: list[str]) -> list[ModuleScore]:
        """Score every module for one person, in the order given.

        Parameters
        ----------
        features : dict of str to float
            From :func:`recommender.decide.features.build_features`.
        module_ids : list of str
            Eligible modules. Modules the model does not know get ``known=False`` and uplift 0.

        Returns
        -------
        list of ModuleScore
        """
        if not module_ids:
            return []
        row = self._row(features)
        base = float(self.booster.predict(row, raw_score=True, num_threads=1)[0])
        figures = self._action_figures(row)
        control = self._entry(figures, CONTROL_ID)
        none_margin = base + (self._intercepts.get(CONTROL_ID, 0.0) + (0.0 if control is None else control[0]))
        p_none = float(self.calibrate(np.array([none_margin]))[0])
        known = [m for m in module_ids if self.knows(m)]
        effects = np.array([self._effect(figures, m) for m in known])
        offsets = np.array([self._group_offsets.get(m, 0.0) for m in known])
        probability = dict(zip(known, self._module_probability(none_margin, p_none, effects, offsets).tolist(),
                               strict=True))
        return [ModuleScore(m, probability[m], probability[m] - p_none) if m in probability
                else ModuleScore(m, p_none, 0.0, False) for m in module_ids]

    def _action_figures(self, row: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """Every action's raw margin and ``pred_contrib`` for *row*, kept for the next call on this thread."""
        if self._actions is None:
            return None
        key = row.tobytes()
        if getattr(self._recent, "row", None) != key:
            self._recent.figures, self._recent.row = self._actions.figures(row), key
        figures: tuple[np.ndarray, np.ndarray] = self._recent.figures
        return figures

    def _entry(self, figures: tuple[np.ndarray, np.ndarray] | None, module_id: str) -> tuple[float, np.ndarray] | None:
        """The action's raw margin and contributions (with the expected value last); None without a booster."""
        k = None if figures is None or self._actions is None else self._actions.index.get(module_id)
        return None if k is None or figures is None else (float(figures[0][k]), figures[1][k])

    def _effect(self, figures: tuple[np.ndarray, np.ndarray] | None, module_id: str) -> float:
        """The module's margin over no advice for one person: the sum of its ``pred_contrib``
        (contributions plus the expected value)."""
        shift = self._intercepts.get(module_id, 0.0)
        own = self._entry(figures, module_id)
        return shift if own is None else shift + float(own[1].sum())

    def contributions(self, features: dict[str, float], module_id: str) -> dict[str, float]:
        """Per-feature contributions (log-odds) to this module's advantage over no advice.

        Each module's booster is learnt relative to the no-advice prediction, so its
        ``pred_contrib`` is the answer. With depth-1 trees this decomposition is exact, not approximate.
        Right after :meth:`score` for the same person on this thread, they are not computed again.
        """
        own = self._entry(self._action_figures(self._row(features)), module_id)
        values = np.zeros(len(ALLOWED_FEATURES)) if own is None else own[1][:-1]
        return {name: float(values[i]) for i, name in enumerate(ALLOWED_FEATURES)}

    def predict_all(self, features: np.ndarray, *, num_threads: int = 0) -> np.ndarray:
        """Calibrated probabilities for many people x (no advice, module 1, ...): shape (n, M + 1)."""
        x = np.ascontiguousarray(features, dtype=np.float64)
        base = np.asarray(self.booster.predict(x, raw_score=True, num_threads=num_threads))
        none_margin = base + self._offset(x, CONTROL_ID, num_threads=num_threads)
        p_none = self.calibrate(none_margin)
        out = np.empty((len(x), len(self.module_codes)), dtype=np.float64)
        for module_id, code in self.module_codes.items():
            if module_id == CONTROL_ID:
                out[:, code] = p_none
            else:
                effect = self._offset(x, module_id, num_threads=num_threads)
                out[:, code] = self._module_probability(none_margin, p_none, effect,
                                                        self._group_offsets.get(module_id, 0.0))
        return out

    def predict_matrix(self, features: np.ndarray, module_codes: np.ndarray, *, num_threads: int = 0) -> np.ndarray:
        """Calibrated probabilities for (person, module code) rows (evaluation, not requests)."""
        x = np.ascontiguousarray(features, dtype=np.float64)
        base = np.asarray(self.booster.predict(x, raw_score=True, num_threads=num_threads))
        none_margin = base + self._offset(x, CONTROL_ID, num_threads=num_threads)
        out = self.calibrate(none_margin)
        names = {code: module_id for module_id, code in self.module_codes.items()}
        for code in np.unique(module_codes):
            module_id = names[int(code)]
            if module_id != CONTROL_ID:
                rows = np.flatnonzero(module_codes == code)
                effect = self._offset(x[rows], module_id, num_threads=num_threads)
                out[rows] = self._module_probability(none_margin[rows], out[rows], effect,
                                                     self._group_offsets.get(module_id, 0.0))
        return out


@dataclass
class TrainResult:
    """A freshly trained model before the registry stores it: the booster text and its metadata."""

    model: LoadedModel
    model_text: str
    meta: ModelMeta
    metrics: dict[str, float] = field(default_factory=dict)
