"""Version 1 of the documents Lotse exchanges with case-management software and portals (issue 20).

These pydantic models are the contract: ``/api/v1/schemas/`` publishes their JSON Schema, the
outbound feed (``GET /api/v1/feed``) sends them, and ``tests/snapshots/schemas_v1.json`` holds
the published form, so a change cannot slip through unnoticed. A change that would break a
client (a field removed, renamed, retyped or made required) needs a new version (``v2``) beside
this one; adding an optional field is allowed and updates the snapshot.

Cases are named by pseudonym only. Free text written by staff (edited advice, review reasons,
notes) is never part of a document here: a flag says that there is some.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.schemas import EXAMPLE_PROFILE, Profile

SCHEMA_VERSION = "v1"
Pseudonym = str

_EXAMPLE_CASE = "3f2a9c0d51e84b7a9d6e0c1b2a3f4e5d"
_EXAMPLE_DECISION = "7d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a"
_EXAMPLE_ITEM = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseV1(_Document):
    """A case in Lotse: one job-seeker, known to the outside only by a random pseudonym."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "pseudonym": _EXAMPLE_CASE, "jobcenter": "demo", "created_at": "2026-10-01T08:30:00Z",
        "objection_active": False, "without_ai": False, "counsellor_assigned": True}]})

    pseudonym: Pseudonym = Field(max_length=64, description="Lotse's random pseudonym of the case.")
    jobcenter: str = Field(max_length=32, description="Code of the Jobcenter the case belongs to.")
    created_at: datetime
    objection_active: bool = Field(description="The person objected to AI-assisted advice (GDPR Art 21).")
    without_ai: bool = Field(description="A counsellor switched the case to rules-only advice.")
    counsellor_assigned: bool


class AdviceItemV1(_Document):
    """One advice of a decision, with its review state; scores of people do not exist (G7)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": _EXAMPLE_ITEM, "module_id": "cv_check", "rank": 1, "review_state": "approved",
        "due_date": "2026-11-15", "edited_by_counsellor": False, "authored_by_counsellor": False}]})

    id: str = Field(max_length=32)
    module_id: str = Field(max_length=64, description="Advice module of the catalogue (or counsellor-...).")
    rank: int = Field(ge=1)
    review_state: Literal["not_required", "pending_review", "approved", "edited", "rejected", "superseded"]
    due_date: date | None = None
    edited_by_counsellor: bool = Field(description="A counsellor changed the text (the text itself is not sent).")
    authored_by_counsellor: bool


class DecisionV1(_Document):
    """One recommendation: which advice Lotse proposed for a case, how, and with which model."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": _EXAMPLE_DECISION, "case": _EXAMPLE_CASE, "created_at": "2026-10-01T08:35:00Z", "mode": "rules",
        "model_version": "rules", "feature_set_version": "fs-3", "catalogue_version": "2026.12-2",
        "items": [AdviceItemV1.model_config["json_schema_extra"]["examples"][0]]}]})  # type: ignore[index]

    id: str = Field(max_length=32)
    case: Pseudonym = Field(max_length=64)
    created_at: datetime
    mode: Literal["model", "rules"]
    model_version: str
    feature_set_version: str
    catalogue_version: str
    items: list[AdviceItemV1]


class CounsellorDecisionV1(_Document):
    """A counsellor's decision on one advice: approved, edited, rejected, or own advice added."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "item_id": _EXAMPLE_ITEM, "decision_id": _EXAMPLE_DECISION, "case": _EXAMPLE_CASE,
        "module_id": "funded_training", "action": "approve", "review_state": "approved",
        "reason_code": "fits_situation", "due_date": None, "text_changed": False,
        "decided_at": "2026-10-02T09:12:00Z"}]})

    item_id: str = Field(max_length=32)
    decision_id: str = Field(max_length=32)
    case: Pseudonym = Field(max_length=64)
    module_id: str = Field(max_length=64)
    action: Literal["approve", "edit", "reject", "add_advice"]
    review_state: Literal["approved", "edited", "rejected"]
    reason_code: str = Field(max_length=40, description="Code from Lotse's reason list; the free text stays in Lotse.")
    due_date: date | None
    text_changed: bool = Field(description="The counsellor wrote advice text (kept in Lotse, not sent).")
    decided_at: datetime


class PlanStepV1(_Document):
    module_id: str = Field(max_length=64)
    due_date: date | None
    done: bool


class ActionPlanV1(_Document):
    """The person's plan as it is now: one step per advice module they chose, each approved or not
    in need of approval (G8)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "case": _EXAMPLE_CASE, "change": "added", "module_id": "cv_check", "changed_at": "2026-10-03T17:40:00Z",
        "steps": [{"module_id": "cv_check", "due_date": "2026-10-20", "done": False}]}]})

    case: Pseudonym = Field(max_length=64)
    change: Literal["added", "removed", "done", "reopened"] | None = Field(
        description="What changed the plan (in the feed); null when the plan is read as it is.")
    module_id: str | None = Field(max_length=64, description="The step that changed (in the feed).")
    changed_at: datetime | None
    steps: list[PlanStepV1]


class FeedbackV1(_Document):
    """The person's verdict on one advice; whether they left a comment, not the comment."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "item_id": _EXAMPLE_ITEM, "case": _EXAMPLE_CASE, "kind": "helpful", "has_comment": False,
        "created_at": "2026-10-04T10:00:00Z"}]})

    item_id: str = Field(max_length=32)
    case: Pseudonym = Field(max_length=64)
    kind: Literal["helpful", "not_helpful", "not_possible"]
    has_comment: bool
    created_at: datetime


class OutcomeV1(_Document):
    """What happened after advice, e.g. a job start, and who reported it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "outcome_id": 42, "case": _EXAMPLE_CASE, "kind": "job_found", "occurred_on": "2026-11-02",
        "reported_by": "counsellor", "recorded_at": "2026-11-03T08:00:00Z"}]})

    outcome_id: int
    case: Pseudonym = Field(max_length=64)
    kind: Literal["job_found", "training_started", "self_employed", "other"]
    occurred_on: date
    reported_by: str = Field(max_length=32, description="job_seeker, counsellor or the import source.")
    recorded_at: datetime


class LogEventV1(_Document):
    """One entry of the hash-chained decision log (G11), as ``lotse audit verify`` checks it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": 1017, "created_at": "2026-10-02T09:12:00Z", "event_type": "reviewer_approved",
        "case_pseudonym": _EXAMPLE_CASE, "actor_role": "counsellor", "actor_id": "12",
        "decision_id": _EXAMPLE_DECISION, "model_version": "rules", "feature_set_version": "fs-3",
        "input_hash": None, "outputs": {"item_id": _EXAMPLE_ITEM}, "guardrails": [], "action": "approve",
        "reason": "approve:fits_situation", "ui_text_version": None, "prev_hash": "9" * 64, "hash": "a" * 64}]})

    id: int
    created_at: datetime
    event_type: str = Field(max_length=48)
    case_pseudonym: Pseudonym | None
    actor_role: str
    actor_id: str | None
    decision_id: str | None
    model_version: str | None
    feature_set_version: str | None
    input_hash: str | None
    outputs: dict[str, Any]
    guardrails: list[dict[str, Any]]
    action: str | None
    reason: str | None
    ui_text_version: str | None
    prev_hash: str = Field(min_length=64, max_length=64)
    hash: str = Field(min_length=64, max_length=64)


class CaseErasedV1(_Document):
    """The person had their data erased (GDPR Art 17); recipients are told so (Art 19)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "case": _EXAMPLE_CASE, "erased_at": "2026-12-01T10:00:00Z"}]})

    case: Pseudonym = Field(max_length=64)
    erased_at: datetime


class ErasedEntryV1(_Document):
    """What an earlier entry of an erased case holds from then on: its content is gone."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "case": _EXAMPLE_CASE, "erased": True}]})

    case: Pseudonym = Field(max_length=64)
    erased: Literal[True]


FeedKind = Literal["counsellor_decision", "action_plan", "outcome", "case_erased"]


class FeedEntryV1(_Document):
    """One entry of the outbound feed; ``data`` is the document its ``kind`` names."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "id": "5e0c1b2a3f4e5d3f2a9c0d51e84b7a9d", "cursor": "17", "kind": "counsellor_decision",
        "case": _EXAMPLE_CASE, "created_at": "2026-10-02T09:12:00Z",
        "data": CounsellorDecisionV1.model_config["json_schema_extra"]["examples"][0]}]})  # type: ignore[index]

    id: str = Field(max_length=32, description="Stable id: the same change always has the same id; deduplicate on it.")
    cursor: str = Field(description="Pass it as ?after= to get the entries after this one.")
    kind: FeedKind
    case: Pseudonym = Field(max_length=64)
    created_at: datetime
    data: CounsellorDecisionV1 | ActionPlanV1 | OutcomeV1 | CaseErasedV1 | ErasedEntryV1 = Field(
        description="The document of the entry's kind; after the case's erasure only {case, erased: true}.")


class FeedPageV1(_Document):
    """A page of the feed in commit order; resume with ``next_cursor``."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "entries": [FeedEntryV1.model_config["json_schema_extra"]["examples"][0]],  # type: ignore[index]
        "next_cursor": "17", "has_more": False}]})

    entries: list[FeedEntryV1]
    next_cursor: str = Field(description="The cursor of the last entry (or the one given, if none came).")
    has_more: bool


# The published documents, by the name in the URL ``/api/v1/schemas/{name}``.
DOCUMENTS: dict[str, type[BaseModel]] = {
    "profile": Profile,
    "case": CaseV1,
    "decision": DecisionV1,
    "advice-item": AdviceItemV1,
    "counsellor-decision": CounsellorDecisionV1,
    "action-plan": ActionPlanV1,
    "feedback": FeedbackV1,
    "outcome": OutcomeV1,
    "log-event": LogEventV1,
    "case-erased": CaseErasedV1,
    "feed-entry": FeedEntryV1,
    "feed-page": FeedPageV1,
}

_JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_PATH = "/api/" + SCHEMA_VERSION + "/schemas/{name}"


def published_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of document *name* as ``/api/v1/schemas/{name}`` serves it, with an example."""
    model = DOCUMENTS[name]
    schema = model.model_json_schema(mode="serialization")
    if not schema.get("examples"):
        schema["examples"] = [EXAMPLE_PROFILE] if model is Profile else []
    return {"$schema": _JSON_SCHEMA_DIALECT, "$id": SCHEMA_PATH.format(name=name), **schema}


def schema_index() -> dict[str, Any]:
    """What ``/api/v1/schemas/`` lists: every document with its title, summary and address."""
    return {"version": SCHEMA_VERSION, "documents": [
        {"name": name, "title": model.__name__, "summary": _first_paragraph(model.__doc__),
         "url": SCHEMA_PATH.format(name=name)} for name, model in DOCUMENTS.items()]}


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())
