"""What the outbound feed says about each change a Fachverfahren needs to know of (issue 20).

Called by the code that makes the change, in its transaction: a counsellor's decision
(``review.py``), a change of the person's plan (``plan.py``), an outcome (``journey.py``,
``counsellor_outcome.py``, ``outcome_import.py``). Each builds the version-1 document of
``models/interchange.py`` (pseudonyms and codes, never staff free text) and hands it to the
outbox (``records/outbox.py``), which numbers it in commit order.
"""

from __future__ import annotations

from sqlmodel import Session

from models.errors import require_id
from models.interchange import ActionPlanV1, CaseErasedV1, CounsellorDecisionV1, OutcomeV1
from models.tables import DecisionItem, JobSeeker, Outcome, as_utc, utcnow
from recommender.casework.interchange_view import plan_steps
from recommender.records.outbox import erase_feed_payloads, record_feed_entry


def report_counsellor_decision(session: Session, *, job_seeker: JobSeeker, item: DecisionItem, action: str,
                               reason_code: str) -> None:
    document = CounsellorDecisionV1(
        item_id=item.id, decision_id=item.decision_id, case=job_seeker.pseudonym, module_id=item.module_id,
        action=action,
        review_state=item.review_state,
        reason_code=reason_code, due_date=item.due_date,
        text_changed=item.edited_text is not None, decided_at=as_utc(item.reviewed_at or utcnow()))
    record_feed_entry(session, job_seeker=job_seeker, kind="counsellor_decision",
                      payload=document.model_dump(mode="json"))


def report_plan_change(session: Session, *, job_seeker: JobSeeker, module_id: str, change: str) -> None:
    """The whole plan after *change* of *module_id*: a reader needs no earlier entry to know it."""
    session.flush()
    document = ActionPlanV1(
        case=job_seeker.pseudonym, change=change, module_id=module_id,
        changed_at=utcnow(), steps=plan_steps(session, job_seeker=job_seeker))
    record_feed_entry(session, job_seeker=job_seeker, kind="action_plan", payload=document.model_dump(mode="json"))


def report_outcome(session: Session, *, job_seeker: JobSeeker, outcome: Outcome) -> None:
    document = OutcomeV1(outcome_id=require_id(outcome), case=job_seeker.pseudonym,
                         kind=outcome.kind,
                         occurred_on=outcome.occurred_on, reported_by=outcome.reported_by,
                         recorded_at=as_utc(outcome.created_at))
    record_feed_entry(session, job_seeker=job_seeker, kind="outcome", payload=document.model_dump(mode="json"))


def report_erasure(session: Session, *, job_seeker: JobSeeker) -> int:
    """Empty the case's earlier entries and tell recipients of the erasure; the number of entries emptied."""
    emptied = erase_feed_payloads(session, job_seeker=job_seeker)
    document = CaseErasedV1(case=job_seeker.pseudonym, erased_at=as_utc(job_seeker.erased_at or utcnow()))
    record_feed_entry(session, job_seeker=job_seeker, kind="case_erased", payload=document.model_dump(mode="json"))
    return emptied
