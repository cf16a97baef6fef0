"""Evaluation on held-out simulated data where the truth is known.

Policy value is measured in *true uplift*: the mean true increase of the chance of finding work
within 6 months that the k modules a policy picks would bring (the oracle's ``tau``), averaged
over people. Measuring the share of the oracle on uplift, not on the absolute job-finding
probability, keeps the baseline chance (which no advice changes) from flattering the figure.

Also reported: random, most-popular and rules baselines; off-policy estimates (IPS, SNIPS,
doubly robust) of the learned top-1 policy from the logged data, with bootstrap confidence
intervals and their error against the true value; NDCG@5 against the oracle's ranking; outcome
AUC and calibration (Brier score, reliability curve). An outcome AUC above 0.9 is flagged as
probable leakage: a 6-month job-finding outcome is not that predictable from a profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

from recommender.decide.baselines import rule_scores
from recommender.decide.ranker import LoadedModel
from recommender.simulate.population import SimulatedData

LEAKAGE_AUC = 0.9
KS = (1, 3, 5)


@dataclass(frozen=True)
class Targets:
    share_of_oracle: float = 0.95
    vs_rules: float = 1.2
    k: int = 3


def predicted_uplift(model: LoadedModel, data: SimulatedData, *, chunk: int = 50_000) -> tuple[np.ndarray, np.ndarray]:
    """Predicted P(job | module) for all modules and for no advice: ``(p_modules (n, M), p_none (n,))``."""
    n, m = data.eligible.shape
    codes = np.array([model.module_codes[module_id] for module_id in data.module_ids])
    control = model.module_codes["none"]
    p_mod = np.empty((n, m), dtype=np.float32)
    p_none = np.empty(n, dtype=np.float32)
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        probs = model.predict_all(data.features[start:stop])
        p_none[start:stop] = probs[:, control]
        p_mod[start:stop] = probs[:, codes]
    return p_mod, p_none


def top_k(scores: np.ndarray, eligible: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the k best eligible modules per person, and which of them are real (eligible)."""
    masked = np.where(eligible, scores, -np.inf)
    k = min(k, scores.shape[1])
    idx = np.argpartition(-masked, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(masked, idx, 1), axis=1)
    idx = np.take_along_axis(idx, order, 1)
    return idx, np.take_along_axis(eligible, idx, 1)


def policy_value(scores: np.ndarray, data: SimulatedData, k: int) -> float:
    """Mean true uplift of the k modules the scores pick (people with no eligible module count 0)."""
    idx, ok = top_k(scores, data.eligible, k)
    tau = np.take_along_axis(data.tau, idx, 1)
    per_person = np.where(ok, tau, 0.0).sum(axis=1) / np.maximum(ok.sum(axis=1), 1)
    return float(per_person.mean())


def ndcg_at(scores: np.ndarray, data: SimulatedData, k: int = 5) -> float:
    """NDCG@k of the ranking against the oracle, gains = true uplift shifted to be non-negative."""
    gains = np.where(
        data.eligible, data.tau - np.where(data.eligible, data.tau, np.inf).min(axis=1, keepdims=True), 0.0
    )
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    idx, ok = top_k(scores, data.eligible, k)
    dcg = (np.where(ok, np.take_along_axis(gains, idx, 1), 0.0) * discount[: idx.shape[1]]).sum(axis=1)
    best_idx, best_ok = top_k(data.tau, data.eligible, k)
    idcg = (np.where(best_ok, np.take_along_axis(gains, best_idx, 1), 0.0) * discount[: idx.shape[1]]).sum(axis=1)
    valid = idcg > 0
    return float((dcg[valid] / idcg[valid]).mean()) if valid.any() else float("nan")


def _bootstrap(values: np.ndarray, rng: np.random.Generator, n_boot: int, stat: Any = np.mean) -> tuple[float, float]:
    n = len(values)
    stats = np.array([stat(values[rng.integers(0, n, n)]) for _ in range(n_boot)])
    return float(np.quantile(stats, 0.025)), float(np.quantile(stats, 0.975))


def off_policy(
    data: SimulatedData,
    chosen: np.ndarray,
    q_chosen: np.ndarray,
    q_logged: np.ndarray,
    *,
    n_boot: int,
    rng: np.random.Generator,
) -> dict[str, Any]:
    """IPS, SNIPS and doubly robust estimates of a deterministic policy's value (P(job)).

    ``chosen`` are action codes (0 = none) the policy picks; ``q_*`` the model's predicted
    outcome for the chosen and the logged action.
    """
    match = (data.action == chosen).astype(np.float64)
    w = match / data.propensity.astype(np.float64)
    y = data.outcome.astype(np.float64)
    ips_terms = w * y
    dr_terms = q_chosen + w * (y - q_logged)
    true_uplift = np.where(chosen > 0, data.tau[np.arange(data.n), np.maximum(chosen - 1, 0)], 0.0)
    truth = float((data.p0 + true_uplift).mean())
    snips = float(ips_terms.sum() / max(w.sum(), 1e-12))
    out: dict[str, Any] = {"true_value": truth}
    for name, terms in (("ips", ips_terms), ("dr", dr_terms)):
        estimate = float(terms.mean())
        low, high = _bootstrap(terms, rng, n_boot)
        out[name] = {
            "estimate": estimate,
            "ci95": [low, high],
            "error": estimate - truth,
            "covers_truth": low <= truth <= high,
        }
    out["snips"] = {"estimate": snips, "error": snips - truth}
    return out


def reliability(p: np.ndarray, y: np.ndarray, bins: int = 10) -> dict[str, list[float]]:
    edges = np.quantile(p, np.linspace(0, 1, bins + 1))
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    mean_p = [float(p[which == b].mean()) for b in range(bins) if (which == b).any()]
    mean_y = [float(y[which == b].mean()) for b in range(bins) if (which == b).any()]
    return {"predicted": mean_p, "observed": mean_y}


def evaluate_model(
    model: LoadedModel,
    test: SimulatedData,
    *,
    popularity: np.ndarray | None = None,
    n_boot: int = 200,
    seed: int = 42,
    targets: Targets | None = None,
) -> dict[str, Any]:
    """All evaluation figures for one model on held-out simulated data (JSON-ready dict).

    Parameters
    ----------
    model : LoadedModel
    test : SimulatedData
        Held-out people (never used in training), with the oracle.
    popularity : ndarray of shape (M,), optional
        How often each module was logged in the training data ("most popular" baseline).
    n_boot : int, default 200
        Bootstrap resamples for the off-policy confidence intervals.
    seed : int, default 42
    targets : Targets, optional

    Returns
    -------
    dict
    """
    targets = targets or Targets()
    rng = np.random.default_rng(seed)
    p_mod, p_none = predicted_uplift(model, test)
    learned = p_mod - p_none[:, None]
    n, m = test.eligible.shape
    tie = rng.random((n, m)) * 1e-6
    rules = rule_scores(test.feature_dict(), test.module_ids) + tie
    random_scores = rng.random((n, m))
    pop = (popularity if popularity is not None else test.eligible.sum(axis=0)).astype(np.float64)
    popular = np.broadcast_to(pop, (n, m)) + tie
    policies = {
        "oracle": test.tau,
        "learned": learned,
        "rules": rules,
        "most_popular": popular,
        "random": random_scores,
    }
    values: dict[str, dict[str, float]] = {}
    for k in KS:
        values[f"top{k}"] = {name: policy_value(scores, test, k) for name, scores in policies.items()}
    head = values[f"top{targets.k}"]
    share = head["learned"] / head["oracle"] if head["oracle"] > 0 else float("nan")
    vs_rules = head["learned"] / head["rules"] if head["rules"] > 0 else float("inf")
    ceiling = None
    if test.tau_structural is not None and head["oracle"] > 0:
        # The best any learner can reach from the profile: effects without person-level noise.
        ceiling = policy_value(test.tau_structural, test, targets.k) / head["oracle"]

    best_idx, best_ok = top_k(learned, test.eligible, 1)
    chosen = np.where(best_ok[:, 0], best_idx[:, 0] + 1, 0).astype(np.int16)
    all_p = np.column_stack([p_none, p_mod])
    q_chosen = all_p[np.arange(n), chosen].astype(np.float64)
    q_logged = all_p[np.arange(n), test.action].astype(np.float64)
    ope = off_policy(test, chosen, q_chosen, q_logged, n_boot=n_boot, rng=rng)

    y = test.outcome.astype(np.float64)
    auc = float(roc_auc_score(y, q_logged)) if 0 < y.mean() < 1 else float("nan")
    result: dict[str, Any] = {
        "synthetic": True,
        "scenario": test.scenario,
        "test_rows": n,
        "k": targets.k,
        "policy_value_uplift": values,
        "share_of_oracle": share,
        "uplift_vs_rules": vs_rules,
        "ceiling_share": ceiling,
        "ndcg5": {name: ndcg_at(scores, test, 5) for name, scores in policies.items() if name != "oracle"},
        "off_policy_top1": ope,
        "outcome_auc": auc,
        "probable_leakage": bool(auc > LEAKAGE_AUC),
        "brier": float(brier_score_loss(y, q_logged)),
        "reliability": reliability(q_logged, y),
        "targets": {
            "share_of_oracle": targets.share_of_oracle,
            "vs_rules": targets.vs_rules,
            "share_met": bool(share >= targets.share_of_oracle),
            "vs_rules_met": bool(vs_rules >= targets.vs_rules),
        },
    }
    return result
