"""Fairness audit per voluntarily reported protected group (G6), with fairlearn ``MetricFrame``.

What is compared between groups, and why:

- *exposure* of each advice module: the share of people in the group whom the audited model
  puts in its top :data:`RANKED_TOP_K` (computed from the candidate's own rankings, so every
  model gets its own audit). For the costly, funded modules (those needing a counsellor's
  approval, e.g. a training voucher) a gap means one group is steered away from public money;
- *eligibility* and *exposure if eligible*: a module the rules do not allow for a person (a
  German course for a German citizen) is a need-based difference, not a ranking difference.
  With eligibility known, alerts are raised only on exposure among the eligible (the ranking);
  eligibility differences are reported beside it, without an alert;
- *acceptance*: the share of review items a counsellor approved or edited (G8);
- *outcome rate*: the share who found work within the outcome window;
- *calibration*: mean predicted minus observed job-finding rate: a model that is too
  pessimistic for one group would rank its advice differently.

Each figure gets a bootstrap confidence interval (``MetricFrame(n_boot=..., ci_quantiles=...)``),
and so do the between-group difference and ratio. Groups with fewer than
:data:`MIN_GROUP_SIZE` people are suppressed (not shown, not used): small groups re-identify
people and their rates are noise. A ratio below :data:`ALERT_RATIO` (the "four-fifths" line)
raises an *alert* for a human to look into, in a written report - it is not a pass/fail verdict.

The audit runs offline and reads protected attributes only from the separate audit store
(G3), joined by case pseudonym in memory; nothing is written back.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame

from data.catalogue import Catalogue
from models.audit_store import create_audit_schema, make_audit_engine, read_audit_attributes
from models.errors import InvalidError
from recommender.decide.ranker import LoadedModel
from recommender.errors import RecommenderError
from recommender.evaluate.ope import decision_groups, decision_rows, model_table
from recommender.evaluate.true_uplift import top_k
from recommender.learn.provenance import SIMULATED, data_source
from recommender.learn.training_data import LoggedData
from recommender.simulate.population import SimulatedData

MIN_GROUP_SIZE = 20
RANKED_TOP_K = 5  # exposure = in the audited model's top 5 among the eligible modules
ALERT_RATIO = 0.8
CALIBRATION_ALERT = 0.05  # |predicted - observed| gap between groups, probability points
BLOCKS = 250  # random blocks per group that MetricFrame sums over (see _metric_frame)
MIN_EXPOSURE = 0.01  # modules shown to fewer than 1 % overall are listed but not alerted on
CI_QUANTILES = (0.025, 0.975)
ATTRIBUTES = ("gender", "age_band", "nationality_group", "disability")
_NO_ATTRIBUTES = "no protected attributes to audit: the audit store holds no reports for these {people} people"
_LENGTH = "audit frame columns differ in length: {lengths}"


class FairnessError(RecommenderError, InvalidError):
    """An audit that cannot be run on the data given (the message says why)."""


@dataclass
class AuditData:
    """One row per person: protected groups, what they were shown, reviews, outcome, prediction."""

    groups: pd.DataFrame  # columns from ATTRIBUTES, NaN = not reported
    module_ids: list[str]
    exposure: np.ndarray  # (n, M) bool: shown this module
    outcome: np.ndarray  # (n,) 0/1
    predicted: np.ndarray | None = None  # (n,) model's P(job) for what was shown
    reviewed: np.ndarray | None = None  # (n,) number of review items decided by a counsellor
    accepted: np.ndarray | None = None  # (n,) of those, approved or edited
    funded: frozenset[str] = frozenset()  # modules needing approval (costly, funded)
    synthetic: bool = False
    eligible: np.ndarray | None = None  # (n, M) bool: the rules allow this module for the person

    def __post_init__(self) -> None:
        lengths = {len(self.groups), len(self.exposure), len(self.outcome)}
        if len(lengths) != 1:
            raise FairnessError(_LENGTH.format(lengths=sorted(lengths)))


@dataclass
class AttributeAudit:
    attribute: str
    groups: dict[str, int]  # group -> people (only groups shown)
    suppressed: list[str]
    metrics: dict[str, dict[str, Any]]  # metric -> {by_group, ci, difference, ratio, ...}
    alerts: list[dict[str, Any]] = field(default_factory=list)




def _ratio_of_sums(y_true: np.ndarray, y_pred: np.ndarray, num: np.ndarray, den: np.ndarray) -> float:
    total = float(np.sum(den))
    return float(np.sum(num)) / total if total > 0 else float("nan")


def _metric_columns(data: AuditData, rows: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Every audited metric as (numerator, denominator) per person: all are ratios of group sums."""
    names: list[str] = ["outcome_rate"]
    ones = np.ones(len(rows))
    nums: list[np.ndarray] = [data.outcome[rows].astype(np.float64)]
    dens: list[np.ndarray] = [ones]
    overall = data.exposure.mean(axis=0)
    for j, module in enumerate(data.module_ids):
        if overall[j] > 0:
            names.append(f"exposure:{module}")
            nums.append(data.exposure[rows, j].astype(np.float64))
            dens.append(ones)
        if data.eligible is not None:
            eligible = data.eligible[rows, j].astype(np.float64)
            names += [f"eligible:{module}", f"exposure_if_eligible:{module}"]
            nums += [eligible, (data.exposure[rows, j] & data.eligible[rows, j]).astype(np.float64)]
            dens += [ones, eligible]
    if data.predicted is not None:
        names.append("calibration_gap")
        nums.append(data.predicted[rows].astype(np.float64) - data.outcome[rows])
        dens.append(ones)
    if data.reviewed is not None and data.accepted is not None and data.reviewed.sum() > 0:
        names.append("acceptance")
        nums.append(data.accepted[rows].astype(np.float64))
        dens.append(data.reviewed[rows].astype(np.float64))
    return names, np.column_stack(nums), np.column_stack(dens)


def _metric_frame(names: list[str], num: np.ndarray, den: np.ndarray, labels: np.ndarray, seed: int,
                  blocks: int = BLOCKS) -> MetricFrame:
    """fairlearn ``MetricFrame`` over per-group blocks of summed numerators and denominators.

    Every metric is a ratio of sums within a group, so summing people into random blocks first
    gives exactly the per-person figures while MetricFrame handles a few hundred rows instead
    of 100,000 (it costs about 1 s per metric per 100k rows).
    """
    rng = np.random.default_rng(seed)
    levels, group = np.unique(labels, return_inverse=True)
    cell = group * blocks + rng.integers(0, blocks, len(labels))
    used = np.unique(cell)
    index = np.searchsorted(used, cell)
    num_b = np.zeros((len(used), num.shape[1]))
    den_b = np.zeros((len(used), den.shape[1]))
    np.add.at(num_b, index, num)
    np.add.at(den_b, index, den)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MetricFrame(metrics={name: _ratio_of_sums for name in names}, y_true=np.zeros(len(used)),
                           y_pred=np.zeros(len(used)), sensitive_features=levels[used // blocks],
                           sample_params={name: {"num": num_b[:, k], "den": den_b[:, k]}
                                          for k, name in enumerate(names)})


def _bootstrap(num: np.ndarray, den: np.ndarray, labels: np.ndarray, levels: list[str], n_boot: int,
               seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Poisson bootstrap of every metric per group: (n_boot, groups, metrics), plus difference and ratio.

    One resampling weight per person and replicate, shared by all metrics, vectorised as
    matrix products (fairlearn's own ``n_boot`` rebuilds a MetricFrame per replicate, which for
    30 metrics x 100 replicates x 4 attributes would take minutes).
    """
    rng = np.random.default_rng(seed)
    values = np.empty((n_boot, len(levels), num.shape[1]))
    for g, level in enumerate(levels):
        rows = np.flatnonzero(labels == level)
        weights = rng.poisson(1.0, size=(n_boot, len(rows))).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            values[:, g, :] = (weights @ num[rows]) / (weights @ den[rows])
    # A module nobody in a group is eligible for has no rate there (NaN), in every replicate.
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        difference = np.nanmax(values, axis=1) - np.nanmin(values, axis=1)
        ratio = np.nanmin(values, axis=1) / np.nanmax(values, axis=1)
    return values, difference, ratio


def _interval(samples: np.ndarray) -> list[float | None]:
    finite = samples[np.isfinite(samples)]
    if not len(finite):
        return [None, None]
    return [_num(np.quantile(finite, CI_QUANTILES[0])), _num(np.quantile(finite, CI_QUANTILES[1]))]


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if np.isnan(number) else round(number, 6)


def audit_attribute(data: AuditData, attribute: str, *, n_boot: int = 200, seed: int = 42) -> AttributeAudit | None:
    """Every metric by group of one protected attribute; None if the attribute was never reported."""
    labels = data.groups[attribute] if attribute in data.groups else pd.Series(dtype=object)
    labels = labels.astype(object).where(labels.notna(), None)
    counts = labels.dropna().value_counts()
    shown = {str(g): int(c) for g, c in sorted(counts.items()) if c >= MIN_GROUP_SIZE}
    suppressed = sorted(str(g) for g, c in counts.items() if c < MIN_GROUP_SIZE)
    if len(shown) < 2:
        return AttributeAudit(attribute, shown, suppressed, {}, []) if shown or suppressed else None
    rows = np.flatnonzero(labels.isin(list(shown)).to_numpy())
    group_labels = labels.iloc[rows].astype(str).to_numpy()
    names, num, den = _metric_columns(data, rows)
    frame = _metric_frame(names, num, den, group_labels, seed)
    by_group, difference, ratio = frame.by_group, frame.difference(), frame.ratio()
    levels = list(shown)
    values, diff_boot, ratio_boot = _bootstrap(num, den, group_labels, levels, n_boot, seed)
    overall_exposure = dict(zip(data.module_ids, data.exposure.mean(axis=0), strict=True))
    overall_if_eligible = {} if data.eligible is None else dict(zip(data.module_ids, (
        (data.exposure & data.eligible).sum(axis=0) / np.maximum(data.eligible.sum(axis=0), 1)), strict=True))
    out: dict[str, dict[str, Any]] = {}
    alerts = []
    for k, name in enumerate(names):
        entry: dict[str, Any] = {
            "by_group": {g: _num(by_group[name][g]) for g in levels},
            "ci": {g: _interval(values[:, i, k]) for i, g in enumerate(levels)},
            "difference": _num(difference[name]),
            "difference_ci": _interval(diff_boot[:, k]),
            "ratio": _num(ratio[name]),
            "ratio_ci": _interval(ratio_boot[:, k]),
        }
        kind, _, module = name.partition(":")
        if kind == "exposure":
            entry["funded"] = module in data.funded
            entry["overall"] = _num(overall_exposure[module])
        if kind == "exposure_if_eligible":
            entry["funded"] = module in data.funded
            entry["overall"] = _num(overall_if_eligible[module])
        out[name] = entry
        need_based = kind == "eligible" or (kind == "exposure" and data.eligible is not None)
        alert = None if need_based else _alert(name, entry)
        if alert:
            alerts.append({"attribute": attribute, "metric": name, **alert})
    return AttributeAudit(attribute, shown, suppressed, out, alerts)


def _alert(name: str, entry: dict[str, Any]) -> dict[str, Any] | None:
    if name == "calibration_gap":
        gap = entry["difference"]
        if gap is not None and gap > CALIBRATION_ALERT:
            return {"kind": "calibration", "difference": gap, "line": CALIBRATION_ALERT}
        return None
    if name.startswith("exposure") and (entry.get("overall") or 0) < MIN_EXPOSURE:
        return None
    ratio = entry["ratio"]
    if ratio is None or ratio >= ALERT_RATIO:
        return None
    upper = entry["ratio_ci"][1]
    return {"kind": "ratio", "ratio": ratio, "ratio_ci": entry["ratio_ci"], "line": ALERT_RATIO,
            "funded": bool(entry.get("funded")), "clear": upper is not None and upper < ALERT_RATIO,
            "lowest_group": min(entry["by_group"], key=lambda g: entry["by_group"][g] if entry["by_group"][g]
                                is not None else np.inf)}


def run_audit(data: AuditData, *, attributes: tuple[str, ...] = ATTRIBUTES, n_boot: int = 200,
              seed: int = 42) -> dict[str, Any]:
    """The whole fairness audit as a JSON-ready dict (``alerts`` lists every ratio below the line).

    Parameters
    ----------
    data : AuditData
    attributes : tuple of str
        Protected attributes to audit (missing ones are skipped).
    n_boot : int, default 200
        Bootstrap resamples for every confidence interval.
    seed : int, default 42

    Returns
    -------
    dict
    """
    reported = [a for a in attributes if a in data.groups and data.groups[a].notna().any()]
    if not reported:
        raise FairnessError(_NO_ATTRIBUTES.format(people=len(data.groups)))
    results = {}
    alerts: list[dict[str, Any]] = []
    for attribute in reported:
        audit = audit_attribute(data, attribute, n_boot=n_boot, seed=seed)
        if audit is None:
            continue
        results[attribute] = {"groups": audit.groups, "suppressed": audit.suppressed, "metrics": audit.metrics}
        alerts.extend(audit.alerts)
    return {
        "people": int(len(data.groups)),
        "people_with_report": int(data.groups[list(reported)].notna().any(axis=1).sum()),
        "top_k": RANKED_TOP_K if data.eligible is not None else None,
        "synthetic": data.synthetic,
        "min_group_size": MIN_GROUP_SIZE,
        "alert_ratio": ALERT_RATIO,
        "n_boot": n_boot,
        "ci_quantiles": list(CI_QUANTILES),
        "attributes": results,
        "alerts": alerts,
        "note": ("A ratio below 0.8 is an alert for a human review, not a verdict; groups under "
                 f"{MIN_GROUP_SIZE} people are suppressed."),
    }


def funded_modules(catalogue: Catalogue) -> frozenset[str]:
    return frozenset(m.id for m in catalogue.modules if m.needs_counsellor_approval)


def ranked_exposure(model: LoadedModel, rows: SimulatedData, k: int = RANKED_TOP_K) -> np.ndarray:
    """(n, M) bool: the module is in *model*'s top *k* among the modules eligible for the row."""
    table = model_table(model, rows)
    idx, ok = top_k(table[:, 1:] - table[:, :1], rows.eligible, k)
    exposure = np.zeros(rows.eligible.shape, dtype=bool)
    exposure[np.repeat(np.arange(rows.n), idx.shape[1])[ok.ravel()], idx.ravel()[ok.ravel()]] = True
    return exposure


def audit_data_from_model(model: LoadedModel, data: SimulatedData, *, catalogue: Catalogue | None = None,
                          predicted: np.ndarray | None = None) -> AuditData:
    """Audit frame of simulated people ranked by *model* (SYNTHETIC): its top-k, their eligibility."""
    return replace(audit_data_from_simulation(data, catalogue=catalogue, predicted=predicted),
                   exposure=ranked_exposure(model, data), eligible=np.asarray(data.eligible, dtype=bool))


def audit_data_from_simulation(data: SimulatedData, *, catalogue: Catalogue | None = None,
                               predicted: np.ndarray | None = None) -> AuditData:
    """Audit frame of simulated people: their one logged action is their exposure (SYNTHETIC)."""
    m = len(data.module_ids)
    exposure = np.zeros((data.n, m), dtype=bool)
    treated = data.action > 0
    exposure[np.flatnonzero(treated), data.action[treated] - 1] = True
    groups = pd.DataFrame({
        "gender": data.protected.get("gender"), "age_band": data.protected.get("age_band"),
        "nationality_group": data.protected.get("citizenship_group"),
    })
    return AuditData(groups, list(data.module_ids), exposure, data.outcome.astype(np.int8), predicted,
                     funded=funded_modules(catalogue) if catalogue else frozenset(), synthetic=True)


def audit_data_from_logs(logged: LoggedData, attributes: dict[str, dict[str, str]], *,
                         funded: frozenset[str] = frozenset(), predicted: np.ndarray | None = None,
                         model: LoadedModel | None = None) -> AuditData:
    """Per-person audit frame from logged rows plus audit-store reports keyed by pseudonym.

    With *model*, a person is exposed to a module if the model ranks it in its top-k for any of
    their decisions, among the modules the logged guardrails allowed (needs
    ``ExtractConfig.with_eligibility``); without, if any of their decisions showed it. Their
    outcome is whether any decision's window saw a job found; acceptance counts their review items.
    """
    people, person = np.unique(logged.pseudonym.astype(str), return_inverse=True)
    n, m = len(people), len(logged.module_ids)
    exposure = np.zeros((n, m), dtype=bool)
    shown = logged.action > 0
    exposure[person[shown], logged.action[shown] - 1] = True
    outcome = np.zeros(n, dtype=np.int8)
    np.maximum.at(outcome, person, logged.outcome)
    decided = np.isin(logged.review_state.astype(str), ["approved", "edited", "rejected"])
    accepted_rows = np.isin(logged.review_state.astype(str), ["approved", "edited"])
    reviewed = np.bincount(person, weights=decided, minlength=n)
    accepted = np.bincount(person, weights=accepted_rows, minlength=n)
    per_person_pred = None
    if predicted is not None:
        per_person_pred = np.bincount(person, weights=predicted, minlength=n) / np.maximum(
            np.bincount(person, minlength=n), 1)
    groups = pd.DataFrame([{a: attributes.get(p, {}).get(a) for a in ATTRIBUTES} for p in people],
                          columns=list(ATTRIBUTES))
    eligible = None
    if model is not None:
        rows = decision_rows(logged).rows
        first_person = person[decision_groups(logged.decision_id)[1]]
        exposure, eligible = np.zeros((n, m), dtype=bool), np.zeros((n, m), dtype=bool)
        np.logical_or.at(exposure, first_person, ranked_exposure(model, rows))
        np.logical_or.at(eligible, first_person, np.asarray(rows.eligible, dtype=bool))
    return AuditData(groups, list(logged.module_ids), exposure, outcome, per_person_pred, reviewed, accepted,
                     funded=funded, synthetic=data_source(logged) == SIMULATED, eligible=eligible)


def load_audit_reports(audit_database_url: str, pseudonyms: set[str], *, app_database_url: str | None = None
                       ) -> dict[str, dict[str, str]]:
    """Voluntary reports from the separate audit store for these pseudonyms (offline audits only, G3)."""
    engine = make_audit_engine(audit_database_url, app_url=app_database_url)
    try:
        create_audit_schema(engine)
        return read_audit_attributes(engine, pseudonyms=pseudonyms)
    finally:
        engine.dispose()
