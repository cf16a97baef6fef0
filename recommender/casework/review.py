"""Counsellors review Lotse's advice items (approve, edit, reject) and add advice of their own.

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

from datetime import date
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from models.crud import latest_decision
from models.errors import require_id
from models.tables import Decision, DecisionItem, JobSeeker, ReviewState, UserAccount, jobcenter_today, new_id, utcnow
from recommender.casework.caseload import log_denied
from recommender.casework.feed import report_counsellor_decision
from recommender.casework.validation import (
    TEXT_TOO_LONG,
    ReviewConflict,
    ReviewError,
    ReviewNotFound,
    checked_text,
    clean_text,
)
from recommender.records.bound_rows import BINDING_KEY, binding
from recommender.records.chain import EventType, append_event
from recommender.records.free_text import text_digest


def _(message: str) -> str:
    """Mark a label for the translation catalogue; the pages translate it into the reader's language."""
    return message


# Labels are English msgids (api/locales), so each page shows them in one language.
REASON_CODES: dict[str, dict[str, str]] = {
    "approve": {
        "fits_situation": _("Fits the person's situation"),
        "discussed_with_person": _("Discussed with the person"),
        "requested_by_person": _("Requested by the person"),
        "other": _("Other"),
    },
    "edit": {
        "adjusted_to_situation": _("Adjusted to the situation"),
        "due_date_changed": _("Due date changed"),
        "wording_clarified": _("Wording clarified"),
        "other": _("Other"),
    },
    "reject": {
        "not_eligible": _("Eligibility not met"),
        "not_suitable_now": _("Not suitable now"),
        "person_declined": _("Person declined"),
        "better_alternative": _("Better alternative exists"),
        "other": _("Other"),
    },
}
_STATE_AFTER = {"approve": ReviewState.approved, "edit": ReviewState.edited, "reject": ReviewState.rejected}
_EVENT_FOR = {
    "approve": EventType.reviewer_approved,
    "edit": EventType.reviewer_edited,
    "reject": EventType.reviewer_rejected,
}
MAX_REASON_TEXT = 1800
MAX_ADVICE_TEXT = 4000

ACTION_UNKNOWN = "Unknown review action {given!r}; allowed: approve, edit, reject."
REASON_MISSING = "Please choose a reason from the list."
REASON_UNKNOWN = "Unknown reason {given!r} for {action}; allowed: {allowed}."
REASON_TEXT_MISSING = (
    "Please explain the decision in a few words: {action} with reason {code!r} needs a free-text reason."
)
REASON_TEXT_TOO_LONG = "The reason has {given} characters; at most {maximum} are allowed."
EDIT_NOTHING = "An edit needs a changed text or a due date."
DUE_DATE_PAST = "The due date {given} is in the past; choose today or a later day."
ITEM_NOT_FOUND = "No such advice item in this case."
NO_DECISION_YET = "This case has no advice yet; own advice can be added once Lotse has made a first suggestion."
CONFLICT_ALREADY_REVIEWED = (
    "Someone else reviewed this item first (now: {state}, at {when}). Your change was not saved; "
    "please reload the page to see the current state."
)
CONFLICT_NOT_PENDING = "This item does not need a review (state: {state}); nothing was changed."
CONFLICT_SUPERSEDED = (
    "Newer advice for this case replaced this item before it was reviewed; nothing was changed. "
    "Please review the latest advice of the case."
)


def validate_reason(action: str, reason_code: str | None, reason_text: str | None) -> tuple[str, str]:
    """Return ``(code, text)`` or raise :class:`ReviewError` with what is missing."""
    if action not in REASON_CODES:
        raise ReviewError(ACTION_UNKNOWN.format(given=str(action)[:40]))
    code = clean_text(reason_code)
    if not code:
        raise ReviewError(REASON_MISSING)
    if code not in REASON_CODES[action]:
        allowed = ", ".join(REASON_CODES[action])
        raise ReviewError(REASON_UNKNOWN.format(given=code[:40], action=action, allowed=allowed))
    text = clean_text(reason_text)
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
    except ReviewNotFound as exc:
        log_denied(session=session, user=reviewer, pseudonym=job_seeker.pseudonym, action=f"review:{item_id[:40]}",
                   why="item not in this case")
        exc.commit_trace = True
        raise
    new_text = clean_text(edited_text) or None
    if action == "edit":
        if new_text is None and due_date is None:
            raise ReviewError(EDIT_NOTHING)
        if new_text is not None and len(new_text) > MAX_ADVICE_TEXT:
            raise ReviewError(TEXT_TOO_LONG.format(given=len(new_text), maximum=MAX_ADVICE_TEXT))
    if due_date is not None and due_date < (today or jobcenter_today()):
        raise ReviewError(DUE_DATE_PAST.format(given=due_date.isoformat()))
    if item.review_state == ReviewState.superseded:
        raise ReviewConflict(CONFLICT_SUPERSEDED)
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
    # An UPDATE gives a CursorResult, which has rowcount; SQLAlchemy types Session.execute as Result.
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
            "reason_text_hmac": text_digest(text),
            "due_date": item.due_date.isoformat() if item.due_date else None,
            "edited": action == "edit",
            BINDING_KEY: binding(decision_item=[item]),
        },
    )
    report_counsellor_decision(session, job_seeker=job_seeker, item=item, action=action, reason_code=code)
    return item


def add_counsellor_advice(
    session: Session, *, job_seeker: JobSeeker, author: UserAccount, text: str, due_date: date | None = None,
    today: date | None = None,
) -> DecisionItem:
    """Add the counsellor's own advice to the latest decision (approved at once, logged as theirs).

    Such items have ``authored_by_counsellor=True``, ``module_id`` ``counsellor-<id>`` and the
    advice text in ``edited_text``; training reads them as feedback on what the model missed.
    """
    body = checked_text(text, maximum=MAX_ADVICE_TEXT)
    if due_date is not None and due_date < (today or jobcenter_today()):
        raise ReviewError(DUE_DATE_PAST.format(given=due_date.isoformat()))
    job_seeker_id = require_id(job_seeker)
    decision = latest_decision(session=session, job_seeker_id=job_seeker_id)
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
        outputs={"item_id": item.id, "text_hmac": text_digest(body), BINDING_KEY: binding(decision_item=[item])},
    )
    report_counsellor_decision(session, job_seeker=job_seeker, item=item, action="add_advice",
                               reason_code="counsellor_authored")
    return item
