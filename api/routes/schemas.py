"""The public shape of every JSON answer under ``/api/v1`` that has no schema in ``models/schemas.py``.

Only fields a client should see: no password data, no internal flags, no case content beyond
what the route's docstring promises. Times are ISO 8601 strings exactly as the routes write them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from data.regions import Region
from recommender.evaluate.monitoring import GroupStats

Timestamp = str  # ISO 8601, as written by the route (``datetime.isoformat()``)


# --- auth ------------------------------------------------------------------------------


class UserPublic(BaseModel):
    id: int
    username: str
    role: str
    display_name: str
    team_id: int | None
    jobcenter_id: int


class SessionOut(BaseModel):
    authenticated: bool
    user: UserPublic | None
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every state-changing request.")


class LoginOut(BaseModel):
    user: UserPublic
    csrf_token: str


# --- admin -----------------------------------------------------------------------------


class UserSummary(BaseModel):
    id: int
    username: str
    role: str
    display_name: str
    team_id: int | None
    is_active: bool
    two_step: bool = Field(description="Whether the account signs in with a TOTP code.")
    locked_until: Timestamp | None


class UserList(BaseModel):
    users: list[UserSummary]


class UserWithPassword(BaseModel):
    user: UserSummary
    password: str | None = Field(description="The generated password, shown once; null if the admin chose one.")


class UserChange(BaseModel):
    user: UserSummary
    changed: bool


class KillSwitchState(BaseModel):
    on: bool


class KillSwitchChange(BaseModel):
    on: bool
    changed: bool


class RetentionSetting(BaseModel):
    log_retention_days: int
    minimum_days: int


# --- monitoring ------------------------------------------------------------------------


class TeamReportOut(BaseModel):
    team_id: int
    group_by: str
    since: Timestamp
    suppressed: bool
    message: str | None = None
    total_reviews: int | None = None
    pending_reviews: int | None = None
    groups: list[GroupStats]
    alerts: list[dict[str, Any]]


# --- occupations and regions -----------------------------------------------------------


class OccupationSuggestion(BaseModel):
    code: str
    title: str
    short_title: str
    confidence: float
    skill_level: int
    matched_by: str


class OccupationSuggestions(BaseModel):
    query: str
    suggestions: list[OccupationSuggestion]
    chance_first_right: float = Field(
        description="Calibrated chance (0-1) that the first suggestion is the right code, fitted on held-out "
                    "free-text job titles")
    unsure: bool = Field(description="True when that chance is below 0.5: ask for the field of work and the level "
                                     "instead of taking the first suggestion")


class OccupationParent(BaseModel):
    code: str
    level: int
    title: str


class WageOut(BaseModel):
    median_eur: float | None
    q25_eur: float | None
    q75_eur: float | None
    above_ceiling_eur: float | None = Field(description="Set when the median lies above the contribution ceiling.")
    source: str


class MarketOut(BaseModel):
    kldb: str
    ags: str | None
    period: str
    unemployed: int
    vacancies: int
    unemployed_per_vacancy: float | None
    trend: float = Field(description="Relative change of vacancies against a year earlier.")
    illustrative: bool
    source: str
    note: str | None = Field(default=None, description="Present when the figures are illustrative (synthetic).")


class OccupationOut(BaseModel):
    code: str
    level: int
    level_name: str
    title: str
    short_title: str
    skill_level: int | None
    skill_level_name: str | None
    parents: list[OccupationParent]
    example_titles: list[str]
    isco08: list[str]
    wage: WageOut | None
    market: MarketOut | None
    source: str


class RegionSuggestions(BaseModel):
    query: str
    regions: list[Region]


# --- privacy ---------------------------------------------------------------------------


class PersonalDataExport(BaseModel):
    format_version: str
    exported_at: Timestamp
    note: str
    job_seeker: dict[str, Any]
    account: dict[str, Any] = Field(description="The person's login, if any (never the password hash).")
    voluntary_audit_answers: dict[str, str] = Field(description="Voluntary fairness-audit answers, if given.")
    tables: dict[str, list[dict[str, Any]]]
    events: list[dict[str, Any]]
    explanations: list[Any]


class ErasureOut(BaseModel):
    erased: bool
    pseudonym: str
    changed: dict[str, int] = Field(description="Rows deleted or emptied, per table.")
    kept: list[str] = Field(description="What is kept and why (e.g. the hash-chained log without content).")


# --- cases and reviews -----------------------------------------------------------------


class CaseRowOut(BaseModel):
    pseudonym: str
    last_activity_at: Timestamp
    open_reviews: int
    latest_decision_at: Timestamp | None
    without_ai: bool
    objection_active: bool


class Caseload(BaseModel):
    cases: list[CaseRowOut]


class QueueRowOut(BaseModel):
    pseudonym: str
    decision_id: str
    item_id: str
    module_id: str
    title_de: str
    title_en: str
    waiting_since: Timestamp


class ReviewQueue(BaseModel):
    items: list[QueueRowOut]


class CaseDecisionSummary(BaseModel):
    id: str
    created_at: Timestamp
    mode: str
    model_version: str | None


class CaseNoteOut(BaseModel):
    id: int
    text: str
    visible_to_job_seeker: bool
    created_at: Timestamp


class CaseOut(BaseModel):
    pseudonym: str
    objection_active: bool
    without_ai: bool
    last_activity_at: Timestamp
    decisions: list[CaseDecisionSummary]
    notes: list[CaseNoteOut]


class ReviewedItem(BaseModel):
    id: str
    review_state: str
    version: int
    due_date: str | None = Field(description="ISO 8601 date.")
    edited_text: str | None


class CreatedAdvice(BaseModel):
    id: str
    module_id: str


class CreatedNote(BaseModel):
    id: int


class CreatedOutcome(BaseModel):
    id: int
    kind: str
    occurred_on: date
    reported_by: str


class CaseModeChange(BaseModel):
    without_ai: bool
    changed: bool


class AssignmentRowOut(BaseModel):
    pseudonym: str
    counsellor_id: int | None
    counsellor_name: str
    last_activity_at: Timestamp


class TeamAssignments(BaseModel):
    assignments: list[AssignmentRowOut]


class Reassignment(BaseModel):
    pseudonym: str
    counsellor_id: int


class DecisionMeta(BaseModel):
    id: str
    created_at: Timestamp
    mode: str = Field(description='"model" (ML ranking) or "rules" (kill switch, objection, no active model).')
    mode_reason: str | None
    model_version: str
    feature_set_version: str
    catalogue_version: str


class ReviewItemDetail(BaseModel):
    id: str
    module_id: str
    title_de: str
    title_en: str
    legal_basis: str | None
    needs_approval: bool
    rank: int
    uplift: float | None = Field(description="Expected gain of this advice (never a probability about the person, G7).")
    reasons: list[Any]
    rules: list[dict[str, Any]]
    review_state: str
    version: int
    reviewed_at: Timestamp | None
    review_reason: str | None
    edited_text: str | None
    due_date: str | None = Field(description="ISO 8601 date.")
    authored_by_counsellor: bool


class CaseDecisionDetail(BaseModel):
    decision: DecisionMeta
    snapshot: dict[str, Any] = Field(description="The profile the decision was computed from.")
    snapshot_sha256: str | None
    diagnostic: list[Any]
    general_rules: list[dict[str, Any]]
    items: list[ReviewItemDetail]


# --- benchlearning ---------------------------------------------------------------------


class KpiFigureOut(BaseModel):
    """One cell; ``value`` and ``people`` are null unless ``status`` is ``ok`` (cells under 10 people)."""

    team: str = Field(examples=["all"])
    indicator: str = Field(examples=["cases_served"])
    module: str = Field(examples=[""])
    value: float | None = Field(examples=[412.0])
    people: int | None = Field(examples=[412])
    status: str = Field(examples=["ok"])


class KpiReportOut(BaseModel):
    """The token's Jobcenter's benchlearning figures for a quarter, as ``lotse kpi export`` writes them."""

    schema_version: str
    jobcenter: str
    period: str = Field(examples=["2026-Q3"])
    figures: list[KpiFigureOut]
