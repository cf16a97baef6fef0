"""Counterfactual twins (G5): change one protected attribute or proxy, keep all else, compare top-5.

A twin is the same simulated person with one thing changed: their gender, their citizenship
group, or only their first name (drawn from another origin group - a classic proxy for ethnic
origin). Everything the model is allowed to see stays equal, so a model that only reads the
allow-list gives the twin the very same top-5 advice (Jaccard 1). A model that picked up a
proxy - a feature derived from the name, say - does not, and :func:`run_twins` reports the
mean Jaccard per change; below :data:`MIN_JACCARD` the promotion gate fails.

The scorer reads its inputs *by name* from a frame holding the allowed features plus the
twin's audit columns (``first_name_origin`` and the protected codes), so any booster can be
put to the test, including one trained with a forbidden column. The first names are a small
ILLUSTRATIVE list per origin group written for this test, not a statistic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

from recommender.decide.features import ALLOWED_FEATURES, MODULE_FEATURE
from recommender.decide.ranker import CONTROL_ID, LoadedModel
from recommender.decide.reasons import explain
from recommender.evaluate.true_uplift import top_k
from recommender.records.protected import protected_category
from recommender.simulate.population import SimulatedData

MIN_JACCARD = 0.9
MIN_TWINS = 1000
TWIN_SEED = 4242  # the simulated twins' seed (`lotse audit twins` and the first start)
TOP_K = 5
# ILLUSTRATIVE first names per origin group and gender (not a statistic; written for the test).
FIRST_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "german": {"female": ("Anna", "Katrin", "Sabine", "Lea"), "male": ("Lukas", "Jonas", "Thomas", "Stefan")},
    "turkish": {"female": ("Ayse", "Elif", "Zeynep", "Emine"), "male": ("Mehmet", "Emre", "Mustafa", "Can")},
    "arabic": {"female": ("Fatima", "Layla", "Amira", "Nour"), "male": ("Ahmad", "Omar", "Karim", "Youssef")},
    "polish": {"female": ("Agnieszka", "Joanna", "Magda", "Ewa"), "male": ("Piotr", "Tomasz", "Marek", "Pawel")},
    "ukrainian": {"female": ("Oksana", "Olena", "Iryna", "Tetiana"),
                  "male": ("Oleksandr", "Andrii", "Taras", "Bohdan")},
}
ORIGINS: tuple[str, ...] = tuple(FIRST_NAMES)
PROXY_COLUMN = "first_name_origin"
CHANGES = ("gender", "nationality_group", "first_name")

Frame = Mapping[str, np.ndarray]
Scorer = Callable[[Frame], np.ndarray]


@dataclass(frozen=True)
class TwinSet:
    """People and their twins as model-input frames, plus what was changed."""

    change: str
    base: dict[str, np.ndarray]
    twin: dict[str, np.ndarray]
    eligible: np.ndarray
    names: tuple[np.ndarray, np.ndarray]


def booster_scorer(booster: lgb.Booster, module_codes: Mapping[str, int], module_ids: list[str]) -> Scorer:
    """Rank modules with any booster, reading its input columns by name from the frame.

    Ranking by the module row's margin equals ranking by uplift: the no-advice margin is the
    same for every module of one person and the calibration is monotone.
    """
    names = booster.feature_name()
    codes = np.array([module_codes[m] for m in module_ids], dtype=np.float64)

    def score(frame: Frame) -> np.ndarray:
        n = len(next(iter(frame.values())))
        m = len(codes)
        columns = []
        for name in names:
            if name == MODULE_FEATURE:
                columns.append(np.tile(codes, n))
            else:
                columns.append(np.repeat(np.asarray(frame[name], dtype=np.float64), m))
        margin = booster.predict(np.column_stack(columns), raw_score=True, num_threads=1)
        return np.asarray(margin).reshape(n, m)

    return score


def model_scorer(model: LoadedModel, module_ids: list[str]) -> Scorer:
    """Rank modules by the model's uplift, reading only the allow-listed columns of the frame."""
    codes = [model.module_codes[m] for m in module_ids]
    control = model.module_codes[CONTROL_ID]

    def score(frame: Frame) -> np.ndarray:
        x = np.column_stack([np.asarray(frame[name], dtype=np.float64) for name in ALLOWED_FEATURES])
        probs = model.predict_all(x, num_threads=1)
        return probs[:, codes] - probs[:, [control]]

    return score


def _origin_of(nationality: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Most German citizens have a German first name, most others one from another origin group."""
    other = rng.integers(1, len(ORIGINS), len(nationality))
    german_name = rng.random(len(nationality)) < np.where(nationality == "german", 0.85, 0.1)
    return np.where(german_name, 0, other)


def _names(origin: np.ndarray, gender: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    picks = rng.integers(0, 4, len(origin))
    return np.array([FIRST_NAMES[ORIGINS[o]][g if g in ("female", "male") else "female"][p]
                     for o, g, p in zip(origin, gender, picks, strict=True)], dtype=object)


def make_twins(data: SimulatedData, change: str, *, n: int = MIN_TWINS, seed: int = 42) -> TwinSet:
    """*n* simulated people and their twins differing only in *change* (see :data:`CHANGES`)."""
    if change not in CHANGES:
        raise ValueError(f"unknown twin change {change!r}; allowed: {', '.join(CHANGES)}")
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(data.n, size=min(n, data.n), replace=False))
    gender = np.asarray(data.protected["gender"])[rows].astype(str)
    nationality = np.asarray(data.protected["citizenship_group"])[rows].astype(str)
    origin = _origin_of(nationality, rng)
    base: dict[str, np.ndarray] = {name: data.features[rows, j] for j, name in enumerate(ALLOWED_FEATURES)}
    twin_gender, twin_nationality, twin_origin = gender.copy(), nationality.copy(), origin.copy()
    if change == "gender":
        twin_gender = np.where(gender == "female", "male", "female")
    elif change == "nationality_group":
        twin_nationality = np.where(nationality == "german", "non_german", "german")
        twin_origin = _origin_of(twin_nationality, rng)
    else:
        twin_origin = np.where(origin == 0, rng.integers(1, len(ORIGINS), len(origin)), 0)
    twin = dict(base)
    base[PROXY_COLUMN], twin[PROXY_COLUMN] = origin.astype(np.float64), twin_origin.astype(np.float64)
    base["gender_code"] = (gender == "female").astype(np.float64)
    twin["gender_code"] = (twin_gender == "female").astype(np.float64)
    names = (_names(origin, gender, rng), _names(twin_origin, twin_gender, rng))
    return TwinSet(change, base, twin, data.eligible[rows], names)


def jaccard_top_k(score_a: np.ndarray, score_b: np.ndarray, eligible: np.ndarray, k: int = TOP_K) -> np.ndarray:
    """Per person: |top-k(a) & top-k(b)| / |top-k(a) | top-k(b)| among eligible modules (1 if none)."""
    idx_a, ok_a = top_k(score_a, eligible, k)
    idx_b, ok_b = top_k(score_b, eligible, k)
    out = np.ones(len(score_a))
    for i in range(len(score_a)):
        a, b = set(idx_a[i][ok_a[i]]), set(idx_b[i][ok_b[i]])
        if a or b:
            out[i] = len(a & b) / len(a | b)
    return out


def _explanations_clean(model: LoadedModel, twins: TwinSet, module_ids: list[str], sample: int) -> bool:
    """Reasons name only allowed, unprotected features, never a first name, and are equal for twins."""
    names = set(twins.names[0]) | set(twins.names[1])
    for i in range(min(sample, len(twins.eligible))):
        eligible = [m for m, ok in zip(module_ids, twins.eligible[i], strict=True) if ok]
        if not eligible or eligible[0] not in model.module_codes or eligible[0] == CONTROL_ID:
            continue
        reasons = []
        for frame in (twins.base, twins.twin):
            features = {name: float(frame[name][i]) for name in ALLOWED_FEATURES}
            reasons.append(explain(model, features, eligible[0]))
        if [r.feature for r in reasons[0]] != [r.feature for r in reasons[1]]:
            return False
        for reason in reasons[0]:
            text = f"{reason.text_de} {reason.text_en}"
            if reason.feature not in ALLOWED_FEATURES or protected_category(reason.feature) is not None:
                return False
            if any(name in text for name in names):
                return False
    return True


def run_twins(scorer: Scorer, data: SimulatedData, *, n: int = MIN_TWINS, changes: tuple[str, ...] = CHANGES,
              model: LoadedModel | None = None, explain_sample: int = 30, seed: int = 42) -> dict[str, Any]:
    """Mean top-5 Jaccard between people and their twins, per kind of change.

    Parameters
    ----------
    scorer : callable
        Frame -> (n, M) module scores; :func:`model_scorer` or :func:`booster_scorer`.
    data : SimulatedData
        Simulated people with protected attributes (SYNTHETIC).
    n : int, default 1000
        Twins per change.
    model : LoadedModel, optional
        If given, also check that explanations never mention protected attributes or names.

    Returns
    -------
    dict
        Per change ``mean_jaccard``, ``share_identical``; overall ``min_mean_jaccard`` and ``passes``.
    """
    results: dict[str, Any] = {}
    clean = True
    for change in changes:
        twins = make_twins(data, change, n=n, seed=seed)
        jac = jaccard_top_k(scorer(twins.base), scorer(twins.twin), twins.eligible)
        results[change] = {"twins": int(len(jac)), "mean_jaccard": round(float(jac.mean()), 4),
                           "share_identical": round(float((jac == 1).mean()), 4),
                           "passes": bool(jac.mean() >= MIN_JACCARD)}
        if model is not None:
            clean = clean and _explanations_clean(model, twins, data.module_ids, explain_sample)
    worst = min(r["mean_jaccard"] for r in results.values())
    return {"k": TOP_K, "threshold": MIN_JACCARD, "changes": results, "min_mean_jaccard": worst,
            "explanations_clean": clean if model is not None else None,
            "passes": bool(worst >= MIN_JACCARD and clean), "synthetic": True,
            "note": "first names are an illustrative list per origin group"}
