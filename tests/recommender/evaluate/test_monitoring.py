"""Team monitoring: team level only, small groups suppressed, person grouping refused, model alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import DecisionItem, Jobcenter, utcnow
from recommender.evaluate.monitoring import GROUPING_REFUSED, MonitoringError, team_report
from tests.factories import make_decision, make_job_seeker, make_jobcenter, make_staff_user, make_team


def _team(session: Session, members: int) -> tuple[int, list[int]]:
    center = make_jobcenter(session, code="demo")
    team = make_team(session, jobcenter=center)
    ids = [make_staff_user(session, role="counsellor", jobcenter=center, team=team, username=f"counsellor{i}").id
           for i in range(members)]
    return team.id, ids


def _reviewed(session: Session, *, reviewer: int, module: str, states: list[str], model: str, age_days: int) -> None:
    """One decision per state, each with one reviewed item of *module*."""
    center = session.exec(select(Jobcenter).where(Jobcenter.code == "demo")).one()
    for state in states:
        seeker = make_job_seeker(session, jobcenter=center)
        created = utcnow() - timedelta(days=age_days)
        decision = make_decision(session, job_seeker=seeker, model_version=model, created_at=created,
                                 items=[{"module_id": module, "review_state": state}])
        item = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)).one()
        item.reviewed_by = reviewer
        item.reviewed_at = created + timedelta(hours=5)
        session.add(item)
    session.flush()


def test_grouping_by_person_is_refused(sqlite_engine: Engine) -> None:
    from models.migrate import upgrade

    upgrade(sqlite_engine)
    with session_scope(sqlite_engine) as session:
        team_id, _ = _team(session, 5)
        for grouping in ("counsellor", "reviewed_by", "user_id"):
            with pytest.raises(MonitoringError, match="never per person"):
                team_report(session, team_id=team_id, group_by=grouping)
    assert "never per person" in GROUPING_REFUSED


def test_small_team_is_suppressed_entirely(engine: Engine) -> None:
    with session_scope(engine) as session:
        team_id, members = _team(session, 4)
        _reviewed(session, reviewer=members[0], module="cv_update", states=["approved"] * 10, model="v1", age_days=3)
        report = team_report(session, team_id=team_id)
    assert report.suppressed and report.groups == [] and report.total_reviews is None
    assert "fewer than 5" in (report.message or "")


def test_rates_by_module_with_small_groups_suppressed(engine: Engine) -> None:
    with session_scope(engine) as session:
        team_id, members = _team(session, 5)
        _reviewed(session, reviewer=members[0], module="avgs_coaching",
                  states=["approved", "approved", "edited", "rejected", "approved", "approved"], model="v1", age_days=5)
        _reviewed(session, reviewer=members[1], module="bildungsgutschein", states=["rejected"] * 3, model="v1",
                  age_days=5)
        report = team_report(session, team_id=team_id, group_by="module")
    groups = {g.key: g for g in report.groups}
    assert not report.suppressed and report.total_reviews == 9
    coaching = groups["avgs_coaching"]
    assert coaching.reviews == 6
    assert (coaching.approval_rate, coaching.edit_rate, coaching.rejection_rate) == (0.667, 0.167, 0.167)
    assert coaching.median_hours_to_review == 5.0
    assert groups["bildungsgutschein"].suppressed and groups["bildungsgutschein"].rejection_rate is None


def test_rejection_jump_after_model_change_raises_alert(engine: Engine) -> None:
    with session_scope(engine) as session:
        team_id, members = _team(session, 5)
        _reviewed(session, reviewer=members[0], module="avgs_coaching", states=["approved"] * 5, model="v1",
                  age_days=20)
        _reviewed(session, reviewer=members[1], module="avgs_coaching",
                  states=["rejected", "rejected", "approved", "rejected", "approved"], model="v2", age_days=2)
        report = team_report(session, team_id=team_id, group_by="model_version")
    jumps = [a for a in report.alerts if a["kind"] == "rejection_jump"]
    assert jumps == [{"kind": "rejection_jump", "module_id": "avgs_coaching", "from_version": "v1",
                      "to_version": "v2", "rejection_rate_before": 0.0, "rejection_rate_after": 0.6}]
    assert {g.key for g in report.groups} == {"v1", "v2"}


def test_no_alert_when_rejections_stay_level(engine: Engine) -> None:
    with session_scope(engine) as session:
        team_id, members = _team(session, 5)
        for model, age in (("v1", 20), ("v2", 2)):
            _reviewed(session, reviewer=members[0], module="cv_update",
                      states=["rejected", "approved", "approved", "approved", "edited"], model=model, age_days=age)
        report = team_report(session, team_id=team_id)
    assert report.alerts == []


def test_near_total_acceptance_raises_automation_bias_alert(engine: Engine) -> None:
    with session_scope(engine) as session:
        team_id, members = _team(session, 5)
        _reviewed(session, reviewer=members[2], module="cv_update", states=["approved"] * 20, model="v1", age_days=1)
        report = team_report(session, team_id=team_id)
    assert [a["kind"] for a in report.alerts] == ["automation_bias"]
