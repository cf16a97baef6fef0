"""A candidate judged on logged decisions it never saw: paired differences, calibration, uplift curve.

Why paired: the candidate, the active model, the rules baseline and the logging policy are all
evaluated on the same decisions, so their difference has a much narrower interval than two
separate intervals suggest; the gate reads the interval of the *difference* (candidate - active
must have a lower bound of at least minus a stated margin, ``recommender.evaluate.gates``).
Every bootstrap replicate resamples decisions once and recomputes all four values from the same
resample.

Estimator: doubly robust (DR) per decision, ``q(x, pi) + 1[match] / p * (y - q(x, a))``: on
decisions that logged their shown policy, "match" is "the policy's module was shown" with the
logged P(shown) of that module; on old logs, the rank-1 advice with its rebuilt rank-1
propensity (``recommender.evaluate.ope.LoggedDecisions``). Each model's own predictions are ``q``; the rules
baseline uses the candidate's predictions as its outcome model, the logging policy is the mean
logged outcome. Values are P(job within the outcome window); differences are in the same unit
(0.01 = one percentage point).

Calibration and the uplift (Qini-style) curve are computed on the same held-out decisions: the
curve orders decisions by the candidate's predicted uplift of its top-1 advice and accumulates
the DR estimate of that advice's gain over no advice. Where the log never withheld advice at
random, that gain rests on the outcome model alone; the exploration share says how much.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from pydantic import BaseModel

from recommender.decide.baselines import rule_scores
from recommender.decide.ranker import LoadedModel
from recommender.evaluate.ope import LoggedDecisions, decision_rows, greedy_choice, model_table, poisson_bootstrap
from recommender.evaluate.true_uplift import reliability
from recommender.learn.provenance import data_hash, data_source
from recommender.learn.training_data import LoggedData

CANDIDATE, ACTIVE, RULES, LOGGING = "candidate", "active", "rules baseline", "logging policy"


class PolicyValue(BaseModel):
    """One policy's DR value on the evaluation decisions, with its 95 % bootstrap interval."""

    policy: str
    value: float
    low: float
    high: float


class PairedDifference(BaseModel):
    """Candidate minus *baseline* on the same decisions (P(job) points; 0.01 = 1 point), 95 % CI."""

    baseline: str
    value: float
    low: float
    high: float


class UpliftCurve(BaseModel):
    """Cumulative estimated gain (people) when advising the top share first, and its Qini area.

    ``qini`` is the area between the model's curve and the random-order line, divided by the
    number of decisions: the mean extra job-finding probability per decision from ordering by
    the model (0.01 = one point).
    """

    share: list[float]
    model: list[float]
    random: list[float]
    qini: float


class LoggedEvaluation(BaseModel):
    """``lotse evaluate --candidate V``: everything the policy-value gate and the report cite."""

    candidate: str
    against: str
    data_source: str  # "real log" or "simulated"
    data_hash: str
    decisions: int
    evaluated_from: datetime | None
    held_out: bool
    held_out_note: str
    exploration_share: float
    values: list[PolicyValue]
    differences: list[PairedDifference]
    calibration: dict[str, list[float]]
    uplift_curve: UpliftCurve

    def difference(self, baseline: str) -> PairedDifference:
        return next(d for d in self.differences if d.baseline == baseline)


def _dr(table: np.ndarray, chosen: np.ndarray, decisions: LoggedDecisions, outcome: np.ndarray) -> np.ndarray:
    rows = np.arange(len(chosen))
    weight, corrected = decisions.importance(chosen)
    return table[rows, chosen] + weight * (outcome - table[rows, corrected])


def _curve(order_score: np.ndarray, gain: np.ndarray, points: int = 200) -> UpliftCurve:
    n = len(gain)
    order = np.argsort(-order_score, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(gain[order])])
    share = np.linspace(0, 1, n + 1)
    random_line = share * gain.sum()
    qini = float(np.trapezoid(cumulative - random_line, share) / max(n, 1))
    pick = np.unique(np.linspace(0, n, min(points, n + 1)).round().astype(int))
    return UpliftCurve(share=share[pick].round(4).tolist(), model=cumulative[pick].round(3).tolist(),
                       random=random_line[pick].round(3).tolist(), qini=qini)


def compare_on_logs(candidate: LoadedModel, active: LoadedModel, logged: LoggedData, *, held_out: bool,
                    held_out_note: str, evaluated_from: datetime | None = None, n_boot: int = 200,
                    seed: int = 42) -> LoggedEvaluation:
    """Candidate vs active, rules baseline and logging policy on *logged* (ideally held-out) decisions."""
    decisions = decision_rows(logged)
    rows, outcome = decisions.rows, decisions.rows.outcome.astype(np.float64)
    table_c, table_a = model_table(candidate, rows), model_table(active, rows)
    uplift_c = table_c[:, 1:] - table_c[:, :1]
    chosen_c = greedy_choice(uplift_c, rows.eligible)
    chosen_a = greedy_choice(table_a[:, 1:] - table_a[:, :1], rows.eligible)
    chosen_r = greedy_choice(rule_scores(rows.feature_dict(), rows.module_ids), rows.eligible)
    terms = {CANDIDATE: _dr(table_c, chosen_c, decisions, outcome),
             ACTIVE: _dr(table_a, chosen_a, decisions, outcome),
             RULES: _dr(table_c, chosen_r, decisions, outcome),
             LOGGING: outcome}
    none = _dr(table_c, np.zeros_like(chosen_c), decisions, outcome)
    sums = poisson_bootstrap({**terms, "one": np.ones(rows.n)}, n_boot, np.random.default_rng(seed))
    size = np.maximum(sums["one"], 1.0)

    def interval(boots: np.ndarray) -> tuple[float, float]:
        return float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))

    values = [PolicyValue(policy=name, value=float(t.mean()), low=interval(sums[name] / size)[0],
                          high=interval(sums[name] / size)[1]) for name, t in terms.items()]
    differences = []
    for baseline in (ACTIVE, RULES, LOGGING):
        low, high = interval((sums[CANDIDATE] - sums[baseline]) / size)
        differences.append(PairedDifference(baseline=baseline, value=float((terms[CANDIDATE] - terms[baseline]).mean()),
                                            low=low, high=high))
    best = uplift_c[np.arange(rows.n), np.maximum(chosen_c - 1, 0)]
    return LoggedEvaluation(
        candidate=candidate.version, against=active.version, data_source=data_source(logged),
        data_hash=data_hash(logged), decisions=rows.n, evaluated_from=evaluated_from, held_out=held_out,
        held_out_note=held_out_note, exploration_share=logged.exploration_share(), values=values,
        differences=differences,
        calibration=reliability(table_c[np.arange(rows.n), rows.action.astype(np.int64)], outcome),
        uplift_curve=_curve(np.where(chosen_c > 0, best, -np.inf), terms[CANDIDATE] - none))
