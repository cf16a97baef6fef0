"""Input drift (PSI per feature) and job-rate drift over the decision log, aggregated (SYNTHETIC log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import Decision, Outcome
from recommender.decide.features import ALLOWED_FEATURES
from recommender.evaluate.drift import (
    MIN_DECISIONS,
    NO_DECISIONS,
    NOT_ENOUGH_OUTCOMES,
    PSI_SHIFT,
    drift_report,
    population_stability,
)
from tests.factories import make_job_seeker, make_snapshot

START = datetime(2026, 1, 1, tzinfo=UTC)


def plant_log(session: Session, *, shift_months: float = 0.0, per_window: int = MIN_DECISIONS,
              start: datetime = START) -> None:
    """A synthetic log: one window from *start*, one 150 days later with months_unemployed shifted by *shift_months*."""
    seeker = make_job_seeker(session)
    snapshot = make_snapshot(session, job_seeker=seeker)
    assert seeker.id is not None and snapshot.id is not None
    rng = np.random.default_rng(3)
    for begin, shift in ((start, 0.0), (start + timedelta(days=150), shift_months)):
        for i in range(per_window):
            features = {name: float(rng.integers(0, 4)) for name in ALLOWED_FEATURES}
            features["months_unemployed"] = float(rng.gamma(2.0, 6.0)) + shift
            session.add(Decision(job_seeker_id=seeker.id, snapshot_id=snapshot.id, mode="model",
                                 model_version="lgbm-test-1", feature_set_version="fs-test",
                                 catalogue_version="cat-test", features=features, guardrails=[], diagnostic=[],
                                 created_at=begin + timedelta(minutes=i)))
    session.commit()


def test_psi_is_zero_for_identical_distributions() -> None:
    values = np.random.default_rng(1).normal(size=5000)
    assert population_stability(values, values.copy()) < 1e-9


def test_psi_is_a_shift_when_the_mean_moves_by_a_standard_deviation() -> None:
    rng = np.random.default_rng(2)
    assert population_stability(rng.normal(size=5000), rng.normal(loc=1.0, size=5000)) > PSI_SHIFT


def test_drift_report_flags_the_planted_shift_only(engine: Engine) -> None:
    with session_scope(engine) as session:
        plant_log(session, shift_months=24.0)
        report = drift_report(session, now=START + timedelta(days=160))
    assert report.message is None
    assert report.shifted() == ["months_unemployed"]
    assert report.outcomes.message == NOT_ENOUGH_OUTCOMES


def test_drift_report_says_no_decisions_yet_on_an_empty_log(engine: Engine) -> None:
    with session_scope(engine) as session:
        report = drift_report(session)
    assert report.message == NO_DECISIONS and report.features == []


def test_job_rate_is_compared_once_outcome_windows_have_closed(engine: Engine) -> None:
    with session_scope(engine) as session:
        plant_log(session)
        seeker_id = session.exec(select(Decision.job_seeker_id)).first()
        assert seeker_id is not None
        session.add(Outcome(job_seeker_id=seeker_id, kind="job_found", occurred_on=(START + timedelta(days=10)).date()))
        session.commit()
        report = drift_report(session, now=START + timedelta(days=400))
    assert (report.outcomes.reference_rate, report.outcomes.recent_rate, report.outcomes.message) == (1.0, 0.0, None)
