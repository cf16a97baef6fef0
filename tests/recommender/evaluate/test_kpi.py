"""Benchlearning figures: anonymous, small cells suppressed, team rows only for large teams (issue 20)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.db import session_scope
from models.plan import PlanStep
from models.tables import Decision, DecisionItem, Feedback, Jobcenter, Outcome
from recommender.evaluate.kpi import KpiError, KpiRow, Period, compute_kpis
from recommender.evaluate.kpi_file import write_csv
from tests.factories import assign_case, make_decision, make_job_seeker, make_jobcenter, make_staff_user, make_team

Q3 = Period(2026, 3)
IN_Q3 = datetime(2026, 8, 10, 9, tzinfo=UTC)
LATER = datetime(2027, 6, 1, tzinfo=UTC)  # the six months after Q3 have passed


def _served(session: Session, center: Jobcenter, n: int, *, module: str = "cv_documents",
            state: str = "not_required", counsellor: object = None) -> list[int]:
    ids = []
    for _ in range(n):
        seeker = make_job_seeker(session, jobcenter=center)
        if counsellor is not None:
            assign_case(session, job_seeker=seeker, counsellor=counsellor).assigned_at = IN_Q3 - timedelta(days=1)
        make_decision(session, job_seeker=seeker, created_at=IN_Q3,
                      items=[{"module_id": module, "review_state": state}])
        assert seeker.id is not None
        ids.append(seeker.id)
    return ids


def _items(session: Session) -> dict[int, DecisionItem]:
    """Each case's decision item (one item per decision in these tests)."""
    return {case_id: item for item, case_id in session.exec(select(DecisionItem, Decision.job_seeker_id).join(
        Decision, col(Decision.id) == col(DecisionItem.decision_id))).all()}


def _cell(rows: list[KpiRow], indicator: str, module: str = "", team: str = "all") -> KpiRow:
    return next(r for r in rows if r.indicator == indicator and r.module == module and r.team == team)


def test_period_parsing_and_the_last_complete_quarter() -> None:
    assert str(Period.parse(" 2026-Q3 ")) == "2026-Q3"
    assert Period(2026, 4).end == datetime(2027, 1, 1, tzinfo=UTC)
    assert Period.last_complete(date(2026, 12, 6)) == Q3 and Period.last_complete(date(2027, 2, 1)) == Period(2026, 4)
    for bad in ("2026-Q5", "2026Q3", "Q3-2026", ""):
        with pytest.raises(KpiError, match="not a quarter"):
            Period.parse(bad)


def test_fewer_than_ten_people_are_suppressed_and_ten_are_shown(engine: Engine) -> None:
    with session_scope(engine) as session:
        small, large = make_jobcenter(session, code="small"), make_jobcenter(session, code="large")
        _served(session, small, 9)
        _served(session, large, 12)
        few = compute_kpis(session, jobcenter_code="small", period=Q3, now=LATER)
        many = compute_kpis(session, jobcenter_code="large", period=Q3, now=LATER)
    assert _cell(few, "cases_served") == KpiRow("small", "2026-Q3", "all", "cases_served", "", None, None, "suppressed")
    assert all(r.value is None and r.people is None for r in few)
    assert _cell(many, "cases_served").value == 12 and _cell(many, "advice_shown", "cv_documents").value == 1.0


def test_a_share_counting_one_to_nine_people_is_suppressed(engine: Engine) -> None:
    with session_scope(engine) as session:
        center = make_jobcenter(session, code="jc")
        ids = _served(session, center, 20)
        _served(session, center, 3, module="spontaneous_applications")
        for case_id in ids[:15]:
            session.add(PlanStep(job_seeker_id=case_id, module_id="cv_documents", added_at=IN_Q3))
        session.flush()
        rows = compute_kpis(session, jobcenter_code="jc", period=Q3, now=LATER)
    assert _cell(rows, "advice_shown", "spontaneous_applications").status == "suppressed"  # 3 of 23 people
    taken = _cell(rows, "advice_taken_up", "cv_documents")
    assert (taken.value, taken.people, taken.status) == (0.75, 20, "ok")


def test_job_starts_wait_for_the_six_month_window_and_name_themselves(engine: Engine) -> None:
    with session_scope(engine) as session:
        center = make_jobcenter(session, code="jc")
        ids = _served(session, center, 20)
        for case_id in ids[:10]:
            session.add(Outcome(job_seeker_id=case_id, kind="job_found", occurred_on=date(2026, 10, 1)))
        session.add(Outcome(job_seeker_id=ids[10], kind="job_found", occurred_on=date(2027, 5, 1)))  # too late
        session.flush()
        early = compute_kpis(session, jobcenter_code="jc", period=Q3, now=datetime(2026, 12, 6, tzinfo=UTC))
        late = compute_kpis(session, jobcenter_code="jc", period=Q3, now=LATER)
    assert _cell(early, "lotse_job_start_6m_share").status == "not_yet_observable"
    assert _cell(late, "lotse_job_start_6m_share").value == 0.5


def test_review_and_feedback_shares(engine: Engine) -> None:
    with session_scope(engine) as session:
        center = make_jobcenter(session, code="jc")
        ids = _served(session, center, 10, state="approved") + _served(session, center, 10, state="rejected")
        items = _items(session)
        for case_id in ids[:12]:
            session.add(Feedback(decision_item_id=items[case_id].id, job_seeker_id=case_id, kind="helpful",
                                 created_at=IN_Q3))
        for item in items.values():
            item.reviewed_at = IN_Q3 + timedelta(hours=4)
            session.add(item)
        session.flush()
        rows = compute_kpis(session, jobcenter_code="jc", period=Q3, now=LATER)
    assert _cell(rows, "review_approved_share").value == 0.5 and _cell(rows, "review_rejected_share").value == 0.5
    assert _cell(rows, "review_median_hours").value == 4.0
    assert _cell(rows, "feedback_helpful_share").value == 1.0 and _cell(rows, "feedback_helpful_share").people == 12


def test_team_rows_only_for_teams_of_five_and_never_by_name(engine: Engine) -> None:
    with session_scope(engine) as session:
        center = make_jobcenter(session, code="jc")
        big, small = make_team(session, jobcenter=center, name="Team Meyer"), make_team(session, jobcenter=center,
                                                                                         name="Team Klein")
        staff = [make_staff_user(session, role="counsellor", jobcenter=center, team=big, username=f"counsellor{i}")
                 for i in range(5)]
        lone = make_staff_user(session, role="counsellor", jobcenter=center, team=small, username="lone")
        _served(session, center, 12, counsellor=staff[0])
        pseudonyms = [make_job_seeker(session, jobcenter=center).pseudonym]
        _served(session, center, 11, counsellor=lone)
        rows = compute_kpis(session, jobcenter_code="jc", period=Q3, now=LATER)
    assert {r.team for r in rows} == {"all", "team-1"}
    assert _cell(rows, "cases_served", team="team-1").value == 12 and _cell(rows, "cases_served").value == 23
    buffer = io.StringIO()
    write_csv(rows, buffer)
    text = buffer.getvalue()
    assert "Meyer" not in text and "Klein" not in text and pseudonyms[0] not in text


def test_unknown_jobcenter_and_future_quarter_are_refused(engine: Engine) -> None:
    with session_scope(engine) as session:
        make_jobcenter(session, code="jc")
        with pytest.raises(KpiError, match="no Jobcenter with code 'nope'; known: jc"):
            compute_kpis(session, jobcenter_code="nope", period=Q3)
        with pytest.raises(KpiError, match="has not started"):
            compute_kpis(session, jobcenter_code="jc", period=Period(2099, 1))
