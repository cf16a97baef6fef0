"""Counsellor work on cases: caseload, review queue, decisions, review actions, notes, outcomes, mode.

Every route here needs a counsellor or team lead; every route with ``{pseudonym}`` goes
through ``StaffCase``, which enforces the caseload and writes the access log.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api.auth.deps import CounsellorUser, StaffCase, TeamLeadUser
from api.deps import SessionDep
from api.errors import problem_responses
from api.routes.schemas import (
    CaseDecisionDetail,
    Caseload,
    CaseModeChange,
    CaseOut,
    CreatedAdvice,
    CreatedNote,
    CreatedOutcome,
    Reassignment,
    ReviewedItem,
    ReviewQueue,
    TeamAssignments,
)
from api.security import CsrfDep
from models.errors import require_id
from models.hashing import jsonable
from models.staff import CaseMode
from models.tables import MAX_ROW_ID
from recommender.casework.assignment import reassign_case, team_assignments
from recommender.casework.case_mode import set_case_mode
from recommender.casework.caseload import resolve_team_case
from recommender.casework.counsellor_outcome import record_counsellor_outcome
from recommender.casework.notes import add_note, case_notes
from recommender.casework.queue import (
    CASELOAD_SORTS,
    case_decisions,
    caseload_overview,
    decision_detail,
    review_queue,
)
from recommender.casework.review import add_counsellor_advice, review_item

# Review errors reach the client through the handlers in api/errors.py (404, 409, 422 by kind);
# the case-access trace is committed by ``StaffCase`` before a route can fail.
router = APIRouter(tags=["cases"], responses=problem_responses(401, 403, 404, 422))


class ReviewIn(BaseModel):
    action: Literal["approve", "edit", "reject"]
    version: int = Field(ge=1, description="The item version shown to the counsellor (optimistic locking).")
    reason_code: str = Field(default="", max_length=40)
    reason_text: str = Field(default="", max_length=2000)
    edited_text: str | None = Field(default=None, max_length=4000)
    due_date: date | None = None


class AdviceIn(BaseModel):
    text: str = Field(max_length=4000)
    due_date: date | None = None


class NoteIn(BaseModel):
    text: str = Field(max_length=4000)
    visible_to_job_seeker: bool = False


class OutcomeIn(BaseModel):
    kind: str = Field(default="job_found", max_length=32,
                      description="job_found, training_started, self_employed or other")
    occurred_on: date = Field(description="The day the job (or training) started; not in the future.")


class ModeIn(BaseModel):
    without_ai: bool
    reason: str = Field(default="", max_length=500)


class ReassignIn(BaseModel):
    counsellor_id: int = Field(ge=1, le=MAX_ROW_ID)
    reason: str = Field(default="", max_length=500)


@router.get("/cases", response_model=Caseload)
def read_caseload(
    user: CounsellorUser,
    session: SessionDep,
    open_reviews: bool = False,
    inactive_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    # Declared as an enum in OpenAPI; an unknown value gets the domain's own 422 message.
    sort: Annotated[str, Query(max_length=20, json_schema_extra={"enum": list(CASELOAD_SORTS)})] = "last_activity",
) -> Any:
    """The counsellor's cases (filters: open reviews, no activity for N days; sort: activity, open reviews)."""
    rows = caseload_overview(session, user=user, open_reviews_only=open_reviews, sort=sort,
                             inactive_days=inactive_days)
    return {"cases": [jsonable(row.__dict__) for row in rows]}


@router.get("/reviews/queue", response_model=ReviewQueue)
def read_review_queue(user: CounsellorUser, session: SessionDep) -> dict[str, Any]:
    """Items waiting for this counsellor's review, the longest-waiting first."""
    return {"items": [jsonable(row.__dict__) for row in review_queue(session, user=user)]}


@router.get("/cases/{pseudonym}", response_model=CaseOut)
def read_case(case: StaffCase, session: SessionDep) -> dict[str, Any]:
    """One case: its decisions, notes and whether it is worked without AI."""
    case_id = require_id(case)
    mode = session.get(CaseMode, case_id)
    return jsonable({
        "pseudonym": case.pseudonym,
        "objection_active": case.objection_active,
        "without_ai": bool(mode and mode.without_ai),
        "last_activity_at": case.last_activity_at,
        "decisions": [
            {"id": d.id, "created_at": d.created_at, "mode": d.mode, "model_version": d.model_version}
            for d in case_decisions(session, job_seeker_id=case_id)
        ],
        "notes": [
            {"id": n.id, "text": n.text, "visible_to_job_seeker": n.visible_to_job_seeker, "created_at": n.created_at}
            for n in case_notes(session, job_seeker_id=case_id)
        ],
    })


@router.get("/cases/{pseudonym}/decisions/{decision_id}", response_model=CaseDecisionDetail)
def read_case_decision(case: StaffCase, decision_id: str, session: SessionDep) -> Any:
    """A decision with profile snapshot, diagnostic, items (score, reasons, rules, legal basis), model."""
    detail = decision_detail(session, job_seeker=case, decision_id=decision_id)
    decision = detail.pop("decision")
    detail["decision"] = {
        "id": decision.id, "created_at": decision.created_at, "mode": decision.mode,
        "mode_reason": decision.mode_reason, "model_version": decision.model_version,
        "feature_set_version": decision.feature_set_version, "catalogue_version": decision.catalogue_version,
    }
    return jsonable(detail)


@router.post("/cases/{pseudonym}/items/{item_id}/review", response_model=ReviewedItem,
             responses=problem_responses(409))
def submit_review(
    case: StaffCase, item_id: str, body: ReviewIn, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep,
) -> Any:
    """Approve, edit or reject one item, with a reason (409 if someone else was faster)."""
    item = review_item(
        session, job_seeker=case, item_id=item_id, reviewer=user, action=body.action,
        reason_code=body.reason_code, reason_text=body.reason_text, expected_version=body.version,
        edited_text=body.edited_text, due_date=body.due_date,
    )
    return jsonable({"id": item.id, "review_state": item.review_state, "version": item.version,
                      "due_date": item.due_date, "edited_text": item.edited_text})


@router.post("/cases/{pseudonym}/advice", status_code=201, response_model=CreatedAdvice)
def create_counsellor_advice(
    case: StaffCase, body: AdviceIn, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep
) -> Any:
    """Add the counsellor's own advice to the case (shown to the job-seeker at once)."""
    item = add_counsellor_advice(session, job_seeker=case, author=user, text=body.text, due_date=body.due_date)
    return {"id": item.id, "module_id": item.module_id}


@router.post("/cases/{pseudonym}/notes", status_code=201, response_model=CreatedNote)
def create_note(
    case: StaffCase, body: NoteIn, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep
) -> Any:
    """Add a note; the job-seeker sees it only if ``visible_to_job_seeker`` is true."""
    note = add_note(session, job_seeker=case, author=user, text=body.text,
                    visible_to_job_seeker=body.visible_to_job_seeker)
    return {"id": note.id}


@router.post("/cases/{pseudonym}/outcomes", status_code=201, response_model=CreatedOutcome)
def create_outcome(
    case: StaffCase, body: OutcomeIn, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep
) -> Any:
    """Record what happened for the case (e.g. a job start), with source ``counsellor``; logged."""
    outcome = record_counsellor_outcome(session, job_seeker=case, counsellor=user, kind=body.kind,
                                        occurred_on=body.occurred_on)
    return {"id": outcome.id, "kind": outcome.kind, "occurred_on": outcome.occurred_on,
            "reported_by": outcome.reported_by}


@router.put("/cases/{pseudonym}/mode", response_model=CaseModeChange)
def update_case_mode(
    case: StaffCase, body: ModeIn, user: CounsellorUser, session: SessionDep, _csrf: CsrfDep
) -> Any:
    """Switch "work without AI" on or off for this case (reason required, logged)."""
    changed = set_case_mode(session, job_seeker=case, user=user, without_ai=body.without_ai, reason=body.reason)
    return {"without_ai": body.without_ai, "changed": changed}


@router.get("/team/cases", response_model=TeamAssignments)
def read_team_assignments(user: TeamLeadUser, session: SessionDep) -> dict[str, Any]:
    """Which counsellor of the team looks after which case (no case content)."""
    return {"assignments": [jsonable(row.__dict__) for row in team_assignments(session, team_lead=user)]}


@router.post("/team/cases/{pseudonym}/reassign", response_model=Reassignment)
def reassign_team_case(
    pseudonym: str, body: ReassignIn, user: TeamLeadUser, session: SessionDep, request: Request, _csrf: CsrfDep
) -> Any:
    """Move a case within the team to another counsellor (reason required, logged)."""
    seeker = resolve_team_case(session=session, team_lead=user, pseudonym=pseudonym, action="reassign")
    reassign_case(session, job_seeker=seeker, team_lead=user, new_counsellor_id=body.counsellor_id,
                  reason=body.reason)
    return {"pseudonym": pseudonym, "counsellor_id": body.counsellor_id}
