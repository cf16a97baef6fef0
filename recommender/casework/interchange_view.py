"""Cases, decisions and plans as the version-1 documents machine clients read (issue 20).

A client (a token) is bound to one Jobcenter: a case of another Jobcenter, an erased case and an
unknown pseudonym all answer the same "not found", so a client cannot probe for cases. Every
read is logged as ``case_accessed`` with the token as actor; a refused one as ``access_denied``.
Documents carry pseudonyms and codes only (``models/interchange.py``), never staff free text.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from models.errors import NotFoundError, require_id
from models.interchange import ActionPlanV1, AdviceItemV1, CaseV1, DecisionV1, PlanStepV1
from models.plan import plan_steps_by_module
from models.staff import case_works_without_ai
from models.tables import CaseAssignment, Decision, DecisionItem, Jobcenter, JobSeeker, as_utc
from recommender.errors import RecommenderError
from recommender.records.chain import EventType, append_event

MACHINE_ROLE = "machine"
# The same words whether the case is unknown, erased or of another Jobcenter.
CASE_NOT_IN_JOBCENTER = "No case {pseudonym!r} in the Jobcenter of this API token."


def machine_actor(token_id: int) -> str:
    """How the decision log names a machine client (its token; the token itself is never logged)."""
    return f"token:{token_id}"


class MachineCaseNotFound(RecommenderError, NotFoundError):
    """No such case for this token; the refusal is logged and committed."""

    commit_trace = True


def resolve_machine_case(session: Session, *, pseudonym: str, jobcenter_id: int, token_id: int,
                         action: str) -> JobSeeker:
    """The case *pseudonym* if it belongs to *jobcenter_id* and is not erased; the read is logged."""
    seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).first()
    actor = machine_actor(token_id)
    if seeker is None or seeker.jobcenter_id != jobcenter_id or seeker.erased_at is not None:
        append_event(session, event_type=EventType.access_denied, actor_role=MACHINE_ROLE, actor_id=actor,
                     case_pseudonym=pseudonym[:64], action=action[:64], outputs={"why": "not in this Jobcenter"})
        raise MachineCaseNotFound(CASE_NOT_IN_JOBCENTER.format(pseudonym=pseudonym[:64]))
    append_event(session, event_type=EventType.case_accessed, actor_role=MACHINE_ROLE, actor_id=actor,
                 case_pseudonym=seeker.pseudonym, action=action[:64])
    return seeker


def case_document(session: Session, *, job_seeker: JobSeeker) -> CaseV1:
    seeker_id = require_id(job_seeker)
    center = session.get(Jobcenter, job_seeker.jobcenter_id)
    assigned = session.exec(select(CaseAssignment.id).where(
        CaseAssignment.job_seeker_id == seeker_id, col(CaseAssignment.ended_at).is_(None))).first()
    return CaseV1(pseudonym=job_seeker.pseudonym, jobcenter=center.code if center else "",
                  created_at=as_utc(job_seeker.created_at), objection_active=job_seeker.objection_active,
                  without_ai=case_works_without_ai(session=session, job_seeker_id=seeker_id),
                  counsellor_assigned=assigned is not None)


def decision_documents(session: Session, *, job_seeker: JobSeeker, limit: int = 20) -> list[DecisionV1]:
    """The case's newest decisions first, each with its items in rank order."""
    decisions = session.exec(select(Decision).where(Decision.job_seeker_id == job_seeker.id)
                             .order_by(col(Decision.created_at).desc()).limit(limit)).all()
    items = session.exec(select(DecisionItem).where(col(DecisionItem.decision_id).in_([d.id for d in decisions]))
                         .order_by(col(DecisionItem.rank))).all()
    by_decision: dict[str, list[AdviceItemV1]] = {}
    for item in items:
        edited = item.edited_text is not None and not item.authored_by_counsellor
        by_decision.setdefault(item.decision_id, []).append(AdviceItemV1(
            id=item.id, module_id=item.module_id, rank=item.rank, review_state=item.review_state,
            due_date=item.due_date, edited_by_counsellor=edited, authored_by_counsellor=item.authored_by_counsellor))
    return [DecisionV1(id=d.id, case=job_seeker.pseudonym, created_at=as_utc(d.created_at), mode=d.mode,
                       model_version=d.model_version, feature_set_version=d.feature_set_version,
                       catalogue_version=d.catalogue_version, items=by_decision.get(d.id, []))
            for d in decisions]


def plan_steps(session: Session, *, job_seeker: JobSeeker) -> list[PlanStepV1]:
    """The person's plan steps by module id (shared by the plan document and the feed)."""
    steps = plan_steps_by_module(session=session, job_seeker_id=require_id(job_seeker))
    return [PlanStepV1(module_id=step.module_id, due_date=step.due_date, done=step.done_at is not None)
            for step in sorted(steps.values(), key=lambda s: s.module_id)]


def plan_document(session: Session, *, job_seeker: JobSeeker) -> ActionPlanV1:
    return ActionPlanV1(case=job_seeker.pseudonym, change=None, module_id=None, changed_at=None,
                        steps=plan_steps(session, job_seeker=job_seeker))
