"""What counsellors do with a case: review advice, add their own, keep notes, work without AI.

Every review action needs a reason chosen from a list, plus free text where the list item
alone does not explain it (rejecting, editing, "other"): GDPR Art 22 and AI Act Art 14 ask
for human decisions that can be traced (G8). Two counsellors reviewing the same item at
once cannot both win: the update only applies if the item still has the version the
counsellor saw (optimistic locking); the other gets :class:`ReviewConflict` and nothing of
theirs is written.

The event log receives the reason *code* and a hash of the free text, not the text itself:
the log is immutable, the free text may contain personal details, and it stays in the
(erasable) ``decision_item`` row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.hashing import sha256_hex
from models.staff import CaseMode, CaseNote
from models.tables import (
    AdviceModule,
    CaseAssignment,
    Decision,
    DecisionItem,
    JobSeeker,
    ProfileSnapshot,
    ReviewState,
    Role,
    UserAccount,
    new_id,
    utcnow,
)
from recommender.casework.caseload import caseload_ids, log_denied
from recommender.records.chain import EventType, append_event

REASON_CODES: dict[str, dict[str, str]] = {
    "approve": {
        "fits_situation": "Passt zur Situation / fits the person's situation",
        "discussed_with_person": "Mit der Person besprochen / discussed with the person",
        "requested_by_person": "Von der Person gewünscht / requested by the person",
        "other": "Sonstiges / other",
    },
    "edit": {
        "adjusted_to_situation": "An die Situation angepasst / adjusted to the situation",
        "due_date_changed": "Frist geändert / due date changed",
        "wording_clarified": "Text verständlicher gemacht / wording clarified",
        "other": "Sonstiges / other",
    },
    "reject": {
        "not_eligible": "Voraussetzungen nicht erfüllt / eligibility not met",
        "not_suitable_now": "Derzeit nicht passend / not suitable now",
        "person_declined": "Person möchte das nicht / person declined",
        "better_alternative": "Bessere Alternative vorhanden / better alternative exists",
        "other": "Sonstiges / other",
    },
}
_STATE_AFTER = {"approve": ReviewState.approved, "edit": ReviewState.edited, "reject": ReviewState.rejected}
_EVENT_FOR = {
    "approve": EventType.reviewer_approved,
    "edit": EventType.reviewer_edited,
    "reject": EventType.reviewer_rejected,
}
VISIBLE_STATES = frozenset({ReviewState.not_required, ReviewState.approved, ReviewState.edited})
MAX_REASON_TEXT = 1800
MAX_ADVICE_TEXT = 4000
MAX_NOTE_TEXT = 4000

ACTION_UNKNOWN = "Unknown review action {given!r}; allowed: approve, edit, reject."
REASON_MISSING = "Please choose a reason from the list."
REASON_UNKNOWN = "Unknown reason {given!r} for {action}; allowed: {allowed}."
REASON_TEXT_MISSING = (
    "Please explain the decision in a few words: {action} with reason {code!r} needs a free-text reason."
)
REASON_TEXT_TOO_LONG = "The reason has {given} characters; at most {maximum} are allowed."
EDIT_NOTHING = "An edit needs a changed text or a due date."
DUE_DATE_PAST = "The due date {given} is in the past; choose today or a later day."
TEXT_MISSING = "Please enter the text."
TEXT_TOO_LONG = "The text has {given} characters; at most {maximum} are allowed."
ITEM_NOT_FOUND = "No such advice item in this case."
DECISION_NOT_FOUND = "No such decision in this case."
NO_DECISION_YET = "This case has no advice yet; own advice can be added once Lotse has made a first suggestion."
CONFLICT_ALREADY_REVIEWED = (
    "Someone else reviewed this item first (now: {state}, at {when}). Your change was not saved; "
    "please reload the page to see the current state."
)
CONFLICT_NOT_PENDING = "This item does not need a review (state: {state}); nothing was changed."
REASSIGN_TARGET_INVALID = "The new counsellor must be an active counsellor or team lead in your team."
REASSIGN_SAME = "The case is already assigned to this counsellor."
REASSIGN_OUTSIDE_TEAM = "This case is not assigned within your team."
MODE_REASON_MISSING = "Please give a reason for switching the AI on or off for this case."


class ReviewError(ValueError):
    """Bad input for a review action (answered 422; nothing changed)."""


class ReviewConflict(Exception):
    """The item changed since the counsellor loaded it (answered 409; nothing changed)."""


class ReviewNotFound(LookupError):
    """The item or decision is not part of this case (answered 404)."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def validate_reason(action: str, reason_code: str | None, reason_text: str | None) -> tuple[str, str]:
    """Return ``(code, text)`` or raise :class:`ReviewError` with what is missing."""
    if action not in REASON_CODES:
        raise ReviewError(ACTION_UNKNOWN.format(given=str(action)[:40]))
    code = _clean(reason_code)
    if not code:
        raise ReviewError(REASON_MISSING)
    if code not in REASON_CODES[action]:
        allowed = ", ".join(REASON_CODES[action])
        raise ReviewError(REASON_UNKNOWN.format(given=code[:40], action=action, allowed=allowed))
    text = _clean(reason_text)
    if not text and (action in ("reject", "edit") or code == "other"):
        raise ReviewError(REASON_TEXT_MISSING.format(action=action, code=code))
    if len(text) > MAX_REASON_TEXT:
        raise ReviewError(REASON_TEXT_TOO_LONG.format(given=len(text), maximum=MAX_REASON_TEXT))
    return code, text


def _item_of_case(session: Session, *, job_seeker: JobSeeker, item_id: str) -> tuple[DecisionItem, Decision]:
    item = session.get(DecisionItem, item_id)
    decision = session.get(Decision, item.decision_id) if item else None
    if item is None or decision is None or decision.job_seeker_id != job_seeker.id:
        raise ReviewNotFound(ITEM_NOT_FOUND)
    return item, decision


def review_item(
    session: Session,
    *,
    job_seeker: JobSeeker,
    item_id: str,
    reviewer: UserAccount,
    action: str,
    reason_code: str | None,
    reason_text: str | None,
    expected_version: int,
    edited_text: str | None = None,
    due_date: date | None = None,
    today: date | None = None,
) -> DecisionItem:
    """Approve, edit or reject one pending item of *job_seeker*'s case.

    Parameters
    ----------
    expected_version : int
        The ``version`` the counsellor saw; if the item changed since, :class:`ReviewConflict`.

    Raises
    ------
    ReviewError, ReviewConflict, ReviewNotFound
    """
    code, text = validate_reason(action, reason_code, reason_text)
    try:
        item, decision = _item_of_case(session, job_seeker=job_seeker, item_id=item_id)
    except ReviewNotFound:
        log_denied(session=session, user=reviewer, pseudonym=job_seeker.pseudonym, action=f"review:{item_id[:40]}",
                   why="item not in this case")
        raise
    new_text = _clean(edited_text) or None
    if action == "edit":
        if new_text is None and due_date is None:
            raise ReviewError(EDIT_NOTHING)
        if new_text is not None and len(new_text) > MAX_ADVICE_TEXT:
            raise ReviewError(TEXT_TOO_LONG.format(given=len(new_text), maximum=MAX_ADVICE_TEXT))
    if due_date is not None and due_date < (today or utcnow().date()):
        raise ReviewError(DUE_DATE_PAST.format(given=due_date.isoformat()))
    if item.review_state != ReviewState.pending_review and item.version == expected_version:
        raise ReviewConflict(CONFLICT_NOT_PENDING.format(state=item.review_state))
    now = utcnow()
    values: dict[str, Any] = {
        "review_state": _STATE_AFTER[action].value,
        "version": DecisionItem.version + 1,
        "reviewed_by": reviewer.id,
        "reviewed_at": now,
        "review_reason": f"{code}: {text}" if text else code,
    }
    if action == "edit":
        values["edited_text"] = new_text
    if due_date is not None and action != "reject":
        values["due_date"] = due_date
    statement = (
        update(DecisionItem)
        .where(
            col(DecisionItem.id) == item.id,
            col(DecisionItem.version) == expected_version,
            col(DecisionItem.review_state) == ReviewState.pending_review.value,
        )
        .values(**values)
    )
    result = session.execute(statement)
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(item)
        when = item.reviewed_at.strftime("%d.%m.%Y %H:%M UTC") if item.reviewed_at else "?"
        raise ReviewConflict(CONFLICT_ALREADY_REVIEWED.format(state=item.review_state, when=when))
    session.refresh(item)
    append_event(
        session,
        event_type=_EVENT_FOR[action],
        actor_role=reviewer.role,
        actor_id=reviewer.id,
        case_pseudonym=job_seeker.pseudonym,
        decision_id=decision.id,
        model_version=decision.model_version,
        feature_set_version=decision.feature_set_version,
        action=action,
        reason=f"{action}:{code}",
        outputs={
            "item_id": item.id,
            "module_id": item.module_id,
            "reason_code": code,
            "reason_text_sha256": sha256_hex(text) if text else None,
            "due_date": item.due_date.isoformat() if item.due_date else None,
            "edited": action == "edit",
        },
    )
    return item


def latest_decision(session: Session, *, job_seeker_id: int) -> Decision | None:
    statement = (
        select(Decision)
        .where(Decision.job_seeker_id == job_seeker_id)
        .order_by(col(Decision.created_at).desc(), col(Decision.id).desc())
    )
    return session.exec(statement).first()


def add_counsellor_advice(
    session: Session, *, job_seeker: JobSeeker, author: UserAccount, text: str, due_date: date | None = None,
    today: date | None = None,
) -> DecisionItem:
    """Add the counsellor's own advice to the latest decision (approved at once, logged as theirs).

    Such items have ``authored_by_counsellor=True``, ``module_id`` ``counsellor-<id>`` and the
    advice text in ``edited_text``; training reads them as feedback on what the model missed.
    """
    body = _clean(text)
    if not body:
        raise ReviewError(TEXT_MISSING)
    if len(body) > MAX_ADVICE_TEXT:
        raise ReviewError(TEXT_TOO_LONG.format(given=len(body), maximum=MAX_ADVICE_TEXT))
    if due_date is not None and due_date < (today or utcnow().date()):
        raise ReviewError(DUE_DATE_PAST.format(given=due_date.isoformat()))
    assert job_seeker.id is not None
    decision = latest_decision(session, job_seeker_id=job_seeker.id)
    if decision is None:
        raise ReviewError(NO_DECISION_YET)
    last_rank = session.exec(select(func.max(DecisionItem.rank)).where(DecisionItem.decision_id == decision.id)).one()
    now = utcnow()
    item = DecisionItem(
        decision_id=decision.id,
        module_id=f"counsellor-{new_id()[:12]}",
        rank=(last_rank or 0) + 1,
        score=None,
        propensity=1.0,
        reasons=[],
        review_state=ReviewState.approved.value,
        reviewed_by=author.id,
        reviewed_at=now,
        review_reason="counsellor_authored",
        edited_text=body,
        due_date=due_date,
        authored_by_counsellor=True,
    )
    session.add(item)
    session.flush()
    append_event(
        session,
        event_type=EventType.counsellor_advice_added,
        actor_role=author.role,
        actor_id=author.id,
        case_pseudonym=job_seeker.pseudonym,
        decision_id=decision.id,
        action="add_advice",
        outputs={"item_id": item.id, "text_sha256": sha256_hex(body)},
    )
    return item


def add_note(
    session: Session, *, job_seeker: JobSeeker, author: UserAccount, text: str, visible_to_job_seeker: bool
) -> CaseNote:
    body = _clean(text)
    if not body:
        raise ReviewError(TEXT_MISSING)
    if len(body) > MAX_NOTE_TEXT:
        raise ReviewError(TEXT_TOO_LONG.format(given=len(body), maximum=MAX_NOTE_TEXT))
    assert job_seeker.id is not None and author.id is not None
    note = CaseNote(job_seeker_id=job_seeker.id, author_id=author.id, text=body,
                    visible_to_job_seeker=visible_to_job_seeker)
    session.add(note)
    session.flush()
    return note


def case_notes(session: Session, *, job_seeker_id: int) -> list[CaseNote]:
    statement = (
        select(CaseNote).where(CaseNote.job_seeker_id == job_seeker_id).order_by(col(CaseNote.created_at).desc())
    )
    return list(session.exec(statement).all())


def set_case_mode(
    session: Session, *, job_seeker: JobSeeker, user: UserAccount, without_ai: bool, reason: str | None
) -> bool:
    """Switch "work without AI" for one case (G9); True if it changed. Logged with reason."""
    why = _clean(reason)
    if not why:
        raise ReviewError(MODE_REASON_MISSING)
    assert job_seeker.id is not None
    mode = session.get(CaseMode, job_seeker.id)
    if mode is not None and mode.without_ai == without_ai:
        return False
    if mode is None:
        mode = CaseMode(job_seeker_id=job_seeker.id)
    mode.without_ai = without_ai
    mode.changed_by = user.id
    mode.changed_at = utcnow()
    mode.reason = why[:500]
    session.add(mode)
    append_event(
        session,
        event_type=EventType.case_mode_changed,
        actor_role=user.role,
        actor_id=user.id,
        case_pseudonym=job_seeker.pseudonym,
        action="without_ai" if without_ai else "with_ai",
        reason=why[:500],
    )
    return True


def current_counsellor_id(session: Session, *, job_seeker_id: int) -> int | None:
    statement = select(CaseAssignment.counsellor_id).where(
        CaseAssignment.job_seeker_id == job_seeker_id, col(CaseAssignment.ended_at).is_(None)
    )
    return session.exec(statement).first()


def reassign_case(
    session: Session, *, job_seeker: JobSeeker, team_lead: UserAccount, new_counsellor_id: int, reason: str
) -> CaseAssignment:
    """Move a case to another counsellor of the team lead's team; logged with the reason."""
    why = _clean(reason)
    if not why:
        raise ReviewError("Please give a reason for the reassignment.")
    target = session.get(UserAccount, new_counsellor_id)
    if (
        target is None
        or not target.is_active
        or target.role not in (Role.counsellor, Role.team_lead)
        or target.team_id is None
        or target.team_id != team_lead.team_id
    ):
        raise ReviewError(REASSIGN_TARGET_INVALID)
    assert job_seeker.id is not None
    current_id = current_counsellor_id(session, job_seeker_id=job_seeker.id)
    if current_id == new_counsellor_id:
        raise ReviewError(REASSIGN_SAME)
    if current_id is not None:
        current = session.get(UserAccount, current_id)
        if current is None or current.team_id != team_lead.team_id:
            raise ReviewError(REASSIGN_OUTSIDE_TEAM)
    now = utcnow()
    for row in session.exec(
        select(CaseAssignment).where(CaseAssignment.job_seeker_id == job_seeker.id,
                                     col(CaseAssignment.ended_at).is_(None))
    ).all():
        row.ended_at = now
        session.add(row)
    assignment = CaseAssignment(job_seeker_id=job_seeker.id, counsellor_id=new_counsellor_id, assigned_at=now)
    session.add(assignment)
    session.flush()
    append_event(
        session,
        event_type=EventType.case_reassigned,
        actor_role=team_lead.role,
        actor_id=team_lead.id,
        case_pseudonym=job_seeker.pseudonym,
        action="reassign",
        reason=why[:500],
        outputs={"from_user_id": current_id, "to_user_id": new_counsellor_id},
    )
    return assignment


# --- read models for the pages ------------------------------------------------------------


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
    assert user.id is not None
    ids = caseload_ids(session=session, user_id=user.id)
    if not ids:
        return []
    seekers = session.exec(
        select(JobSeeker).where(col(JobSeeker.id).in_(ids), col(JobSeeker.erased_at).is_(None))
    ).all()
    pending = dict(
        session.exec(
            select(Decision.job_seeker_id, func.count(DecisionItem.id))
            .join(DecisionItem, col(DecisionItem.decision_id) == col(Decision.id))
            .where(col(Decision.job_seeker_id).in_(ids),
                   DecisionItem.review_state == ReviewState.pending_review.value)
            .group_by(Decision.job_seeker_id)
        ).all()
    )
    latest = dict(
        session.exec(
            select(Decision.job_seeker_id, func.max(Decision.created_at))
            .where(col(Decision.job_seeker_id).in_(ids))
            .group_by(Decision.job_seeker_id)
        ).all()
    )
    modes = {m.job_seeker_id: m.without_ai for m in session.exec(
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
        rows = [r for r in rows if _aware(r.last_activity_at) <= cutoff]
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


def review_queue(session: Session, *, user: UserAccount, limit: int | None = None) -> list[QueueRow]:
    """Pending items in the user's caseload, the longest-waiting first (at most *limit*)."""
    assert user.id is not None
    ids = caseload_ids(session=session, user_id=user.id)
    if not ids:
        return []
    # Only the columns the queue shows: loading whole rows would decode every JSON column.
    statement = (
        select(JobSeeker.pseudonym, Decision.id, DecisionItem.id, DecisionItem.module_id, Decision.created_at)
        .join(Decision, col(Decision.id) == col(DecisionItem.decision_id))
        .join(JobSeeker, col(JobSeeker.id) == col(Decision.job_seeker_id))
        .where(col(Decision.job_seeker_id).in_(ids), DecisionItem.review_state == ReviewState.pending_review.value,
               col(JobSeeker.erased_at).is_(None))
        .order_by(col(Decision.created_at), col(DecisionItem.rank))
    )
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


def review_queue_size(session: Session, *, user: UserAccount) -> int:
    """How many items in the user's caseload wait for review."""
    assert user.id is not None
    ids = caseload_ids(session=session, user_id=user.id)
    if not ids:
        return 0
    statement = (
        select(func.count(col(DecisionItem.id)))
        .join(Decision, col(Decision.id) == col(DecisionItem.decision_id))
        .join(JobSeeker, col(JobSeeker.id) == col(Decision.job_seeker_id))
        .where(col(Decision.job_seeker_id).in_(ids), DecisionItem.review_state == ReviewState.pending_review.value,
               col(JobSeeker.erased_at).is_(None))
    )
    return int(session.exec(statement).one())


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
    rules_by_module: dict[str, list[dict[str, Any]]] = {}
    general_rules: list[dict[str, Any]] = []
    for rule in decision.guardrails or []:
        target = rule.get("module_id") if isinstance(rule, dict) else None
        (rules_by_module.setdefault(target, []) if target else general_rules).append(rule)
    item_views = []
    for item in items:
        module = modules.get(item.module_id)
        item_views.append({
            "id": item.id,
            "module_id": item.module_id,
            "title_de": module.title_de if module else item.module_id,
            "title_en": module.title_en if module else item.module_id,
            "legal_basis": module.legal_basis if module else None,
            "needs_approval": bool(module.needs_counsellor_approval) if module else
            item.review_state != ReviewState.not_required,
            "rank": item.rank,
            "score": item.score,
            "reasons": item.reasons or [],
            "rules": rules_by_module.get(item.module_id, []),
            "review_state": item.review_state,
            "version": item.version,
            "reviewed_at": item.reviewed_at,
            "review_reason": item.review_reason,
            "edited_text": item.edited_text,
            "due_date": item.due_date,
            "authored_by_counsellor": item.authored_by_counsellor,
        })
    return {
        "decision": decision,
        "snapshot": snapshot.payload if snapshot else {},
        "snapshot_sha256": snapshot.sha256 if snapshot else None,
        "diagnostic": decision.diagnostic or [],
        "general_rules": general_rules,
        "items": item_views,
    }


def case_decisions(session: Session, *, job_seeker_id: int) -> list[Decision]:
    statement = select(Decision).where(Decision.job_seeker_id == job_seeker_id).order_by(
        col(Decision.created_at).desc())
    return list(session.exec(statement).all())


@dataclass(frozen=True)
class AssignmentRow:
    pseudonym: str
    counsellor_id: int | None
    counsellor_name: str
    last_activity_at: datetime


def team_assignments(session: Session, *, team_lead: UserAccount) -> list[AssignmentRow]:
    """Who looks after which case in the team lead's team (ids and names only, no case content)."""
    if team_lead.team_id is None:
        return []
    members = {u.id: u for u in session.exec(select(UserAccount).where(UserAccount.team_id == team_lead.team_id)).all()}
    if not members:
        return []
    statement = (
        select(CaseAssignment, JobSeeker)
        .join(JobSeeker, col(JobSeeker.id) == col(CaseAssignment.job_seeker_id))
        .where(col(CaseAssignment.counsellor_id).in_(list(members)), col(CaseAssignment.ended_at).is_(None),
               col(JobSeeker.erased_at).is_(None))
        .order_by(col(JobSeeker.pseudonym))
    )
    rows = []
    for assignment, seeker in session.exec(statement).all():
        member = members.get(assignment.counsellor_id)
        rows.append(AssignmentRow(seeker.pseudonym, assignment.counsellor_id,
                                  (member.display_name or member.username) if member else "?",
                                  seeker.last_activity_at))
    return unassigned_cases(session, jobcenter_id=team_lead.jobcenter_id) + rows


def unassigned_cases(session: Session, *, jobcenter_id: int) -> list[AssignmentRow]:
    """Cases of the Jobcenter nobody looks after yet (new job-seekers), for a team lead to assign."""
    assigned = select(CaseAssignment.job_seeker_id).where(col(CaseAssignment.ended_at).is_(None))
    statement = (
        select(JobSeeker)
        .where(JobSeeker.jobcenter_id == jobcenter_id, col(JobSeeker.erased_at).is_(None),
               col(JobSeeker.id).not_in(assigned))
        .order_by(col(JobSeeker.created_at))
    )
    return [AssignmentRow(s.pseudonym, None, "–", s.last_activity_at) for s in session.exec(statement).all()]


def team_members(session: Session, *, team_id: int | None) -> list[UserAccount]:
    if team_id is None:
        return []
    statement = select(UserAccount).where(
        UserAccount.team_id == team_id, UserAccount.is_active == True,  # noqa: E712
        col(UserAccount.role).in_([Role.counsellor.value, Role.team_lead.value]),
    ).order_by(col(UserAccount.username))
    return list(session.exec(statement).all())
