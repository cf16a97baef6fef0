"""Off-policy estimates and training weights on a log written with the per-module exploration (G16).

The world is SYNTHETIC and tiny: ten modules (two need a counsellor), a person's job chance is
``p0 + sum of the effects of the modules shown``, and the model ranking that the logging policy
follows prefers modules with larger effects (so a naive comparison is confounded). Every decision
goes through ``recommender.decide.exploration.choose_shown`` and is written to the database
with its ``recommendation_generated`` event, as the live decision path does.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.tables import Decision, DecisionItem, Jobcenter, JobSeeker, Outcome, ProfileSnapshot
from recommender.decide.exploration import ExplorationConfig, ShownChoice, choose_shown
from recommender.decide.features import FEATURE_SET_VERSION
from recommender.evaluate.ope import decision_groups, decision_rows, estimate_logged_policy
from recommender.learn.training_data import ExtractConfig, extract_training_data
from recommender.records.chain import EventType, append_event

MODULES = [f"sim-module-{j}" for j in range(10)]
REVIEW = set(MODULES[:2])
N = 3000
PREFIX = "sim-ope-"
CONFIG = ExplorationConfig(rate=0.3, control_share=0.1)


def _effects(x: float) -> np.ndarray:
    return 0.005 + 0.035 * x * (np.arange(len(MODULES)) % 3 == 0) + 0.01 * (np.arange(len(MODULES)) % 2)


def _world(seed: int) -> list[dict]:  # type: ignore[type-arg]
    rng = np.random.default_rng(seed)
    people = []
    for _ in range(N):
        x = float(rng.random())
        eligible = [m for m in MODULES if rng.random() < 0.9]
        tau = _effects(x)
        score = {m: tau[j] + rng.normal(0, 0.01) for j, m in enumerate(MODULES)}
        people.append({"x": x, "eligible": eligible, "tau": tau,
                       "model_order": sorted(eligible, key=lambda m: -score[m]),
                       "rules_order": sorted(eligible)})
    return people


def _draw(person: dict, rng: random.Random) -> ShownChoice:  # type: ignore[type-arg]
    return choose_shown(person["model_order"], person["rules_order"], REVIEW & set(person["eligible"]), CONFIG, rng)


def _p_job(person: dict, shown: list[str]) -> float:  # type: ignore[type-arg]
    return 0.15 + 0.1 * person["x"] + float(sum(person["tau"][MODULES.index(m)] for m in shown))


def _target(person: dict) -> str:  # type: ignore[type-arg]
    """The known policy: the eligible module the model ranks LAST (rarely shown by the model arm)."""
    return person["model_order"][-1]


def _true_value(people: list[dict], draws: int = 40) -> float:  # type: ignore[type-arg]
    """P(job) had the target's module been shown, the rest as the logging policy shows it (Monte Carlo)."""
    rng = random.Random(7)
    values = []
    for person in people:
        target = _target(person)
        hits = [_p_job(person, [*c.order, *([] if target in c.order else [target])])
                for c in (_draw(person, rng) for _ in range(draws)) if target in c.order]
        values.append(float(np.mean(hits)) if hits else _p_job(person, [target]))
    return float(np.mean(values))


def _write_log(engine: Engine, people: list[dict], seed: int) -> None:  # type: ignore[type-arg]
    rng, coin = random.Random(seed), np.random.default_rng(seed)
    when = datetime.now(UTC) - timedelta(days=300)
    with Session(engine) as session:
        jobcenter = Jobcenter(code="sim-ope-test", name="SYNTHETIC test Jobcenter")
        session.add(jobcenter)
        session.flush()
        for i, person in enumerate(people):
            seeker = JobSeeker(pseudonym=f"{PREFIX}{i}", jobcenter_id=jobcenter.id)  # type: ignore[arg-type]
            session.add(seeker)
            session.flush()
            snapshot = ProfileSnapshot(job_seeker_id=seeker.id, payload={"synthetic": True}, sha256="0" * 64)
            session.add(snapshot)
            session.flush()
            choice = _draw(person, rng)
            decision = Decision(job_seeker_id=seeker.id, snapshot_id=snapshot.id, mode="model",  # type: ignore[arg-type]
                                model_version="sim", feature_set_version=FEATURE_SET_VERSION, catalogue_version="sim",
                                features={}, guardrails=[], diagnostic=[], exploration=choice.arm != "model",
                                created_at=when - timedelta(minutes=i))
            session.add(decision)
            session.flush()
            session.execute(insert(DecisionItem), [
                {"decision_id": decision.id, "module_id": m, "rank": r, "propensity": choice.shown_probability[m],
                 "reasons": [], "review_state": "approved" if m in REVIEW else "not_required"}
                for r, m in enumerate(choice.order, start=1)])
            append_event(session, event_type=EventType.recommendation_generated, actor_role="system",
                         case_pseudonym=seeker.pseudonym, decision_id=decision.id,
                         outputs={"shown_policy": choice.as_log()})
            if coin.random() < _p_job(person, choice.order):
                session.add(Outcome(job_seeker_id=seeker.id, kind="job_found",  # type: ignore[arg-type]
                                    occurred_on=(when + timedelta(days=30)).date(), reported_by="simulation"))
        session.commit()


@pytest.fixture
def explored_log(engine: Engine):  # type: ignore[no-untyped-def]
    people = _world(seed=3)
    _write_log(engine, people, seed=4)
    return people, extract_training_data(engine, MODULES, ExtractConfig(partitions=2))


def test_off_policy_estimate_covers_true_value_on_explored_log(explored_log) -> None:  # type: ignore[no-untyped-def]
    people, logged = explored_log
    decisions = decision_rows(logged)
    first = decision_groups(logged.decision_id)[1]
    ordered = [people[int(str(p).removeprefix(PREFIX))] for p in logged.pseudonym[first]]
    chosen = np.array([MODULES.index(_target(p)) + 1 for p in ordered], dtype=np.int16)
    wrong_outcome_model = np.full((decisions.rows.n, len(MODULES) + 1), 0.3)
    estimates = estimate_logged_policy(decisions, chosen, wrong_outcome_model, n_boot=300)
    truth = _true_value(people)
    for name in ("ips", "snips", "dr"):
        assert estimates[name].low <= truth <= estimates[name].high, (name, estimates[name], truth)
    as_before = replace(decisions, shown_probability=np.full_like(decisions.shown_probability, np.nan),
                        top1_propensity=np.clip(logged.propensity[first], 1e-6, 1))
    before = estimate_logged_policy(as_before, chosen, wrong_outcome_model, n_boot=300)["dr"]
    assert not before.low <= truth <= before.high  # the rank-1 reading of the same log misses it


def test_training_weights_use_logged_show_probabilities(explored_log) -> None:  # type: ignore[no-untyped-def]
    _, logged = explored_log
    given = logged.action > 0
    rows = np.flatnonzero(given)
    logged_p = logged.shown_probability[rows, logged.action[rows] - 1]
    np.testing.assert_allclose(logged.propensity[rows], logged_p, rtol=1e-5)
    assert set(logged.arm) == {"model", "explore", "control"}
    assert np.isnan(logged.top1_propensity).all()  # no rank-1 rebuild under the old shuffle
    assert logged.propensity[rows].min() < 0.5  # explored modules carry their real, small probabilities
