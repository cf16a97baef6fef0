"""Training from logs: the round trip database -> training rows -> model, and who never enters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from data.catalogue import load_catalogue
from models.tables import Decision, DecisionItem, Jobcenter, JobSeeker, Outcome, jobcenter_today
from recommender.learn.train import TrainConfig, fit
from recommender.learn.training_data import ExtractConfig, TrainingDataError, extract_training_data, partition_bounds
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from recommender.simulate.simulated_log import write_simulated_log

N = 300
SMALL = TrainConfig(baseline_rounds=20, effect_rounds=20, effect_min_data_in_leaf=20, num_threads=1)


@pytest.fixture
def logged(engine: Engine):  # type: ignore[no-untyped-def]
    catalogue = load_catalogue()
    data = simulate(load_scenario(DEFAULT_SCENARIO, catalogue), catalogue, N, seed=42)
    pseudonyms = write_simulated_log(engine, data, catalogue, batch=100)
    return catalogue, data, pseudonyms


def test_round_trip_gives_one_row_per_logged_person_and_trains_a_model(engine: Engine, logged) -> None:  # type: ignore[no-untyped-def]
    catalogue, data, _ = logged
    rows = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=4))
    assert rows.n == N
    assert (rows.action > 0).sum() == (data.action > 0).sum() - rows.stats["rejected_items"]
    assert rows.outcome.sum() == data.outcome.sum()
    assert 0.0 < rows.exploration_share() < 0.3
    result = fit(rows.as_training_data(), SMALL)
    assert len(result.model.score(dict.fromkeys(result.model.feature_names, 1.0), catalogue.ids[:3])) == 3


def test_rejected_advice_is_not_trained_on_as_given(engine: Engine, logged) -> None:  # type: ignore[no-untyped-def]
    catalogue, _, _ = logged
    with engine.connect() as connection:
        rejected = connection.execute(select(func.count()).select_from(DecisionItem)
                                      .where(DecisionItem.review_state == "rejected")).scalar_one()
    rows = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=2))
    assert rejected > 0 and rows.stats["rejected_items"] == rejected
    assert "rejected" not in set(rows.review_state) and rows.n_decisions == N


def test_model_trained_on_a_simulated_log_says_simulated(engine: Engine, logged) -> None:  # type: ignore[no-untyped-def]
    catalogue, _, _ = logged
    rows = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=2))
    meta = fit(rows.as_training_data(), SMALL).meta
    assert rows.stats["simulated_decisions"] == N
    assert meta.data.source == "simulated" and meta.data.synthetic
    assert meta.data.simulation_seed is None and meta.training.seed == SMALL.seed


def test_model_trained_on_a_log_of_real_use_says_real(engine: Engine, logged) -> None:  # type: ignore[no-untyped-def]
    catalogue, _, _ = logged
    with engine.begin() as connection:
        real = connection.execute(insert(Jobcenter).values(code="jc-real", name="Jobcenter Musterstadt",
                                                           created_at=datetime.now(UTC)).returning(Jobcenter.id))
        connection.execute(update(JobSeeker).values(jobcenter_id=real.scalar_one()))
    meta = fit(extract_training_data(engine, catalogue.ids).as_training_data(), SMALL).meta
    assert meta.data.source == "real" and not meta.data.synthetic


def test_erased_and_objecting_people_are_excluded(engine: Engine, logged) -> None:  # type: ignore[no-untyped-def]
    catalogue, _, pseudonyms = logged
    erased, objected = pseudonyms[:7], pseudonyms[7:12]
    with engine.begin() as connection:
        connection.execute(update(JobSeeker).where(JobSeeker.pseudonym.in_(erased)).values(erased_at=datetime.now(UTC)))
        connection.execute(update(JobSeeker).where(JobSeeker.pseudonym.in_(objected)).values(objection_active=True))
    rows = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=3))
    assert rows.n == N - 12
    assert not set(rows.pseudonym) & set(erased + objected)


def test_outcome_outside_the_window_does_not_count(engine: Engine, logged) -> None:  # type: ignore[no-untyped-def]
    catalogue, data, pseudonyms = logged
    person = pseudonyms[int(np.flatnonzero(data.outcome == 0)[0])]
    with engine.begin() as connection:
        seeker_id = connection.execute(JobSeeker.__table__.select().where(JobSeeker.pseudonym == person)).first().id
        decided = connection.execute(Decision.__table__.select().where(Decision.job_seeker_id == seeker_id)).first()
        start = decided.created_at.date() if isinstance(decided.created_at, datetime) else jobcenter_today()
        connection.execute(Outcome.__table__.insert().values(job_seeker_id=seeker_id, kind="job_found",
                                                             occurred_on=start + timedelta(days=250),
                                                             reported_by="test", created_at=datetime.now(UTC)))
    short = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=1))
    long = extract_training_data(engine, catalogue.ids, ExtractConfig(partitions=1, window_days=300,
                                                                       as_of=datetime.now(UTC) + timedelta(days=200)))
    assert short.outcome[short.pseudonym == person].tolist() == [0]
    assert long.outcome[long.pseudonym == person].tolist() == [1]


def test_open_window_and_purged_features_leave_nothing_to_train_on(engine: Engine, logged) -> None:  # type: ignore[no-untyped-def]
    catalogue, _, _ = logged
    too_early = ExtractConfig(as_of=datetime.now(UTC) - timedelta(days=400))
    with pytest.raises(TrainingDataError, match="closed outcome window of 182 days"):
        extract_training_data(engine, catalogue.ids, too_early)
    with engine.begin() as connection:
        connection.execute(update(Decision).values(features={"purged": True}))
    with pytest.raises(TrainingDataError, match=f"{N} purged by retention"):
        extract_training_data(engine, catalogue.ids)


@pytest.mark.parametrize("bad", [0, 257])
def test_partition_count_out_of_range_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="between 1 and 256"):
        partition_bounds(bad)
