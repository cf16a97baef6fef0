"""Drift of the model's inputs and of its outcomes, as aggregates over the decision log.

Why: a model trained on last year's caseload can quietly stop fitting this year's. The
population stability index (PSI) per allow-listed feature compares how the logged features of
the first ``window_days`` of the log (the reference) are spread with the last ``window_days``.
Conventional reading: below 0.1 stable, 0.1 to 0.25 worth watching, above 0.25 a shift.

Outcome drift: the log holds no predicted outcome probability per person (G7, issue 17), so
calibration is watched through the observed job rate of decisions whose outcome window has
closed, reference against recent; a change there means the model's calibration no longer
matches the world it was fitted on. Everything here is a share over many decisions, never a
figure per person or per counsellor (G7, G10); windows with fewer than ``MIN_DECISIONS``
decisions are suppressed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlmodel import Session, col, func, select

from models.tables import Decision, Outcome, as_utc, utcnow
from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.stored_form import load_record, unpack_features

PSI_WATCH = 0.1
PSI_SHIFT = 0.25
# Sampling noise alone gives PSI of about (bins - 1) * (1/n_reference + 1/n_recent): with 50 decisions
# per window that is 0.36, a false "shift"; with 500 it is 0.04, well inside "stable".
MIN_DECISIONS = 500
MIN_OUTCOME_DECISIONS = 50
DEFAULT_WINDOW_DAYS = 30
BINS = 10
_FLOOR = 1e-4  # share given to an empty bin so the logarithm stays finite

NO_DECISIONS = "No decisions yet: drift needs logged decisions."
TOO_FEW_DECISIONS = (
    "Too few decisions to compare ({reference} in the reference window, {recent} in the recent one; "
    "at least {minimum} each are needed)."
)
NOT_ENOUGH_OUTCOMES = "Not enough outcomes yet: too few decisions with a closed outcome window."
JOB_FOUND = "job_found"


def psi_status(psi: float) -> str:
    """The conventional reading of a PSI value: stable, watch or shift."""
    if psi < PSI_WATCH:
        return "stable"
    return "watch" if psi <= PSI_SHIFT else "shift"


def _edges(reference: np.ndarray) -> np.ndarray:
    """Bin edges from the reference's quantiles; few distinct values each get their own bin."""
    values = np.unique(reference)
    if len(values) <= BINS:
        return values
    return np.unique(np.quantile(reference, np.linspace(0, 1, BINS + 1))[1:-1])


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Share per bin; with distinct values as edges each value lands in its own bin."""
    index = np.searchsorted(edges, values[~np.isnan(values)])
    counts = np.bincount(index, minlength=len(edges) + 1).astype(np.float64)
    counts = np.append(counts, float(np.isnan(values).sum()))  # "unknown" is a bin of its own
    return np.maximum(counts / max(len(values), 1), _FLOOR)


def population_stability(reference: np.ndarray, recent: np.ndarray) -> float:
    """PSI = sum over bins of (recent - reference) * ln(recent / reference); 0 for identical spreads."""
    known = reference[~np.isnan(reference)]
    edges = _edges(known) if len(known) else np.array([], dtype=np.float64)
    ref, rec = _shares(reference, edges), _shares(recent, edges)
    return float(np.sum((rec - ref) * np.log(rec / ref)))


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    psi: float
    status: str


@dataclass(frozen=True)
class OutcomeDrift:
    reference_rate: float | None
    recent_rate: float | None
    message: str | None


@dataclass(frozen=True)
class DriftReport:
    """Drift between the log's first and last ``window_days``; ``message`` explains an empty report."""

    message: str | None
    window_days: int
    reference_decisions: int
    recent_decisions: int
    features: list[FeatureDrift]
    outcomes: OutcomeDrift

    def shifted(self) -> list[str]:
        return [f.feature for f in self.features if f.status == "shift"]

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "thresholds": {"watch": PSI_WATCH, "shift": PSI_SHIFT}}


def _matrix(session: Session, decisions: list[Decision]) -> dict[str, np.ndarray]:
    connection = session.connection()
    stored = [unpack_features(d.features, load_record(connection, d.record_digest)) for d in decisions]

    def value(features: dict[str, Any], name: str) -> float:
        raw = features.get(name)
        return float(raw) if isinstance(raw, int | float) else np.nan  # bool is an int: 0/1

    return {name: np.array([value(f, name) for f in stored], dtype=np.float64) for name in ALLOWED_FEATURES}


def _job_rate(session: Session, decisions: list[Decision], window_days: int, now: datetime) -> float | None:
    closed = [d for d in decisions if as_utc(d.created_at) + timedelta(days=window_days) <= now]
    if len(closed) < MIN_OUTCOME_DECISIONS:
        return None
    seekers = {d.job_seeker_id for d in closed}
    jobs: dict[int, list[Any]] = {}
    for o in session.exec(select(Outcome).where(Outcome.kind == JOB_FOUND,
                                                col(Outcome.job_seeker_id).in_(seekers))):
        jobs.setdefault(o.job_seeker_id, []).append(o.occurred_on)
    found = sum(
        any(as_utc(d.created_at).date() <= day <= (as_utc(d.created_at) + timedelta(days=window_days)).date()
            for day in jobs.get(d.job_seeker_id, []))
        for d in closed)
    return found / len(closed)


def drift_report(session: Session, *, window_days: int = DEFAULT_WINDOW_DAYS,
                 outcome_window_days: int = 182, now: datetime | None = None) -> DriftReport:
    """PSI per allow-listed feature and the job rate, first ``window_days`` of the log against the last."""
    now = as_utc(now or utcnow())
    first, last = session.exec(select(func.min(Decision.created_at), func.max(Decision.created_at))).one()
    none = OutcomeDrift(None, None, NOT_ENOUGH_OUTCOMES)
    if first is None or last is None:
        return DriftReport(NO_DECISIONS, window_days, 0, 0, [], none)
    # Only the two windows are read, so the page stays quick on a long log; they never overlap.
    split = first + timedelta(days=window_days)
    reference = list(session.exec(select(Decision).where(Decision.created_at < split)))
    recent = list(session.exec(select(Decision).where(Decision.created_at >= max(split, last - timedelta(
        days=window_days)))))
    if min(len(reference), len(recent)) < MIN_DECISIONS:
        message = TOO_FEW_DECISIONS.format(reference=len(reference), recent=len(recent), minimum=MIN_DECISIONS)
        return DriftReport(message, window_days, len(reference), len(recent), [], none)
    ref, rec = _matrix(session, reference), _matrix(session, recent)
    features = []
    for name in ALLOWED_FEATURES:
        psi = round(population_stability(ref[name], rec[name]), 4)
        features.append(FeatureDrift(name, psi, psi_status(psi)))
    ref_rate = _job_rate(session, reference, outcome_window_days, now)
    rec_rate = _job_rate(session, recent, outcome_window_days, now)
    outcomes = OutcomeDrift(ref_rate, rec_rate, None if ref_rate is not None and rec_rate is not None
                            else NOT_ENOUGH_OUTCOMES)
    return DriftReport(None, window_days, len(reference), len(recent), features, outcomes)
