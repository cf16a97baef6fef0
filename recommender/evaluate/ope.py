"""Off-policy evaluation (G16): how good would a candidate model have been on the logged data?

Why not just compare outcomes: the logged outcomes were produced by the *active* model's
choices, so a candidate can only be judged through the decisions where the logging policy
happened to do what the candidate would do, re-weighted by the logged propensity. Three
estimators, all with bootstrap confidence intervals:

- IPS: ``mean(w * y)`` with ``w = pi(a|x) / p(a|x)``; unbiased, high variance.
- SNIPS: ``sum(w * y) / sum(w)``; a little biased, much steadier.
- DR (doubly robust): ``mean(q(x, pi) + w * (y - q(x, a)))``; unbiased if either the
  propensities or the outcome model ``q`` are right.

This generalises ``recommender.evaluate.true_uplift.off_policy`` (which needs the simulator's oracle and
gives no SNIPS interval): it works on logged data, takes stochastic target policies, and
bootstraps all three estimators with one vectorised Poisson bootstrap, so a million rows
take seconds. ``evaluate.off_policy`` can delegate to :func:`estimate_policy_value`.

The unit on logged data is the decision and its rank-1 advice (``training_data``: the
propensity of being put first); on simulated data, the person and the one logged action.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from models.errors import InvalidError
from recommender.decide.ranker import CONTROL_ID, LoadedModel
from recommender.errors import RecommenderError
from recommender.evaluate.true_uplift import top_k
from recommender.learn.training_data import LoggedData
from recommender.simulate.population import SimulatedData

BOOTSTRAP_BLOCKS = 5000
_BAD_PROPENSITY = "propensities must lie in (0, 1]; got {count} values outside (min {low}, max {high})"
_LENGTHS = "reward, propensity and target_prob must have the same length; got {lengths}"


class OPEError(RecommenderError, InvalidError):
    """Inputs an off-policy estimate cannot be computed from."""


@dataclass(frozen=True)
class Estimate:
    """One estimator's policy value (P(job within the window)) with its bootstrap interval."""

    estimator: str
    value: float
    low: float
    high: float
    n: int
    effective_n: float  # Kish effective sample size of the importance weights

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def poisson_bootstrap(terms: dict[str, np.ndarray], n_boot: int, rng: np.random.Generator,
                       blocks: int = BOOTSTRAP_BLOCKS) -> dict[str, np.ndarray]:
    """Bootstrap sums of each term vector with shared Poisson(1) resampling weights.

    All three estimators are ratios of sums, so above *blocks* rows the rows are first summed
    into that many random blocks and the blocks are resampled: the same point estimates, a
    block bootstrap that matches the row bootstrap when blocks are many, and a million rows
    take well under a second instead of drawing 200 million Poisson weights.
    """
    n = len(next(iter(terms.values())))
    if n > blocks:
        block = rng.integers(0, blocks, n)
        terms = {name: np.bincount(block, weights=values, minlength=blocks) for name, values in terms.items()}
        n = blocks
    counts = rng.poisson(1.0, size=(n_boot, n)).astype(np.float64)
    return {name: counts @ values.astype(np.float64) for name, values in terms.items()}


def estimate_policy_value(reward: np.ndarray, propensity: np.ndarray, target_prob: np.ndarray, *,
                          q_logged: np.ndarray | None = None, q_target: np.ndarray | None = None,
                          max_weight: float | None = None, n_boot: int = 200, ci: float = 0.95,
                          seed: int = 42) -> dict[str, Estimate]:
    """IPS, SNIPS and (given an outcome model) doubly robust estimates with bootstrap CIs.

    Parameters
    ----------
    reward : ndarray of shape (n,)
        Logged outcome (1 = found work within the window).
    propensity : ndarray of shape (n,)
        Probability the logging policy took the logged action, in (0, 1].
    target_prob : ndarray of shape (n,)
        Probability the evaluated policy takes the logged action (0/1 for a deterministic policy).
    q_logged, q_target : ndarray of shape (n,), optional
        Outcome model: predicted reward of the logged action, and expected predicted reward
        under the evaluated policy. Both needed for DR.
    max_weight : float, optional
        Clip importance weights (trades bias for variance); None = unclipped.
    n_boot : int, default 200
    ci : float, default 0.95
    seed : int, default 42

    Returns
    -------
    dict of str to Estimate
        Keys ``ips``, ``snips`` and, with an outcome model, ``dr``.
    """
    y = np.asarray(reward, dtype=np.float64)
    p = np.asarray(propensity, dtype=np.float64)
    t = np.asarray(target_prob, dtype=np.float64)
    if not (len(y) == len(p) == len(t)) or len(y) == 0:
        raise OPEError(_LENGTHS.format(lengths=[len(y), len(p), len(t)]))
    bad = ~((p > 0) & (p <= 1))
    if bad.any():
        raise OPEError(_BAD_PROPENSITY.format(count=int(bad.sum()), low=float(np.nanmin(p)), high=float(np.nanmax(p))))
    w = t / p
    if max_weight is not None:
        w = np.minimum(w, max_weight)
    n = len(y)
    ess = float(w.sum() ** 2 / max((w * w).sum(), 1e-12))
    terms: dict[str, np.ndarray] = {"wy": w * y, "w": w, "one": np.ones(n)}
    point = {"ips": float((w * y).mean()), "snips": float((w * y).sum() / max(w.sum(), 1e-12))}
    if q_logged is not None and q_target is not None:
        dr_terms = np.asarray(q_target, dtype=np.float64) + w * (y - np.asarray(q_logged, dtype=np.float64))
        terms["dr"] = dr_terms
        point["dr"] = float(dr_terms.mean())
    sums = poisson_bootstrap(terms, n_boot, np.random.default_rng(seed))
    size = np.maximum(sums["one"], 1.0)
    boots = {"ips": sums["wy"] / size, "snips": sums["wy"] / np.maximum(sums["w"], 1e-12)}
    if "dr" in terms:
        boots["dr"] = sums["dr"] / size
    alpha = (1 - ci) / 2
    return {name: Estimate(name, point[name], float(np.quantile(boots[name], alpha)),
                           float(np.quantile(boots[name], 1 - alpha)), n, ess) for name in point}


def greedy_choice(uplift: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Action codes (0 = none, j + 1 = module j) of the top-1 policy: best eligible uplift."""
    idx, ok = top_k(uplift, eligible, 1)
    return np.where(ok[:, 0], idx[:, 0] + 1, 0).astype(np.int16)


def model_table(model: LoadedModel, data: SimulatedData, *, chunk: int = 100_000,
                 num_threads: int = 2) -> np.ndarray:
    """Predicted P(job) for (no advice, module 1..M): shape (n, M + 1), in chunks."""
    columns = [model.module_codes[CONTROL_ID], *(model.module_codes[m] for m in data.module_ids)]
    out = np.empty((data.n, len(columns)), dtype=np.float64)
    for start in range(0, data.n, chunk):
        stop = min(start + chunk, data.n)
        out[start:stop] = model.predict_all(data.features[start:stop], num_threads=num_threads)[:, columns]
    return out


def evaluate_on_simulation(model: LoadedModel, data: SimulatedData, *, n_boot: int = 200,
                           seed: int = 42) -> dict[str, Any]:
    """The model's top-1 policy on simulated logged data: estimates, their CIs and the true value."""
    table = model_table(model, data)
    chosen = greedy_choice(table[:, 1:] - table[:, :1], data.eligible)
    rows = np.arange(data.n)
    estimates = estimate_policy_value(data.outcome, data.propensity, (data.action == chosen).astype(np.float64),
                                      q_logged=table[rows, data.action], q_target=table[rows, chosen],
                                      n_boot=n_boot, seed=seed)
    uplift = np.where(chosen > 0, data.tau[rows, np.maximum(chosen - 1, 0)], 0.0)
    truth = float((data.p0 + uplift).mean())
    return {"estimates": {k: v.as_dict() for k, v in estimates.items()}, "true_value": truth,
            "covers_truth": {k: v.low <= truth <= v.high for k, v in estimates.items()},
            "logging_value": float(data.outcome.mean()), "synthetic": True}


def decision_groups(decision_id: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row -> decision index, and the first row of each decision (rows are sorted by decision)."""
    change = np.ones(len(decision_id), dtype=bool)
    change[1:] = decision_id[1:] != decision_id[:-1]
    group = np.cumsum(change) - 1
    return group, np.flatnonzero(change)


@dataclass(frozen=True)
class LoggedDecisions:
    """One row per logged decision, with what the logging policy was likely to do.

    ``shown_probability`` (decisions x modules) is the logged P(shown) of every module, NaN rows
    for old logs; ``shown`` the modules the decision gave (a rejected item was not given);
    ``top1_propensity`` the rank-1 propensity that old logs are evaluated with.
    """

    rows: SimulatedData
    top1_propensity: np.ndarray
    shown_probability: np.ndarray
    shown: np.ndarray

    def importance(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Importance weight ``1[match] / p`` of a top-1 target's choice, and the action its DR term corrects.

        New logs (a shown policy logged): the unit is "the target's module was shown", with the
        logged P(shown) of that module; the estimand is the outcome had that module been shown,
        the other modules as the logging policy shows them. A target choosing "no advice"
        matches a decision that showed nothing. A module the policy could not show (P = 0)
        never matches, so its value rests on the outcome model alone. Old logs: the unit is the
        rank-1 advice and its rebuilt rank-1 propensity.
        """
        n = self.rows.n
        new_log = np.isfinite(self.shown_probability).all(axis=1) if n else np.zeros(0, bool)
        column = np.maximum(chosen.astype(np.int64) - 1, 0)
        idx = np.arange(n)
        shown_any = self.shown.any(axis=1)
        matched_new = np.where(chosen > 0, self.shown[idx, column], ~shown_any)
        p_new = np.where(chosen > 0, np.nan_to_num(self.shown_probability[idx, column], nan=0.0), 1.0)
        weight_new = np.where(matched_new & (p_new > 0), 1.0 / np.maximum(p_new, 1e-12), 0.0)
        weight_old = (self.rows.action == chosen) / self.top1_propensity
        weight = np.where(new_log, weight_new, weight_old)
        corrected = np.where(new_log, chosen, self.rows.action).astype(np.int64)
        return weight, corrected


def decision_rows(logged: LoggedData, eligible: np.ndarray | None = None) -> LoggedDecisions:
    """One row per logged decision (its rank-1 advice) and the logging policy's probabilities.

    The modules each decision could show: *eligible* (decisions x modules) when given, else the
    eligibility rebuilt from the logged guardrails (``ExtractConfig.with_eligibility``), else the
    modules the decision did show.
    """
    group, first = decision_groups(logged.decision_id)
    n_dec, m = len(first), len(logged.module_ids)
    shown = np.zeros((n_dec, m), dtype=bool)
    given = logged.action > 0
    shown[group[given], logged.action[given] - 1] = True
    if eligible is None and logged.eligible is not None:
        eligible = logged.eligible[first]
    if eligible is None:
        eligible = shown.copy()
    head = logged.as_training_data()
    rows = SimulatedData(head.scenario, 0, head.module_ids, logged.features[first], eligible,
                         logged.action[first], logged.propensity[first], logged.outcome[first],
                         head.p0[first], np.broadcast_to(np.float32(np.nan), (n_dec, m)), {}, False)
    top1 = np.clip(np.nan_to_num(logged.top1_propensity[first], nan=1.0), 1e-6, 1.0)
    probability = (logged.shown_probability[first] if logged.shown_probability is not None
                   else np.full((n_dec, m), np.nan, dtype=np.float32))
    return LoggedDecisions(rows, top1, probability, shown)


def evaluate_on_logs(model: LoadedModel, logged: LoggedData, *, eligible: np.ndarray | None = None,
                     n_boot: int = 200, seed: int = 42) -> dict[str, Estimate]:
    """Top-1 policy value of *model* on logged decisions (:meth:`LoggedDecisions.importance`).

    The candidate chooses among the modules the decision could show (:func:`decision_rows`).
    """
    decisions = decision_rows(logged, eligible)
    head_rows = decisions.rows
    table = model_table(model, head_rows)
    chosen = greedy_choice(table[:, 1:] - table[:, :1], head_rows.eligible)
    return estimate_logged_policy(decisions, chosen, table, n_boot=n_boot, seed=seed)


def estimate_logged_policy(decisions: LoggedDecisions, chosen: np.ndarray, table: np.ndarray, *,
                           n_boot: int = 200, seed: int = 42) -> dict[str, Estimate]:
    """IPS, SNIPS and DR of the top-1 choices *chosen* on logged decisions, outcome model *table*."""
    weight, corrected = decisions.importance(chosen)
    rows = np.arange(decisions.rows.n)
    return estimate_policy_value(decisions.rows.outcome, np.ones(len(weight)), weight,
                                 q_logged=table[rows, corrected], q_target=table[rows, chosen],
                                 n_boot=n_boot, seed=seed)


def compare(candidate: dict[str, Estimate], active: dict[str, Estimate], *, estimator: str = "dr") -> dict[str, Any]:
    """Is the candidate not worse than the active model beyond the CI? (the promotion gate, G16)

    "Not worse beyond the CI" means the candidate's upper bound reaches the active model's
    point estimate: only a candidate that is clearly worse fails.
    """
    name = estimator if estimator in candidate and estimator in active else "snips"
    c, a = candidate[name], active[name]
    return {"estimator": name, "candidate": c.as_dict(), "active": a.as_dict(), "difference": c.value - a.value,
            "not_worse": bool(c.high >= a.value)}


def exploration_report(logged: LoggedData) -> dict[str, Any]:
    """How much of the training data came from the exploration slice (feedback-loop check, G16)."""
    share = logged.exploration_share()
    return {"rows": logged.n, "exploration_rows": int(logged.exploration.sum()), "exploration_share": share,
            "warning": share < 0.05}
