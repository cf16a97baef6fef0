"""Cases, their decisions and plans for machine clients (issue 20): ``/api/v1/integration/cases/...``.

``cases:read`` for the case and its decisions, ``plans:read`` for the plan; only cases of the
token's Jobcenter (any other pseudonym is "not found", and the refusal is logged).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from api.auth.scopes import MachineClient, require_scope
from api.deps import SessionDep
from api.errors import problem_responses
from models.interchange import ActionPlanV1, CaseV1, DecisionV1
from models.tables import JobSeeker
from recommender.casework.interchange_view import (
    case_document,
    decision_documents,
    plan_document,
    resolve_machine_case,
)

router = APIRouter(prefix="/integration/cases", tags=["integration"],
                   responses=problem_responses(401, 403, 404, 422, 429))
CaseReader = Annotated[MachineClient, require_scope("cases:read")]
PlanReader = Annotated[MachineClient, require_scope("plans:read")]
Pseudonym = Annotated[str, Path(max_length=64, description="Lotse's pseudonym of the case", examples=["3f2a9c0d"])]


def _case(request: Request, session: SessionDep, client: MachineClient, pseudonym: str) -> JobSeeker:
    route = request.scope.get("route")
    return resolve_machine_case(session, pseudonym=pseudonym, jobcenter_id=client.jobcenter_id,
                                token_id=client.token_id, action=getattr(route, "name", "") or request.url.path)


@router.get("/{pseudonym}", response_model=CaseV1)
def read_case(request: Request, session: SessionDep, client: CaseReader, pseudonym: Pseudonym) -> CaseV1:
    """One case of the token's Jobcenter: pseudonym, objection, rules-only mode, whether a counsellor is assigned."""
    return case_document(session, job_seeker=_case(request, session, client, pseudonym))


@router.get("/{pseudonym}/decisions", response_model=list[DecisionV1])
def read_decisions(request: Request, session: SessionDep, client: CaseReader,
                   pseudonym: Pseudonym) -> list[DecisionV1]:
    """The case's latest decisions (newest first, at most 20), each with its advice items and review states."""
    return decision_documents(session, job_seeker=_case(request, session, client, pseudonym))


@router.get("/{pseudonym}/plan", response_model=ActionPlanV1)
def read_plan(request: Request, session: SessionDep, client: PlanReader, pseudonym: Pseudonym) -> ActionPlanV1:
    """The person's plan as it is now: one step per advice module, with due date and whether it is done."""
    return plan_document(session, job_seeker=_case(request, session, client, pseudonym))
