"""``POST /recommendations``, a decision and its explanation, for the job-seeker's own case.

The response never carries a score or probability about the person (G7); items that wait
for a counsellor are listed without their content (G8).
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.deps import SessionDep, audit_store, write_session
from api.errors import problem_responses
from api.i18n import LocaleCode, _, get_locale, gettext
from api.lane import in_lane
from api.review_status import pending_status, unassigned_status
from api.seeker import CASE_IN_LANE, SessionJobSeeker, planned_job_seeker, remember_new_case, save_new_case
from models.audit_store import AgeBand, Disability, Gender, NationalityGroup, record_attributes
from models.db import read_session, release
from models.schemas import EXAMPLE_PROFILE, Profile
from models.tables import Decision, JobSeeker
from recommender.decide.decision_explanation import ExplanationView, explanation_view
from recommender.decide.decision_path import DecisionView, ItemView, decision_view, plan_decision, write_decision
from recommender.decide.guardrails import missing_fields_message
from recommender.records.chain import EventType, append_event

router = APIRouter(tags=["recommendations"])

DECISION_NOT_FOUND = _("No decision with this id in your case.")
MODE_NOTICES = {
    "kill_switch": _("AI support is switched off at the moment. This advice comes from fixed, transparent rules."),
    "objection": _("You chose advice without AI. This advice comes from fixed, transparent rules."),
    "no_model": _("No AI model is active yet. This advice comes from fixed, transparent rules."),
    "counsellor_without_ai": _(
        "Your counsellor works on your case without AI. This advice comes from fixed, transparent rules."
    ),
    "model_error": _("The AI model could not be loaded. This advice comes from fixed, transparent rules."),
}



AUDIT_CONSENT_VERSION = "audit-consent-2026-11"


class VoluntaryAuditRecord(BaseModel):
    """Voluntary answers for fairness audits only (G3, G6): stored in the separate audit store,
    counted in aggregate, never read by the advice, never shown to counsellors."""

    model_config = ConfigDict(extra="forbid")

    gender: Gender | None = None
    age_band: AgeBand | None = None
    nationality_group: NationalityGroup | None = None
    disability: Disability | None = None


class RecommendationRequest(BaseModel):
    """A profile in; protected attributes have no field and are refused as unknown input (G2)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"profile": EXAMPLE_PROFILE,
                                                                                "locale": "de"}]})

    profile: Profile
    locale: LocaleCode | None = Field(
        default=None, description="Language of the texts: de, en, uk, ar, tr or ru (default: Accept-Language, "
        "else German). Texts a language has no translation for are German."
    )
    audit: VoluntaryAuditRecord | None = Field(
        default=None,
        description="Optional, voluntary: only for aggregate fairness audits, kept apart from the advice data.",
    )


class ObstacleOut(BaseModel):
    id: str
    title: str
    evidence: list[str]


class ItemOut(BaseModel):
    item_id: str
    module_id: str | None = Field(description="Which advice; hidden (null) while a counsellor checks it.")
    rank: int
    review_state: Literal["not_required", "pending_review", "approved", "edited"]
    pending_review: bool = Field(description="True while a counsellor checks it; then title and text are hidden.")
    title: str
    text: str | None
    reasons: list[str]
    legal_basis: str | None
    effort: str | None
    in_plan: bool
    due_date: date | None


class DecisionOut(BaseModel):
    decision_id: str
    created_at: datetime
    mode: Literal["model", "rules"]
    mode_notice: str | None = Field(description="Set when the advice comes without AI, and why.")
    model_version: str
    feature_set_version: str
    catalogue_version: str
    diagnostic: list[ObstacleOut]
    items: list[ItemOut]
    missing_fields_message: str | None
    illustrative_market: bool = Field(description="Market figures behind the advice are illustrative, not official.")
    explanation_url: str


EXAMPLE_RESPONSE: dict[str, Any] = {
    "decision_id": "3f1c2a9d8e7b4c6a9f0e1d2c3b4a5968",
    "created_at": "2026-11-25T09:30:00Z",
    "mode": "model",
    "mode_notice": None,
    "model_version": "2026-11-25T09-00-00-default",
    "feature_set_version": "fs-2026.11-1",
    "catalogue_version": "2026.11.1",
    "diagnostic": [
        {"id": "interview_conversion", "title": "Gespräche führen noch nicht zur Zusage",
         "evidence": ["6 Bewerbungen in 3 Monaten, aber kein Vorstellungsgespräch."]},
    ],
    "items": [
        {"item_id": "a1b2c3d4e5f60718293a4b5c6d7e8f90", "module_id": "broaden_occupations", "rank": 1,
         "review_state": "not_required", "pending_review": False, "title": "Verwandte Berufe prüfen",
         "text": "Suchen Sie auch in Berufen, die Ihrem sehr ähnlich sind.",
         "reasons": ["In Ihrem Beruf kommen in Ihrer Region viele Bewerber auf eine Stelle."],
         "legal_basis": None, "effort": "low", "in_plan": False, "due_date": None},
        {"item_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "module_id": None, "rank": 2,
         "review_state": "pending_review", "pending_review": True,
         "title": "Wird von Ihrem Jobcenter geprüft, in der Regel innerhalb von 3 Werktagen.",
         "text": None, "reasons": [],
         "legal_basis": None, "effort": None, "in_plan": False, "due_date": None},
    ],
    "missing_fields_message": None,
    "illustrative_market": True,
    "explanation_url": "/api/v1/decisions/3f1c2a9d8e7b4c6a9f0e1d2c3b4a5968/explanation",
}


def _item_out(item: ItemView, pending_text: str) -> ItemOut:
    pending = not item.visible
    return ItemOut(
        item_id=item.item_id,
        # A pending suggestion's module would already tell what it is (e.g. childcare support).
        module_id=None if pending else item.module_id,
        rank=item.rank,
        review_state=item.review_state,
        pending_review=pending,
        title=pending_text if pending else item.title,
        text=None if pending else item.text,
        reasons=item.reasons,
        legal_basis=item.legal_basis,
        effort=None if pending else item.effort,
        in_plan=item.in_plan,
        due_date=item.due_date,
    )


def decision_out(view: DecisionView, locale: str, pending_text: str) -> DecisionOut:
    """The decision as the job-seeker may see it; *pending_text* stands for each item still under review."""
    notice = MODE_NOTICES.get(view.mode_reason or "")
    return DecisionOut(
        decision_id=view.decision_id,
        created_at=view.created_at,
        mode=view.mode,
        mode_notice=gettext(notice, locale) if notice else None,
        model_version=view.model_version,
        feature_set_version=view.feature_set_version,
        catalogue_version=view.catalogue_version,
        diagnostic=[ObstacleOut(id=o.id, title=o.title, evidence=o.evidence) for o in view.diagnostic],
        items=[_item_out(item, pending_text) for item in view.items],
        missing_fields_message=missing_fields_message(view.missing_fields, locale),
        illustrative_market=view.illustrative_market,
        explanation_url=f"/api/v1/decisions/{view.decision_id}/explanation",
    )


@router.post(
    "/recommendations",
    response_model=DecisionOut,
    status_code=201,
    dependencies=[CASE_IN_LANE],
    responses={201: {"content": {"application/json": {"example": EXAMPLE_RESPONSE}}},
               **problem_responses(403, 503),
               422: {**problem_responses(422)[422],
                     "description": "Invalid profile; the body names each field and what is wrong."}},
)
async def create_recommendation(
    request: Request,
    body: Annotated[RecommendationRequest, Body(openapi_examples={
        "retail": {"summary": "Sales assistant in Regensburg, 14 months searching", "value": {
            "profile": EXAMPLE_PROFILE, "locale": "de"}}})],
) -> DecisionOut:
    """Compute ranked, explained advice for the caller's own case and log the decision.

    The advice is computed in a read-only session and written in a short transaction of
    inserts, in arrival order (issue 16): nobody holds the write lock while LightGBM runs. A
    first visit's case is saved in that same transaction, so it exists only with its decision.
    All of it runs in one hop of the decision lane (``api.lane``).
    """
    return await in_lane(request, partial(_recommend, request, body))


def _recommend(request: Request, body: RecommendationRequest) -> DecisionOut:
    locale = body.locale or get_locale(request)
    state = request.app.state
    with read_session(state.engine) as reader:
        job_seeker = planned_job_seeker(request, reader)
        plan = plan_decision(
            reader,
            job_seeker=job_seeker,
            profile=body.profile,
            registry=state.registry,
            actor_role="job_seeker",
            actor_id=job_seeker.pseudonym,
            locale=locale,
            exploration_rate=state.settings.exploration_rate,
            control_share=state.settings.control_share,
        )
        new_case = plan.new_case
        release(reader)  # its connection goes back to the pool: a request never holds two at once
        # Committed before the response, so voluntary answers never outlive a lost decision.
        with write_session(request) as writer:
            if new_case:
                save_new_case(writer, request, job_seeker)
            view = write_decision(writer, plan)
        if new_case:
            remember_new_case(request, job_seeker)
        if body.audit is not None:
            _record_audit(request, job_seeker.pseudonym, body.audit)
        # A new case has no counsellor yet: its pending items wait in the Jobcenter's shared queue.
        pending = (unassigned_status(locale=locale, working_days=state.settings.review_working_days) if new_case
                   else _pending_text(request, reader, job_seeker, locale))
    return decision_out(view, locale, pending)


def _pending_text(request: Request, session: Session, job_seeker: JobSeeker, locale: str) -> str:
    return pending_status(session, job_seeker=job_seeker, locale=locale,
                          working_days=request.app.state.settings.review_working_days)


def _record_audit(request: Request, pseudonym: str, record: VoluntaryAuditRecord) -> None:
    with audit_store(request.app.state.settings) as engine:
        record_attributes(engine, case_pseudonym=pseudonym, attributes=record.model_dump(),
                          consent_version=AUDIT_CONSENT_VERSION)


def _own_decision(session: SessionDep, job_seeker: SessionJobSeeker, decision_id: str) -> Decision:
    decision = session.get(Decision, decision_id)
    if decision is None or decision.job_seeker_id != job_seeker.id:
        raise HTTPException(status_code=404, detail=DECISION_NOT_FOUND)
    return decision


@router.get("/decisions/{decision_id}", response_model=DecisionOut,
            responses=problem_responses(401, 403, 404, 422))
def read_decision(request: Request, session: SessionDep, job_seeker: SessionJobSeeker, decision_id: str) -> DecisionOut:
    """One of the caller's own decisions, as the job-seeker may see it."""
    decision = _own_decision(session, job_seeker, decision_id)
    locale = get_locale(request)
    view = decision_view(session, decision=decision, locale=locale, audience="job_seeker")
    return decision_out(view, locale, _pending_text(request, session, job_seeker, locale))


@router.get("/decisions/{decision_id}/explanation", response_model=ExplanationView,
            responses=problem_responses(401, 403, 404, 422))
def read_explanation(
    request: Request,
    session: SessionDep,
    job_seeker: SessionJobSeeker,
    decision_id: str,
    lang: Annotated[LocaleCode | None, Query(description="Language: de, en, uk, ar, tr or ru (default de)")] = None,
) -> ExplanationView:
    """Why this advice: reasons, data used, rules applied, model version, how Lotse works (GDPR Art 13-15)."""
    decision = _own_decision(session, job_seeker, decision_id)
    explanation = explanation_view(session, decision=decision, locale=lang or get_locale(request))
    append_event(
        session,
        event_type=EventType.explanation_shown,
        actor_role="job_seeker",
        actor_id=job_seeker.pseudonym,
        case_pseudonym=job_seeker.pseudonym,
        decision_id=decision.id,
        model_version=decision.model_version,
        ui_text_version=explanation.ui_text_version,
        outputs={"explanation_id": explanation.explanation_id, "locale": explanation.locale},
    )
    return explanation
