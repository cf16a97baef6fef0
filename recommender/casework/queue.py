"""What waits for a counsellor: the caseload overview, the review queue and one decision's detail.

Read models for the counsellor pages. Lists are never sorted by any model output (G7): the
oldest waiting item comes first, the caseload sorts by activity, open reviews or pseudonym.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from data.catalogue import load_catalogue
from models.errors import require_id
from models.staff import CaseMode
from models.tables import (
    AdviceModule,
    CaseAssignment,
    Decision,
    DecisionItem,
    Feedback,
    JobSeeker,
    ProfileSnapshot,
    ReviewState,
    UserAccount,
    as_utc,
    utcnow,
)
from recommender.casework.caseload import caseload_ids
from recommender.casework.validation import ReviewError, ReviewNotFound
from recommender.decide.stored_form import load_record, unpack_diagnostic, unpack_guardrails, unpack_reasons

DECISION_NOT_FOUND = "No such decision in this case."


@dataclass(frozen=True)
class CaseRow:
    pseudonym: str
    last_activity_at: datetime
    open_reviews: int
    latest_decision_at: datetime | None
    without_ai: bool
    objection_active: bool


CASELOAD_SORTS = ("last_activity", "open_reviews", "pseudonym")
SORT_UNKNOWN = "Unknown sort {given!r}; allowed: " + ", ".join(CASELOAD_SORTS) + "."


def caseload_overview(
    session: Session,
    *,
    user: UserAccount,
    open_reviews_only: bool = False,
    sort: str = "last_activity",
    inactive_days: int | None = None,
) -> list[CaseRow]:
    """The user's cases with open reviews and last activity; never sorted by any model output (G7).

    Parameters
    ----------
    open_reviews_only : bool, default=False
        Only cases with at least one item waiting for review.
    inactive_days : int or None, default=None
        Only cases without activity for at least this many days (to follow up quiet cases).
    """
    if sort not in CASELOAD_SORTS:
        raise ReviewError(SORT_UNKNOWN.format(given=str(sort)[:40]))
    user_id = require_id(user)
    ids = caseload_ids(session=session, user_id=user_id)
    if not ids:
        return []
    seekers = session.exec(
        select(JobSeeker).where(col(JobSeeker.id).in_(ids), col(JobSeeker.erased_at).is_(None))
    ).all()
    # Keyed by job_seeker_id; a row's own id is typed optional, so lookups may use None.
    pending: dict[int | None, int] = dict(
        session.exec(
            select(Decision.job_seeker_id, func.count(col(DecisionItem.id)))
            .join(DecisionItem, col(DecisionItem.decision_id) == col(Decision.id))
            .where(col(Decision.job_seeker_id).in_(ids),
                   DecisionItem.review_state == ReviewState.pending_review.value)
            .group_by(col(Decision.job_seeker_id))
        ).all()
    )
    latest: dict[int | None, datetime] = dict(
        session.exec(
            select(Decision.job_seeker_id, func.max(Decision.created_at))
            .where(col(Decision.job_seeker_id).in_(ids))
            .group_by(col(Decision.job_seeker_id))
        ).all()
    )
    modes: dict[int | None, bool] = {m.job_seeker_id: m.without_ai for m in session.exec(
        select(CaseMode).where(col(CaseMode.job_seeker_id).in_(ids))).all()}
    rows = [
        CaseRow(
            pseudonym=s.pseudonym,
            last_activity_at=s.last_activity_at,
            open_reviews=int(pending.get(s.id, 0)),
            latest_decision_at=latest.get(s.id),
            without_ai=bool(modes.get(s.id, False)),
            objection_active=s.objection_active,
        )
        for s in seekers
    ]
    if open_reviews_only:
        rows = [r for r in rows if r.open_reviews > 0]
    if inactive_days is not None:
        cutoff = utcnow() - timedelta(days=inactive_days)
        rows = [r for r in rows if as_utc(r.last_activity_at) <= cutoff]
    if sort == "pseudonym":
        rows.sort(key=lambda r: r.pseudonym)
    elif sort == "open_reviews":
        rows.sort(key=lambda r: (-r.open_reviews, r.pseudonym))
    else:
        rows.sort(key=lambda r: (r.last_activity_at, r.pseudonym), reverse=True)
    return rows


@dataclass(frozen=True)
class QueueRow:
    pseudonym: str
    decision_id: str
    item_id: str
    module_id: str
    title_de: str
    title_en: str
    waiting_since: datetime


def _pending_of(cases: Any) -> Any:
    """Pending items of the cases *cases* selects (a condition on ``Decision.job_seeker_id``), oldest first."""
    return (
        # sqlmodel's select() declares typed overloads for up to four columns only; five work at run time.
        select(  # type: ignore[call-overload]
            JobSeeker.pseudonym, Decision.id, DecisionItem.id, DecisionItem.module_id, Decision.created_at)
        .join(Decision, col(Decision.id) == col(DecisionItem.decision_id))
        .join(JobSeeker, col(JobSeeker.id) == col(Decision.job_seeker_id))
        .where(cases, DecisionItem.review_state == ReviewState.pending_review.value,
               col(JobSeeker.erased_at).is_(None))
        .order_by(col(Decision.created_at), col(DecisionItem.rank))
    )


def _unassigned_of(jobcenter_id: int) -> Any:
    """Cases of the Jobcenter that nobody looks after yet (every anonymous start begins so)."""
    assigned = select(CaseAssignment.job_seeker_id).where(col(CaseAssignment.ended_at).is_(None))
    of_center = select(JobSeeker.id).where(JobSeeker.jobcenter_id == jobcenter_id)
    return col(Decision.job_seeker_id).in_(of_center) & col(Decision.job_seeker_id).not_in(assigned)


def _queue_rows(session: Session, statement: Any, limit: int | None) -> list[QueueRow]:
    if limit is not None:
        statement = statement.limit(limit)
    titles = _module_titles(session)
    return [
        QueueRow(
            pseudonym=pseudonym,
            decision_id=decision_id,
            item_id=item_id,
            module_id=module_id,
            title_de=titles.get(module_id, (module_id, module_id))[0],
            title_en=titles.get(module_id, (module_id, module_id))[1],
            waiting_since=created_at,
        )
        for pseudonym, decision_id, item_id, module_id, created_at in session.exec(statement).all()
    ]


def _count(session: Session, statement: Any) -> int:
    return int(session.exec(select(func.count()).select_from(statement.order_by(None).subquery())).one())


def review_queue(session: Session, *, user: UserAccount, limit: int | None = None) -> list[QueueRow]:
    """Pending items in the user's caseload, the longest-waiting first (at most *limit*)."""
    ids = caseload_ids(session=session, user_id=require_id(user))
    if not ids:
        return []
    return _queue_rows(session, _pending_of(col(Decision.job_seeker_id).in_(ids)), limit)


def review_queue_size(session: Session, *, user: UserAccount) -> int:
    """How many items in the user's caseload wait for review."""
    user_id = require_id(user)
    ids = caseload_ids(session=session, user_id=user_id)
    if not ids:
        return 0
    return _count(session, _pending_of(col(Decision.job_seeker_id).in_(ids)))


def unassigned_queue(session: Session, *, jobcenter_id: int, limit: int | None = None) -> list[QueueRow]:
    """Pending items of the Jobcenter's cases without a counsellor, the longest-waiting first.

    Every counsellor and team lead of the Jobcenter sees this list and may claim a case from it;
    otherwise advice that needs a human decision would wait for nobody (issue 15).
    """
    return _queue_rows(session, _pending_of(_unassigned_of(jobcenter_id)), limit)


def unassigned_queue_size(session: Session, *, jobcenter_id: int) -> int:
    """How many items of cases without a counsellor wait for review in the Jobcenter."""
    return _count(session, _pending_of(_unassigned_of(jobcenter_id)))


def _module_titles(session: Session) -> dict[str, tuple[str, str]]:
    rows = session.exec(select(AdviceModule.id, AdviceModule.title_de, AdviceModule.title_en)).all()
    return {module_id: (title_de, title_en) for module_id, title_de, title_en in rows}


def _modules(session: Session, module_ids: list[str]) -> dict[str, AdviceModule]:
    if not module_ids:
        return {}
    return {m.id: m for m in session.exec(select(AdviceModule).where(col(AdviceModule.id).in_(module_ids))).all()}


def decision_detail(session: Session, *, job_seeker: JobSeeker, decision_id: str) -> dict[str, Any]:
    """Everything a counsellor needs to judge one decision: inputs, diagnostic, items, rules, model."""
    decision = session.get(Decision, decision_id)
    if decision is None or decision.job_seeker_id != job_seeker.id:
        raise ReviewNotFound(DECISION_NOT_FOUND)
    snapshot = session.get(ProfileSnapshot, decision.snapshot_id)
    items = list(
        session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)
                     .order_by(col(DecisionItem.rank))).all()
    )
    modules = _modules(session, [i.module_id for i in items])
    specs = {m.id: m for m in load_catalogue().modules}
    rule_texts = {(m.id, r.id): (r.reason_de, r.reason_en) for m in specs.values() for r in m.eligibility}
    rules_by_module: dict[str, list[dict[str, Any]]] = {}
    general_rules: list[dict[str, Any]] = []
    record = load_record(session.connection(), decision.record_digest)
    for rule in unpack_guardrails(decision.guardrails or [], record):
        target = rule.get("module_id") if isinstance(rule, dict) else None
        if isinstance(rule, dict):
            text_de, text_en = rule_texts.get((str(target), str(rule.get("rule_id"))), ("", ""))
            rule = {**rule, "text_de": text_de, "text_en": text_en}
        (rules_by_module.setdefault(target, []) if target else general_rules).append(rule)
    item_views = []
    for item in items:
        module = modules.get(item.module_id)
        spec = specs.get(item.module_id)
        item_views.append({
            "id": item.id,
            "module_id": item.module_id,
            "title_de": module.title_de if module else item.module_id,
            "title_en": module.title_en if module else item.module_id,
            "legal_basis": module.legal_basis if module else None,
            "needs_approval": bool(module.needs_counsellor_approval) if module else
            item.review_state != ReviewState.not_required,
            "rank": item.rank,
            "uplift": item.uplift,
            "reasons": unpack_reasons(item.reasons, record),
            "rules": rules_by_module.get(item.module_id, []),
            "review_state": item.review_state,
            "version": item.version,
            "reviewed_at": item.reviewed_at,
            "review_reason": item.review_reason,
            "edited_text": item.edited_text,
            # What the job-seeker would read: the counsellor's edit, else the catalogue text.
            "text_de": item.edited_text or (spec.text.de if spec else ""),
            "text_en": item.edited_text or (spec.text.en if spec else ""),
            "due_date": item.due_date,
            "authored_by_counsellor": item.authored_by_counsellor,
        })
    return {
        "decision": decision,
        "snapshot": snapshot.payload if snapshot else {},
        "snapshot_sha256": snapshot.sha256 if snapshot else None,
        "diagnostic": unpack_diagnostic(decision.diagnostic, record),
        "general_rules": general_rules,
        "items": item_views,
    }


@dataclass(frozen=True)
class FeedbackRow:
    given_at: datetime
    module_id: str
    title_de: str
    title_en: str
    kind: str
    comment: str | None


def case_feedback(session: Session, *, job_seeker_id: int) -> list[FeedbackRow]:
    """What the job-seeker said about their advice (e.g. "Ohne Kita-Platz geht das nicht"), newest first."""
    statement = (
        select(Feedback.created_at, DecisionItem.module_id, Feedback.kind, Feedback.comment)
        .join(DecisionItem, col(DecisionItem.id) == col(Feedback.decision_item_id))
        .where(Feedback.job_seeker_id == job_seeker_id)
        .order_by(col(Feedback.created_at).desc())
    )
    titles = _module_titles(session)
    return [FeedbackRow(at, module_id, *titles.get(module_id, (module_id, module_id)), kind, comment)
            for at, module_id, kind, comment in session.exec(statement).all()]


def case_decisions(session: Session, *, job_seeker_id: int) -> list[Decision]:
    statement = select(Decision).where(Decision.job_seeker_id == job_seeker_id).order_by(
        col(Decision.created_at).desc())
    return list(session.exec(statement).all())
