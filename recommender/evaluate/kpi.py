"""Benchlearning indicators of one Jobcenter for one quarter (issue 20, item 5).

Jobcenters compare their results to learn what works. The public § 48a SGB II indicators
(K1 benefit change, K2 integration rate, K3 long-term recipients) measure the whole Jobcenter;
Lotse can only say what happened *around Lotse*: how many cases it served, which advice was
shown and taken into a plan, how counsellors reviewed it, what job-seekers said about it and
which job starts were reported to Lotse within six months. These are named as Lotse's own
figures so nobody mistakes them for the official K2.

Privacy: the figures are anonymous by construction — no pseudonym, no free text, team names
replaced by ordinals — and every cell that rests on fewer than :data:`MIN_PEOPLE` people (or
whose share counts between 1 and ``MIN_PEOPLE - 1`` people) is suppressed and marked, the
usual small-cell rule of official statistics. Team rows exist only for teams large enough
that no counsellor's own rates can be read off (the team-monitoring rule, G10).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median
from typing import Literal

from sqlmodel import Session, col, select

from models.errors import InvalidError
from models.plan import PlanStep
from models.tables import (
    VISIBLE_STATES,
    CaseAssignment,
    Decision,
    DecisionItem,
    Feedback,
    Jobcenter,
    JobSeeker,
    Outcome,
    ReviewState,
    Team,
    UserAccount,
    as_utc,
    utcnow,
)
from recommender.errors import RecommenderError
from recommender.evaluate.monitoring import MIN_TEAM_MEMBERS

SCHEMA_VERSION = "1.0"
MIN_PEOPLE = 10
# Lotse's outcome window: a reported job start counts if it happened within this many days of
# the case's first advice in the quarter.
JOB_START_WINDOW_DAYS = 183
ALL_TEAMS = "all"

Status = Literal["ok", "suppressed", "not_yet_observable"]
Unit = Literal["people", "share", "hours"]

BAD_PERIOD = "period {given!r} is not a quarter such as 2026-Q3"
FUTURE_PERIOD = "period {given} has not started yet"
UNKNOWN_JOBCENTER = "no Jobcenter with code {given!r}; known: {known}"


class KpiError(RecommenderError, InvalidError):
    """A benchlearning request or file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Indicator:
    """One benchlearning indicator; ``per_module`` ones have a row per advice module."""

    name: str
    unit: Unit
    per_module: bool


INDICATORS: tuple[Indicator, ...] = (
    Indicator("cases_served", "people", False),
    Indicator("advice_shown", "share", True),
    Indicator("advice_taken_up", "share", True),
    Indicator("review_approved_share", "share", False),
    Indicator("review_edited_share", "share", False),
    Indicator("review_rejected_share", "share", False),
    Indicator("review_median_hours", "hours", False),
    Indicator("feedback_helpful_share", "share", False),
    Indicator("feedback_not_helpful_share", "share", False),
    Indicator("feedback_not_possible_share", "share", False),
    # Lotse's own outcome, never to be confused with the official K2 integration rate.
    Indicator("lotse_job_start_6m_share", "share", False),
)
INDICATOR_NAMES = frozenset(i.name for i in INDICATORS)
BY_NAME = {i.name: i for i in INDICATORS}


@dataclass(frozen=True)
class Period:
    """A calendar quarter, the reporting unit of § 48a comparisons (UTC boundaries)."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        match = re.fullmatch(r"(\d{4})-Q([1-4])", text.strip())
        if not match:
            raise KpiError(BAD_PERIOD.format(given=text))
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def last_complete(cls, today: date | None = None) -> Period:
        """The last quarter that has ended: quarters are UTC calendar quarters, so by default
        *today* is the UTC date, not the German one (``models.tables.jobcenter_today``)."""
        today = today or utcnow().date()
        quarter = (today.month - 1) // 3 + 1
        return cls(today.year - 1, 4) if quarter == 1 else cls(today.year, quarter - 1)

    @property
    def start(self) -> datetime:
        return datetime(self.year, 3 * self.quarter - 2, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment after the quarter."""
        return datetime(self.year + 1, 1, 1, tzinfo=UTC) if self.quarter == 4 else \
            datetime(self.year, 3 * self.quarter + 1, 1, tzinfo=UTC)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"


@dataclass(frozen=True)
class KpiRow:
    """One cell of the export: *value* is None whenever *status* is not ``ok``."""

    jobcenter: str
    period: str
    team: str
    indicator: str
    module: str
    value: float | None
    people: int | None
    status: Status


@dataclass
class _Case:
    first_advice: datetime
    team: str | None
    shown: set[str]


def _cell(jobcenter: str, period: Period, team: str, indicator: str, module: str, *, people: int,
          numerator: int | None, value: float | None) -> KpiRow:
    """Apply the small-cell rule: fewer than MIN_PEOPLE behind the cell, or a share of 1-9 people."""
    small = people < MIN_PEOPLE or (numerator is not None and 0 < numerator < MIN_PEOPLE)
    if small or value is None:
        return KpiRow(jobcenter, str(period), team, indicator, module, None, None, "suppressed")
    return KpiRow(jobcenter, str(period), team, indicator, module, round(value, 4), people, "ok")


def _jobcenter(session: Session, code: str) -> Jobcenter:
    found = session.exec(select(Jobcenter).where(Jobcenter.code == code)).first()
    if found is None:
        known = ", ".join(session.exec(select(Jobcenter.code).order_by(Jobcenter.code)).all())
        raise KpiError(UNKNOWN_JOBCENTER.format(given=code, known=known or "none"))
    return found


def team_labels(session: Session, jobcenter_id: int) -> dict[int, str]:
    """Team ids -> ordinal labels ("team-1", …) for teams large enough to report on (G10)."""
    teams = session.exec(select(Team.id).where(Team.jobcenter_id == jobcenter_id).order_by(col(Team.id))).all()
    members: dict[int, int] = defaultdict(int)
    for team_id in session.exec(select(UserAccount.team_id).where(
            UserAccount.jobcenter_id == jobcenter_id, UserAccount.is_active == True,  # noqa: E712
            col(UserAccount.role).in_(["counsellor", "team_lead"]))).all():
        if team_id is not None:
            members[team_id] += 1
    return {team_id: f"team-{n}" for n, team_id in enumerate(teams, start=1)
            if team_id is not None and members[team_id] >= MIN_TEAM_MEMBERS}


def _case_teams(session: Session, case_ids: list[int], at: datetime, labels: dict[int, str]) -> dict[int, str | None]:
    """Each case's team: that of the counsellor assigned most recently before *at*."""
    rows = session.exec(
        select(CaseAssignment.job_seeker_id, CaseAssignment.assigned_at, UserAccount.team_id)
        .join(UserAccount, col(UserAccount.id) == col(CaseAssignment.counsellor_id))
        .where(col(CaseAssignment.job_seeker_id).in_(case_ids), col(CaseAssignment.assigned_at) < at)
    ).all()
    latest: dict[int, tuple[datetime, int | None]] = {}
    for case_id, assigned_at, team_id in rows:
        if case_id not in latest or as_utc(assigned_at) > latest[case_id][0]:
            latest[case_id] = (as_utc(assigned_at), team_id)
    return {case_id: labels.get(team_id) if team_id is not None else None
            for case_id, (_, team_id) in latest.items()}


def _cases(session: Session, jobcenter_id: int, period: Period) -> tuple[dict[int, _Case], list[tuple[int, str, str,
                                                                                                     float | None]]]:
    """Cases with advice in the quarter, and their items (case, module, review state, review hours)."""
    rows = session.exec(
        select(DecisionItem, col(Decision.job_seeker_id), col(Decision.created_at))
        .join(DecisionItem, col(DecisionItem.decision_id) == col(Decision.id))
        .join(JobSeeker, col(JobSeeker.id) == col(Decision.job_seeker_id))
        .where(JobSeeker.jobcenter_id == jobcenter_id, col(Decision.created_at) >= period.start,
               col(Decision.created_at) < period.end, DecisionItem.authored_by_counsellor == False)  # noqa: E712
    ).all()
    cases: dict[int, _Case] = {}
    items = []
    for item, case_id, created in rows:
        module_id, state, reviewed_at, created = item.module_id, item.review_state, item.reviewed_at, as_utc(created)
        case = cases.setdefault(case_id, _Case(first_advice=created, team=None, shown=set()))
        case.first_advice = min(case.first_advice, created)
        if state in VISIBLE_STATES:
            case.shown.add(module_id)
        hours = (as_utc(reviewed_at) - created).total_seconds() / 3600 if reviewed_at is not None else None
        items.append((case_id, module_id, state, hours))
    return cases, items


def compute_kpis(session: Session, *, jobcenter_code: str, period: Period, now: datetime | None = None) -> list[KpiRow]:
    """Every indicator of *period* for the Jobcenter as a whole and for each reportable team."""
    now = as_utc(now or utcnow())
    if period.start > now:
        raise KpiError(FUTURE_PERIOD.format(given=period))
    center = _jobcenter(session, jobcenter_code)
    assert center.id is not None  # a stored row
    labels = team_labels(session, center.id)
    cases, items = _cases(session, center.id, period)
    for case_id, team in _case_teams(session, list(cases), period.end, labels).items():
        cases[case_id].team = team
    plans = {(case_id, module_id) for case_id, module_id in session.exec(
        select(PlanStep.job_seeker_id, PlanStep.module_id).where(
            col(PlanStep.job_seeker_id).in_(list(cases)), col(PlanStep.added_at) < period.end)).all()}
    feedback = session.exec(select(Feedback.job_seeker_id, Feedback.kind).where(
        col(Feedback.job_seeker_id).in_(list(cases)), col(Feedback.created_at) >= period.start,
        col(Feedback.created_at) < period.end)).all()
    starts = session.exec(select(col(Outcome.job_seeker_id), col(Outcome.occurred_on)).where(
        col(Outcome.job_seeker_id).in_(list(cases)), Outcome.kind == "job_found")).all()
    modules = sorted({module for _, module, _, _ in items})
    observable = period.end + timedelta(days=JOB_START_WINDOW_DAYS) <= now
    rows: list[KpiRow] = []
    for team in [ALL_TEAMS, *sorted(set(labels.values()))]:
        members = {cid for cid, case in cases.items() if team == ALL_TEAMS or case.team == team}
        rows.extend(_team_rows(center.code, period, team, members, cases, items, plans, feedback, starts, modules,
                               observable))
    return rows


def _team_rows(code: str, period: Period, team: str, members: set[int], cases: dict[int, _Case],
               items: list[tuple[int, str, str, float | None]], plans: set[tuple[int, str]],
               feedback: Iterable[tuple[int, str]], starts: Iterable[tuple[int, date]], modules: list[str],
               observable: bool) -> list[KpiRow]:
    served = len(members)
    rows = [_cell(code, period, team, "cases_served", "", people=served, numerator=None, value=float(served))]
    for module in modules:
        shown = {cid for cid in members if module in cases[cid].shown}
        taken = {cid for cid in shown if (cid, module) in plans}
        rows.append(_cell(code, period, team, "advice_shown", module, people=served, numerator=len(shown),
                          value=len(shown) / served if served else None))
        rows.append(_cell(code, period, team, "advice_taken_up", module, people=len(shown), numerator=len(taken),
                          value=len(taken) / len(shown) if shown else None))
    reviewed = [(cid, state, hours) for cid, _, state, hours in items if cid in members and hours is not None
                and state in (ReviewState.approved, ReviewState.edited, ReviewState.rejected)]
    reviewed_people = len({cid for cid, _, _ in reviewed})
    for name, state in (("review_approved_share", ReviewState.approved), ("review_edited_share", ReviewState.edited),
                        ("review_rejected_share", ReviewState.rejected)):
        count = sum(1 for _, s, _ in reviewed if s == state)
        rows.append(_cell(code, period, team, name, "", people=reviewed_people, numerator=None,
                          value=count / len(reviewed) if reviewed else None))
    rows.append(_cell(code, period, team, "review_median_hours", "", people=reviewed_people, numerator=None,
                      value=median(max(h, 0.0) for _, _, h in reviewed) if reviewed else None))
    given = [(cid, kind) for cid, kind in feedback if cid in members]
    givers = len({cid for cid, _ in given})
    for name, kind in (("feedback_helpful_share", "helpful"), ("feedback_not_helpful_share", "not_helpful"),
                       ("feedback_not_possible_share", "not_possible")):
        count = sum(1 for _, k in given if k == kind)
        rows.append(_cell(code, period, team, name, "", people=givers, numerator=None,
                          value=count / len(given) if given else None))
    rows.append(_job_starts(code, period, team, members, cases, starts, observable))
    return rows


def _job_starts(code: str, period: Period, team: str, members: set[int], cases: dict[int, _Case],
                starts: Iterable[tuple[int, date]], observable: bool) -> KpiRow:
    """Share of served cases with a job start reported within the window after their first advice."""
    if not observable:  # the six months after the quarter have not passed for every case
        return KpiRow(code, str(period), team, "lotse_job_start_6m_share", "", None, None, "not_yet_observable")
    found = set()
    for cid, occurred in starts:
        if cid in members:
            first = cases[cid].first_advice.date()
            if first <= occurred <= first + timedelta(days=JOB_START_WINDOW_DAYS):
                found.add(cid)
    served = len(members)
    return _cell(code, period, team, "lotse_job_start_6m_share", "", people=served, numerator=len(found),
                 value=len(found) / served if served else None)
