"""Cases in from a Fachverfahren, answers out with consent: ``POST /cases:batch``, ``GET /handoffs`` (issue 20).

Both only for API tokens of the case's Jobcenter: ``cases:write`` to import, ``cases:read`` to
read the answers of job-seekers who agreed to pass them on. The batch is the raw CSV or JSON
Lines file (the content type says which); it is imported all or nothing, and every problem is
named by line and field in the ``errors`` of the problem+json answer, in the reader's language.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from api.auth.scopes import MACHINE_ROLE, MachineClient, require_scope
from api.deps import SessionDep
from api.errors import problem_responses
from api.i18n import _
from models.tables import Jobcenter
from recommender.casework.case_import import Format, import_batch
from recommender.casework.handoff import MAX_PAGE, deliver_handoffs

router = APIRouter(tags=["integration"])
WriteClient = Annotated[MachineClient, require_scope("cases:write")]
ReadClient = Annotated[MachineClient, require_scope("cases:read")]

MEDIA_TYPES: dict[str, Format] = {"text/csv": "csv", "application/x-ndjson": "jsonl", "application/jsonl": "jsonl",
                                  "application/x-jsonlines": "jsonl"}
WRONG_MEDIA_TYPE = _("Send the batch as text/csv or application/x-ndjson (JSON Lines), encoded as UTF-8.")
EXAMPLE_CSV = ("external_id,counsellor,consent,consent_at,target_occupation,months_unemployed,has_cv,search_channels\n"
               "FV-2026-000123,berater.nord,given,2026-11-30T09:15:00+01:00,62102,14,ja,jobcenter|job_boards\n")
EXAMPLE_JSONL = ('{"external_id":"FV-2026-000123","counsellor":"berater.nord","consent":"given",'
                 '"consent_at":"2026-11-30T09:15:00+01:00","profile":{"target_occupation":"62102",'
                 '"months_unemployed":14,"has_cv":true}}\n')
_BATCH_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}, "example": EXAMPLE_CSV},
    "application/x-ndjson": {"schema": {"type": "string"}, "example": EXAMPLE_JSONL}}}}


class CaseOutcome(BaseModel):
    external_id: str = Field(description="The Fachverfahren's case number, as sent.")
    case_pseudonym: str = Field(description="Lotse's pseudonym of the case: the other side of the mapping.")
    action: Literal["created", "updated", "unchanged", "erased"]


class CaseBatchResult(BaseModel):
    """What the batch did; sending the same batch again gives only ``unchanged``."""

    created: int
    updated: int
    unchanged: int
    erased: int = Field(description="Cases erased at the person's request: never re-created or changed.")
    cases: list[CaseOutcome]

    model_config = {"json_schema_extra": {"examples": [{
        "created": 1, "updated": 0, "unchanged": 0, "erased": 0,
        "cases": [{"external_id": "FV-2026-000123", "case_pseudonym": "3f1c2a9d8e7b4c6a9f0e1d2c3b4a5968",
                   "action": "created"}]}]}}


class HandoffOut(BaseModel):
    case_pseudonym: str
    external_id: str | None = Field(description="The Fachverfahren's case number if the case came from an import.")
    answers: dict[str, Any] = Field(description="The person's latest onboarding answers (the profile schema).")
    answered_at: datetime
    consent_given_at: datetime


class HandoffPage(BaseModel):
    items: list[HandoffOut]
    next_after: str | None = Field(description="Pass as ?after= for the next page; null on the last page.")

    model_config = {"json_schema_extra": {"examples": [{
        "items": [{"case_pseudonym": "3f1c2a9d8e7b4c6a9f0e1d2c3b4a5968", "external_id": "FV-2026-000123",
                   "answers": {"target_occupation": "62102", "months_unemployed": 14},
                   "answered_at": "2026-12-01T10:00:00Z", "consent_given_at": "2026-11-30T08:15:00Z"}],
        "next_after": None}]}}


def _format_of(request: Request) -> Format:
    media, _sep, params = request.headers.get("content-type", "").partition(";")
    charset = params.strip().lower().removeprefix("charset=").strip('"') if "charset" in params.lower() else "utf-8"
    fmt = MEDIA_TYPES.get(media.strip().lower())
    if fmt is None or charset not in ("utf-8", "utf8"):
        raise HTTPException(status_code=415, detail=WRONG_MEDIA_TYPE)
    return fmt


def _jobcenter_code(session: SessionDep, client: MachineClient) -> str:
    jobcenter = session.get(Jobcenter, client.jobcenter_id)
    if jobcenter is None:  # cannot happen: a token references its Jobcenter by foreign key
        raise HTTPException(status_code=403)
    return jobcenter.code


@router.post("/cases:batch", response_model=CaseBatchResult, openapi_extra=_BATCH_BODY,
             responses=problem_responses(401, 403, 413, 415, 422, 429))
async def import_cases(request: Request, client: WriteClient, session: SessionDep) -> CaseBatchResult:
    """Import a batch of cases (CSV or JSON Lines) into the token's Jobcenter, all or nothing, idempotent."""
    fmt = _format_of(request)
    data = await request.body()
    code = _jobcenter_code(session, client)
    result = import_batch(session, data, fmt, actor_role=MACHINE_ROLE, actor_id=client.actor_id,
                          default_jobcenter=code, only_jobcenter=code,
                          max_cases=request.app.state.settings.import_max_cases)
    return CaseBatchResult(created=result.created, updated=result.updated, unchanged=result.unchanged,
                           erased=result.erased,
                           cases=[CaseOutcome(external_id=external_id, case_pseudonym=pseudonym, action=action)
                                  for external_id, pseudonym, action in result.actions])


@router.get("/handoffs", response_model=HandoffPage, responses=problem_responses(401, 403, 422, 429))
def read_handoffs(
    client: ReadClient,
    session: SessionDep,
    after: Annotated[str | None, Query(max_length=64, description="next_after of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
) -> HandoffPage:
    """Onboarding answers of the token's Jobcenter's job-seekers who agreed to pass them on (and only theirs)."""
    items = deliver_handoffs(session, jobcenter_id=client.jobcenter_id, after=after, limit=limit,
                             actor_id=client.actor_id)
    return HandoffPage(items=[HandoffOut(case_pseudonym=i.case_pseudonym, external_id=i.external_id,
                                         answers=i.answers, answered_at=i.answered_at,
                                         consent_given_at=i.consent_given_at) for i in items],
                       next_after=items[-1].case_pseudonym if len(items) == limit else None)
