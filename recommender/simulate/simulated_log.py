"""Write a SYNTHETIC simulated population into the app database as if Lotse had logged it.

Why: training from logs, off-policy evaluation and the fairness audit read the database; to
test them (and to benchmark 1 M rows on PostgreSQL) the database needs a log whose truth is
known. Every person gets a job-seeker row in a Jobcenter whose name says SYNTHETIC, a profile
snapshot marked ``{"synthetic": true}``, one decision with the simulated feature vector, the
logged advice (one item, with its logged propensity) and, if the simulated person found work,
a ``job_found`` outcome inside the outcome window. Protected attributes go to the separate
audit store only (:func:`write_simulated_audit`), never to the app database.

Random streams: the log (ids, dates, approvals) and the audit self-reports (who volunteers)
each draw from their own stream derived from the seed (:func:`stream`), independent of the
stream :func:`recommender.simulate.population.simulate` used for the same seed. Sharing it
would tie "reports a self-report" to the first attribute drawn (gender): with one stream
every simulated woman reported and only some men did.

``lotse simulate log`` (:func:`write_training_log`) is the documented way to get such a log
(docs/data-science.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlmodel import col

from data.catalogue import Catalogue
from models.audit_store import create_audit_schema, record_many
from models.errors import ConflictError
from models.hashing import sha256_hex
from models.tables import Decision, DecisionItem, Jobcenter, JobSeeker, Outcome, ProfileSnapshot
from recommender.decide.features import ALLOWED_FEATURES, FEATURE_SET_VERSION
from recommender.errors import RecommenderError
from recommender.simulate.population import SimulatedData, simulate
from recommender.simulate.scenario import load_scenario

SYNTHETIC_JOBCENTER = "sim-synthetic"
PSEUDONYM_PREFIX = "sim-"  # every simulated person's pseudonym starts so (``recommender.learn.provenance``)
_PAYLOAD = {"synthetic": True, "note": "simulated person, no real data"}
_PAYLOAD_HASH = sha256_hex(_PAYLOAD)

Progress = Callable[[int, int, str], None]
_STREAMS = {"log": 1, "audit": 2}
DISABILITY_SHARE = 0.09
ALREADY_WRITTEN = ("this database already holds the simulated log of seed {seed}; use another --seed or a fresh "
                   "database")


def stream(seed: int, purpose: str) -> np.random.Generator:
    """A generator for *purpose* ("log" or "audit") that is independent of ``default_rng(seed)``."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_STREAMS[purpose],)))


def _ids(rng: np.random.Generator, n: int) -> list[str]:
    return [rng.bytes(16).hex() for _ in range(n)]


def _features_json(row: np.ndarray) -> dict[str, float | None]:
    return {name: (None if np.isnan(v) else float(v)) for name, v in zip(ALLOWED_FEATURES, row, strict=True)}


def write_simulated_log(engine: Engine, data: SimulatedData, catalogue: Catalogue, *,
                        decided_at: datetime | None = None, spread_days: int = 60, approval_rate: float = 0.7,
                        model_version: str = "sim-logging-policy",
                        exploration_share: float = 0.1, batch: int = 20_000, seed: int = 42,
                        progress: Progress | None = None) -> list[str]:
    """Insert *data* as logged decisions; return the case pseudonyms in row order.

    Parameters
    ----------
    decided_at : datetime, optional
        Latest decision time (default: 300 days ago, so the 6-month window has closed).
    spread_days : int
        Decisions are spread uniformly over this many days before *decided_at*.
    approval_rate : float
        Share of items needing review that a (simulated) counsellor approved.
    """
    rng = stream(seed, "log")
    latest = decided_at or datetime.now(UTC) - timedelta(days=300)
    review = {m.id for m in catalogue.modules if m.needs_counsellor_approval}
    n = data.n
    with engine.begin() as connection:
        jc = connection.execute(select(col(Jobcenter.id)).where(col(Jobcenter.code) == SYNTHETIC_JOBCENTER)).scalar()
        if jc is None:
            jc = connection.execute(insert(Jobcenter).values(
                code=SYNTHETIC_JOBCENTER, name="SYNTHETIC simulated Jobcenter (no real people)",
                created_at=datetime.now(UTC)).returning(col(Jobcenter.id))).scalar_one()
    pseudonyms = [f"{PSEUDONYM_PREFIX}{v}" for v in _ids(rng, n)]
    decision_ids = _ids(rng, n)
    offsets = rng.integers(0, max(spread_days, 1) * 86400, size=n)
    found_after = rng.integers(1, 170, size=n)
    approved = rng.random(n) < approval_rate
    explored = rng.random(n) < exploration_share
    now = datetime.now(UTC)

    def blocked(i: int) -> list[dict[str, Any]]:
        return [{"rule_id": "simulated_eligibility", "module_id": module, "legal_basis": None, "outcome": "ineligible"}
                for module, ok in zip(data.module_ids, data.eligible[i], strict=True) if not ok]

    for start in range(0, n, batch):
        stop = min(start + batch, n)
        people: list[dict[str, Any]] = [{"pseudonym": pseudonyms[i], "jobcenter_id": jc, "objection_active": False,
                                         "locale": "de", "created_at": now, "last_activity_at": now}
                                        for i in range(start, stop)]
        with engine.begin() as connection:
            ids = connection.execute(insert(JobSeeker).returning(col(JobSeeker.id), sort_by_parameter_order=True),
                                     people).scalars().all()
            snaps = connection.execute(
                insert(ProfileSnapshot).returning(col(ProfileSnapshot.id), sort_by_parameter_order=True),
                [{"job_seeker_id": pid, "payload": _PAYLOAD, "sha256": _PAYLOAD_HASH, "created_at": now}
                 for pid in ids]).scalars().all()
            decisions, items, outcomes = [], [], []
            for k, i in enumerate(range(start, stop)):
                when = latest - timedelta(seconds=int(offsets[i]))
                decisions.append({
                    "id": decision_ids[i], "job_seeker_id": ids[k], "snapshot_id": snaps[k], "mode": "model",
                    "mode_reason": None, "model_version": model_version, "feature_set_version": FEATURE_SET_VERSION,
                    "catalogue_version": catalogue.version, "features": _features_json(data.features[i]),
                    "guardrails": blocked(i), "diagnostic": [], "missing_fields": [], "illustrative_market": True,
                    "exploration": bool(explored[i]), "created_at": when})
                action = int(data.action[i])
                if action > 0:
                    module = data.module_ids[action - 1]
                    state = ("approved" if approved[i] else "rejected") if module in review else "not_required"
                    items.append({"id": decision_ids[i][::-1], "decision_id": decision_ids[i], "module_id": module,
                                  "rank": 1, "score": None, "uplift": None,
                                  "propensity": float(data.propensity[i]), "reasons": [], "review_state": state,
                                  "version": 1, "authored_by_counsellor": False})
                if data.outcome[i]:
                    outcomes.append({"job_seeker_id": ids[k], "kind": "job_found",
                                     "occurred_on": (when + timedelta(days=int(found_after[i]))).date(),
                                     "reported_by": "simulation", "created_at": now})
            connection.execute(insert(Decision), decisions)
            if items:
                connection.execute(insert(DecisionItem), items)
            if outcomes:
                connection.execute(insert(Outcome), outcomes)
        if progress is not None:
            progress(stop, n, "writing simulated log")
    return pseudonyms


def write_simulated_audit(audit_engine: Engine, data: SimulatedData, pseudonyms: list[str], *,
                          report_share: float = 1.0, seed: int = 42) -> int:
    """Store the simulated protected attributes in the audit store (a *report_share* volunteers).

    The simulated world has no disability; a reported disability (share :data:`DISABILITY_SHARE`)
    is drawn independently of everything else, so the proxy probe can measure it and finds
    nothing (AUC about 0.5), as it should in this world.
    """
    create_audit_schema(audit_engine)
    rng = stream(seed, "audit")
    reports = rng.random(len(pseudonyms)) < report_share
    disability = np.where(rng.random(len(pseudonyms)) < DISABILITY_SHARE, "yes", "no")
    gender = data.protected.get("gender")
    age = data.protected.get("age_band")
    nationality = data.protected.get("citizenship_group")
    rows = ({"case_pseudonym": pseudonyms[i],
             "gender": None if gender is None else str(gender[i]),
             "age_band": None if age is None else str(age[i]),
             "nationality_group": None if nationality is None else str(nationality[i]),
             "disability": str(disability[i])}
            for i in range(len(pseudonyms)) if reports[i])
    return record_many(audit_engine, rows, consent_version="synthetic")


class SimulatedLogExists(RecommenderError, ConflictError):
    """The simulated log of this seed is already in the database."""


@dataclass(frozen=True)
class TrainingLogSummary:
    """What ``lotse simulate log`` wrote (everything SYNTHETIC)."""

    scenario: str
    seed: int
    people: int
    shown_items: int
    outcome_rate: float
    self_reports: int
    first_decision: datetime
    last_decision: datetime
    synthetic: bool = True


def write_training_log(engine: Engine, audit_engine: Engine, scenario_path: Path, catalogue: Catalogue, *,
                       rows: int, seed: int, report_share: float = 0.8, spread_days: int = 60,
                       progress: Progress | None = None) -> TrainingLogSummary:
    """Simulate *rows* people of a scenario and write them as a SYNTHETIC training log plus self-reports.

    The log can be trained on (``lotse ds train-from-logs``), evaluated (``lotse evaluate
    --candidate``) and audited (``lotse audit ...``) exactly like a real one; every row says it
    is synthetic. Decisions end 300 days ago so the 182-day outcome window has closed.

    Raises
    ------
    SimulatedLogExists
        The log of this seed is already in the database (writing it twice would clash).
    """
    data = simulate(load_scenario(scenario_path, catalogue), catalogue, rows, seed=seed, progress=progress)
    first = f"{PSEUDONYM_PREFIX}{stream(seed, 'log').bytes(16).hex()}"
    with engine.connect() as connection:
        if connection.execute(select(col(JobSeeker.id)).where(col(JobSeeker.pseudonym) == first)).first() is not None:
            raise SimulatedLogExists(ALREADY_WRITTEN.format(seed=seed))
    latest = datetime.now(UTC) - timedelta(days=300)
    pseudonyms = write_simulated_log(engine, data, catalogue, decided_at=latest, spread_days=spread_days, seed=seed,
                                     progress=progress)
    reports = write_simulated_audit(audit_engine, data, pseudonyms, report_share=report_share, seed=seed)
    return TrainingLogSummary(scenario=data.scenario, seed=seed, people=data.n,
                              shown_items=int((data.action > 0).sum()), outcome_rate=float(data.outcome.mean()),
                              self_reports=reports, first_decision=latest - timedelta(days=spread_days),
                              last_decision=latest)
