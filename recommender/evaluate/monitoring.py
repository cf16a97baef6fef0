"""Team-level review statistics for team leads, never per counsellor (G10).

Staff councils co-determine any technical means of monitoring staff performance
(BetrVG §87(1) no. 6; for Jobcenters via the staff-representation law). Lotse therefore
offers review statistics only for a whole team, only if the team is large enough that no
one person's rates can be read off, and suppresses any group with fewer than
``MIN_GROUP_SIZE`` reviews. Grouping by person is refused, not merely hidden.

Two alerts help the team notice problems with the *model*, not with people: a module's
rejection rate jumping after a model change, and very high acceptance (a sign of automation
bias, AI Act Art 14(4)(b)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlmodel import Session, col, select

from models.errors import InvalidError
from models.tables import CaseAssignment, Decision, DecisionItem, ReviewState, Role, UserAccount, as_utc, utcnow
from recommender.errors import RecommenderError

MIN_GROUP_SIZE = 5
MIN_TEAM_MEMBERS = 5
GROUPINGS = ("module", "model_version")
REJECTION_JUMP = 0.15
AUTOMATION_BIAS_ACCEPTANCE = 0.95
AUTOMATION_BIAS_MIN_REVIEWS = 20

GROUPING_REFUSED = (
    "Grouping by {given!r} is not offered: review statistics exist only per team, never per person "
    "(co-determination; no performance monitoring of individual staff). Allowed: module, model_version."
)
TEAM_TOO_SMALL = (
    "The team has fewer than {minimum} active counsellors, so team rates would reveal individual ones; "
    "statistics are suppressed."
)
_REVIEWED = (ReviewState.approved.value, ReviewState.edited.value, ReviewState.rejected.value)


class MonitoringError(RecommenderError, InvalidError):
    """A statistics request that is not offered (e.g. grouping by person)."""


@dataclass
class GroupStats:
    key: str
    suppressed: bool
    reviews: int | None = None
    approval_rate: float | None = None
    edit_rate: float | None = None
    rejection_rate: float | None = None
    median_hours_to_review: float | None = None


@dataclass
class TeamReport:
    team_id: int
    group_by: str
    since: datetime
    suppressed: bool
    message: str | None = None
    total_reviews: int | None = None
    pending_reviews: int | None = None
    groups: list[GroupStats] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class _Review:
    module_id: str
    model_version: str
    state: str
    hours: float
    decided_at: datetime


def _team_member_ids(session: Session, team_id: int) -> list[int]:
    statement = select(UserAccount.id).where(
        UserAccount.team_id == team_id,
        UserAccount.is_active == True,  # noqa: E712
        col(UserAccount.role).in_([Role.counsellor.value, Role.team_lead.value]),
    )
    return [i for i in session.exec(statement).all() if i is not None]


def _reviews(session: Session, member_ids: list[int], since: datetime) -> list[_Review]:
    statement = (
        select(DecisionItem, Decision)
        .join(Decision, col(Decision.id) == col(DecisionItem.decision_id))
        .where(
            col(DecisionItem.reviewed_by).in_(member_ids),
            col(DecisionItem.review_state).in_(_REVIEWED),
            DecisionItem.authored_by_counsellor == False,  # noqa: E712
            col(DecisionItem.reviewed_at) >= since,
        )
    )
    out = []
    for item, decision in session.exec(statement).all():
        if item.reviewed_at is None:  # excluded by the query; the check narrows the type
            continue
        hours = (as_utc(item.reviewed_at) - as_utc(decision.created_at)).total_seconds() / 3600
        out.append(_Review(item.module_id, decision.model_version, item.review_state, max(hours, 0.0),
                           as_utc(decision.created_at)))
    return out


def _stats(key: str, reviews: list[_Review]) -> GroupStats:
    n = len(reviews)
    if n < MIN_GROUP_SIZE:
        return GroupStats(key=key, suppressed=True)
    count = {state: sum(1 for r in reviews if r.state == state) for state in _REVIEWED}
    return GroupStats(
        key=key,
        suppressed=False,
        reviews=n,
        approval_rate=round(count[ReviewState.approved.value] / n, 3),
        edit_rate=round(count[ReviewState.edited.value] / n, 3),
        rejection_rate=round(count[ReviewState.rejected.value] / n, 3),
        median_hours_to_review=round(median(r.hours for r in reviews), 1),
    )


def _pending(session: Session, member_ids: list[int]) -> int:
    statement = (
        select(DecisionItem.id)
        .join(Decision, col(Decision.id) == col(DecisionItem.decision_id))
        .join(CaseAssignment, col(CaseAssignment.job_seeker_id) == col(Decision.job_seeker_id))
        .where(col(CaseAssignment.counsellor_id).in_(member_ids), col(CaseAssignment.ended_at).is_(None),
               DecisionItem.review_state == ReviewState.pending_review.value)
    )
    return len(session.exec(statement).all())


def rejection_jump_alerts(reviews: list[_Review]) -> list[dict[str, Any]]:
    """Modules whose rejection rate rose by >= ``REJECTION_JUMP`` from the previous model version."""
    first_seen: dict[str, datetime] = {}
    for r in reviews:
        first_seen[r.model_version] = min(first_seen.get(r.model_version, r.decided_at), r.decided_at)
    versions = sorted(first_seen, key=lambda v: first_seen[v])
    if len(versions) < 2:
        return []
    before_version, after_version = versions[-2], versions[-1]
    alerts = []
    for module in sorted({r.module_id for r in reviews}):
        before = [r for r in reviews if r.module_id == module and r.model_version == before_version]
        after = [r for r in reviews if r.module_id == module and r.model_version == after_version]
        if len(before) < MIN_GROUP_SIZE or len(after) < MIN_GROUP_SIZE:
            continue
        rate_before = sum(r.state == ReviewState.rejected.value for r in before) / len(before)
        rate_after = sum(r.state == ReviewState.rejected.value for r in after) / len(after)
        if rate_after - rate_before >= REJECTION_JUMP:
            alerts.append({
                "kind": "rejection_jump",
                "module_id": module,
                "from_version": before_version,
                "to_version": after_version,
                "rejection_rate_before": round(rate_before, 3),
                "rejection_rate_after": round(rate_after, 3),
            })
    return alerts


def automation_bias_alerts(reviews: list[_Review]) -> list[dict[str, Any]]:
    n = len(reviews)
    if n < AUTOMATION_BIAS_MIN_REVIEWS:
        return []
    rate = sum(r.state == ReviewState.approved.value for r in reviews) / n
    if rate < AUTOMATION_BIAS_ACCEPTANCE:
        return []
    return [{"kind": "automation_bias", "approval_rate": round(rate, 3), "reviews": n}]


def team_report(
    session: Session, *, team_id: int, group_by: str = "module", days: int = 90, now: datetime | None = None
) -> TeamReport:
    """Review statistics of one team, grouped by advice module or model version.

    Parameters
    ----------
    group_by : {"module", "model_version"}
        Anything else, in particular a person, raises :class:`MonitoringError`.
    days : int, default=90
        Look-back window.
    """
    if group_by not in GROUPINGS:
        raise MonitoringError(GROUPING_REFUSED.format(given=str(group_by)[:40]))
    since = (now or utcnow()) - timedelta(days=days)
    members = _team_member_ids(session, team_id)
    if len(members) < MIN_TEAM_MEMBERS:
        return TeamReport(team_id, group_by, since, suppressed=True,
                          message=TEAM_TOO_SMALL.format(minimum=MIN_TEAM_MEMBERS))
    reviews = _reviews(session, members, since)
    groups: dict[str, list[_Review]] = {}
    for r in reviews:
        groups.setdefault(r.module_id if group_by == "module" else r.model_version, []).append(r)
    return TeamReport(
        team_id=team_id,
        group_by=group_by,
        since=since,
        suppressed=False,
        total_reviews=len(reviews),
        pending_reviews=_pending(session, members),
        groups=[_stats(key, rows) for key, rows in sorted(groups.items())],
        alerts=rejection_jump_alerts(reviews) + automation_bias_alerts(reviews),
    )
