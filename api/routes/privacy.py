"""The job-seeker's data rights as JSON: export (Art 15/20), erasure (Art 17), objection (Art 21).

Only ever the caller's own case (``SessionJobSeeker``); every state change needs the CSRF
header. Each request is logged as an event by ``recommender.casework.data_rights``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.deps import SessionDep, audit_store
from api.errors import problem, problem_responses
from api.i18n import _, get_locale, gettext
from api.routes.schemas import ErasureOut, PersonalDataExport
from api.security import CsrfDep
from api.seeker import SESSION_SEEKER_KEY, SessionJobSeeker
from models.tables import JobSeeker
from recommender.casework import data_rights as privacy
from recommender.casework.erasure_journal import erasure_journal

router = APIRouter(prefix="/me", tags=["privacy"], responses=problem_responses(401, 403))

ERASURE_NOT_CONFIRMED = _("To delete all your data, send the confirmation word DELETE. Nothing was deleted.")


class ErasureRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    confirmation: str = Field(max_length=40, description="Must be DELETE: erasure cannot be undone.")


class ObjectionState(BaseModel):
    objection_active: bool
    changed: bool


def personal_export(request: Request, session: Session, job_seeker: JobSeeker) -> privacy.Export:
    """The person's full export, including their voluntary answers from the separate audit store."""
    with audit_store(request.app.state.settings) as audit_engine:
        return privacy.export_personal_data(session, job_seeker=job_seeker, locale=get_locale(request),
                                            audit_engine=audit_engine)


@router.get("/data", response_model=PersonalDataExport)
def export_my_data(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> dict[str, Any]:
    """Everything Lotse stores about your case, as JSON (logged as data_exported)."""
    return personal_export(request, session, job_seeker).data


@router.get("/data.csv", response_class=Response,
            responses={200: {"description": "CSV (section, row, field, value)",
                             "content": {"text/csv": {"schema": {"type": "string"}}}}})
def export_my_data_csv(request: Request, job_seeker: SessionJobSeeker, session: SessionDep) -> Response:
    """The same export as one CSV table (section, row, field, value)."""
    export = personal_export(request, session, job_seeker)
    return Response(export.to_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="lotse-data.csv"'})


@router.post("/erasure", response_model=ErasureOut, responses=problem_responses(422))
def erase_my_data(request: Request, body: ErasureRequest, job_seeker: SessionJobSeeker, session: SessionDep,
                  _csrf: CsrfDep) -> Any:
    """Delete your answers, advice and feedback for good; the session ends."""
    try:
        with audit_store(request.app.state.settings) as audit_engine:
            report = privacy.erase_personal_data(session, job_seeker=job_seeker, confirmation=body.confirmation,
                                                 audit_engine=audit_engine,
                                                 journal=erasure_journal(request.app.state.settings.var_dir))
    except privacy.PrivacyError:
        # Not the kind handler's answer: the service's message is for operators (it may name tables);
        # the person gets one instruction in their language.
        return problem(422, gettext(ERASURE_NOT_CONFIRMED, get_locale(request)), request=request)
    request.session.pop(SESSION_SEEKER_KEY, None)
    return {"erased": True, "pseudonym": report.pseudonym, "changed": report.changed, "kept": list(report.kept)}


@router.post("/objection")
def object_to_ai(job_seeker: SessionJobSeeker, session: SessionDep, _csrf: CsrfDep) -> ObjectionState:
    """Object to AI-assisted advice: rules-only advice from now on, no training on your case."""
    changed = privacy.file_objection(session, job_seeker=job_seeker)
    return ObjectionState(objection_active=True, changed=changed)


@router.delete("/objection")
def withdraw_objection(job_seeker: SessionJobSeeker, session: SessionDep, _csrf: CsrfDep) -> ObjectionState:
    """Withdraw the objection: the AI may rank your advice again."""
    changed = privacy.withdraw_objection(session, job_seeker=job_seeker)
    return ObjectionState(objection_active=False, changed=changed)
