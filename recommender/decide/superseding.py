"""A new decision retires the pending items of the case's earlier decisions (issue 15, finding 3).

Each refresh, objection or withdrawal writes a new decision with its own pending items. The
older ones would otherwise wait in the review queue for ever, counted in every caseload,
although the job-seeker now sees only the new advice. They are marked ``superseded`` (not
deleted: the review history stays readable) and the change is logged once per new decision.

It lives in the decide stage because the decision path calls it right after writing the new
decision, and decide may not import casework.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, col, select

from models.tables import Decision, DecisionItem, JobSeeker, ReviewState
from recommender.records.bound_rows import BINDING_KEY, binding
from recommender.records.chain import EventType, append_event


def supersede_pending(session: Session, *, job_seeker: JobSeeker, decision_id: str, actor_role: str,
                      actor_id: str | int | None) -> list[str]:
    """Mark the pending items of *job_seeker*'s decisions other than *decision_id* superseded; return their ids."""
    earlier = select(Decision.id).where(Decision.job_seeker_id == job_seeker.id, Decision.id != decision_id)
    stale = list(session.exec(
        select(DecisionItem.id).where(col(DecisionItem.decision_id).in_(earlier),
                                      DecisionItem.review_state == ReviewState.pending_review.value)
    ).all())
    if not stale:
        return []
    session.execute(
        update(DecisionItem)
        .where(col(DecisionItem.id).in_(stale), col(DecisionItem.review_state) == ReviewState.pending_review.value)
        .values(review_state=ReviewState.superseded.value, version=DecisionItem.version + 1)
    )
    # The changed rows are bound to the chain again by this event, as a review binds its item.
    changed = session.exec(select(DecisionItem).where(col(DecisionItem.id).in_(stale))
                           .execution_options(populate_existing=True)).all()
    append_event(
        session,
        event_type=EventType.review_superseded,
        actor_role=actor_role,
        actor_id=actor_id,
        case_pseudonym=job_seeker.pseudonym,
        decision_id=decision_id,
        action="supersede",
        reason="a newer decision replaces the pending items",
        outputs={"item_ids": stale, BINDING_KEY: binding(decision_item=changed)},
    )
    return stale
