"""A counsellor records a job start: checked, stored with its source, logged without text, trained on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from data.catalogue import load_catalogue
from models import tables
from models.db import session_scope
from models.tables import Decision, Event, JobSeeker, Outcome, UserAccount, jobcenter_today
from recommender.casework.counsellor_outcome import (
    OUTCOME_DATE_BEFORE_CASE,
    OUTCOME_DATE_IN_FUTURE,
    OUTCOME_KIND_UNKNOWN,
    CounsellorOutcomeError,
    record_counsellor_outcome,
)
from recommender.decide.features import FEATURE_SET_VERSION
from recommender.learn.training_data import ExtractConfig, extract_training_data


def _record(engine: Engine, case: dict, **entry) -> None:  # type: ignore[no-untyped-def, type-arg]
    with session_scope(engine) as session:
        record_counsellor_outcome(session, job_seeker=session.get(JobSeeker, case["seeker"]),
                                  counsellor=session.get(UserAccount, case["counsellor"]), **entry)


@pytest.mark.parametrize(("kind", "days_from_today", "message"), [
    ("job_found", 1, OUTCOME_DATE_IN_FUTURE),
    ("job_found", None, OUTCOME_DATE_BEFORE_CASE),  # 1 January 2001
    ("lottery_win", 0, OUTCOME_KIND_UNKNOWN),
])
def test_invalid_outcome_is_refused_and_nothing_written(engine: Engine, case: dict, kind: str,  # type: ignore[type-arg]
                                                        days_from_today: int | None, message: str) -> None:
    # Dates taken when the test runs, not when it is collected: a run across midnight stays right.
    occurred_on = date(2001, 1, 1) if days_from_today is None else jobcenter_today() + timedelta(days=days_from_today)
    with pytest.raises(CounsellorOutcomeError) as refused:
        _record(engine, case, kind=kind, occurred_on=occurred_on)
    assert str(refused.value) == message
    with Session(engine) as session:
        assert session.exec(select(Outcome)).all() == []
        assert session.exec(select(Event).where(Event.event_type == "client_outcome")).all() == []


def test_a_job_start_entered_just_after_german_midnight_is_not_in_the_future(
        engine: Engine, case: dict, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    """At 00:30 in Berlin a server on UTC is still on yesterday; the counsellor's "today" counts.

    The clock is set to a New Year's Eve far ahead, so the server's own date could never accept it.
    """
    monkeypatch.setattr(tables, "utcnow", lambda: datetime(2099, 12, 31, 23, 30, tzinfo=UTC))
    _record(engine, case, kind="job_found", occurred_on=date(2100, 1, 1))
    with Session(engine) as session:
        assert session.exec(select(Outcome)).one().occurred_on == date(2100, 1, 1)


def test_recorded_outcome_carries_source_and_is_logged_without_text(engine: Engine, case: dict) -> None:  # type: ignore[type-arg]
    _record(engine, case, kind="job_found", occurred_on=jobcenter_today())
    with Session(engine) as session:
        outcome = session.exec(select(Outcome)).one()
        event = session.exec(select(Event).where(Event.event_type == "client_outcome")).one()
    assert outcome.reported_by == "counsellor" and outcome.occurred_on == jobcenter_today()
    assert event.actor_role == "counsellor" and event.actor_id == str(case["counsellor"])
    assert event.outputs == {"outcome_id": outcome.id, "occurred_on": jobcenter_today().isoformat(),
                             "source": "counsellor"}
    assert event.reason is None


def test_counsellor_outcome_reaches_training_with_its_source(engine: Engine, case: dict) -> None:  # type: ignore[type-arg]
    decided = datetime.now(UTC) - timedelta(days=200)
    with session_scope(engine) as session:
        seeker = session.get(JobSeeker, case["seeker"])
        seeker.created_at = decided - timedelta(days=1)  # type: ignore[union-attr]
        decision = session.get(Decision, case["decision"])
        decision.created_at, decision.feature_set_version = decided, FEATURE_SET_VERSION  # type: ignore[union-attr]
    _record(engine, case, kind="job_found", occurred_on=(decided + timedelta(days=40)).date())
    logged = extract_training_data(engine, load_catalogue().ids, ExtractConfig(partitions=1))
    assert set(logged.outcome) == {1}
    assert set(logged.outcome_source) == {"counsellor"}
    assert logged.stats["outcomes_by_source"] == {"counsellor": logged.n}
