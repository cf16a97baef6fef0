"""The job-seeker profile: the one validated input of the decision path.

Everything here is what a person chooses to tell Lotse about their search. Booleans and
counts are strict (``StrictBool``, ``StrictInt``): ``0`` is not "no" and ``true`` is not one
application, so a client's type mix-up is refused with a message instead of guessed. Protected
attributes (AGG §1, GDPR Art 9) have no field here at all; voluntary audit attributes live
in a separate schema and store that the feature builder cannot read (G2, G3).

Two groups of fields never reach the model, only the legal eligibility rules and hard
filters: ``constraints`` (childcare, working hours, health limits; G3 "health constraints
only as user-set hard filters") and ``eligibility`` (age for under-25 provisions, G3).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

KLDB5_PATTERN = r"^\d{5}$"
AGS_PATTERN = r"^\d{5}$"
POSTCODE_PATTERN = r"^\d{5}$"

SchoolLeaving = Literal["none", "hauptschule", "realschule", "abitur", "foreign"]
Vocational = Literal["none", "apprenticeship", "master_technician", "bachelor", "master_or_higher"]
Recognition = Literal["not_applicable", "recognised", "in_progress", "not_started"]
GermanLevel = Literal["A1", "A2", "B1", "B2", "C1", "C2"]
SearchChannel = Literal[
    "job_boards", "jobcenter", "newspaper", "personal_network", "spontaneous", "agency", "social_media"
]
WorkingHours = Literal["full_time", "part_time", "any"]
Kldb5 = Annotated[str, Field(pattern=KLDB5_PATTERN)]
HealthLimit = Literal["no_heavy_lifting", "no_night_shifts", "no_standing_work", "no_driving"]


class Constraints(BaseModel):
    """What the person states about their situation: hard filters and eligibility only."""

    model_config = ConfigDict(extra="forbid")

    childcare_needed: StrictBool | None = Field(
        default=None, description="Unlocks advice on childcare support (§ 16a SGB II)."
    )
    working_hours: WorkingHours | None = Field(default=None, description="Filters advice to fitting hours.")
    health_limits: list[HealthLimit] = Field(
        default_factory=list,
        max_length=4,
        description="Hard filter only: removes advice that does not fit. Never used by the model.",
    )


class EligibilityFacts(BaseModel):
    """Facts that only legal eligibility rules may read, each rule naming its legal basis."""

    model_config = ConfigDict(extra="forbid")

    birth_year: StrictInt | None = Field(
        default=None,
        ge=1940,
        le=2012,
        description="Only for age-specific legal rules (e.g. under-25 provisions). Never used by the model.",
    )
    receives_citizens_benefit: StrictBool = Field(
        default=True, description="Bürgergeld (SGB II) recipient: the funded measures depend on it."
    )


class Profile(BaseModel):
    """A job-seeker's self-reported search situation. Every field is optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    target_occupation: str | None = Field(
        default=None, pattern=KLDB5_PATTERN, description="KldB 2010 code (5 digits) of the job you look for."
    )
    target_occupation_text: str | None = Field(
        default=None, max_length=200, description="The job you look for, in your own words."
    )
    alternative_occupations: list[Kldb5] = Field(
        default_factory=list, max_length=5, description="Other KldB 2010 codes you would also take."
    )
    region_ags: str | None = Field(
        default=None, pattern=AGS_PATTERN, description="District (Kreis) code where you look for work."
    )
    postcode: str | None = Field(default=None, pattern=POSTCODE_PATTERN)
    school_leaving: SchoolLeaving | None = None
    vocational_qualification: Vocational | None = None
    foreign_qualification: StrictBool | None = None
    recognition_status: Recognition | None = None
    german_level: GermanLevel | None = None
    months_unemployed: StrictInt | None = Field(default=None, ge=0, le=600)
    applications_last_3_months: StrictInt | None = Field(default=None, ge=0, le=2000)
    interviews_last_3_months: StrictInt | None = Field(default=None, ge=0, le=500)
    search_channels: list[SearchChannel] = Field(default_factory=list, max_length=7)
    has_cv: StrictBool | None = None
    driving_licence: StrictBool | None = None
    has_car: StrictBool | None = None
    max_commute_minutes: StrictInt | None = Field(default=None, ge=0, le=240)
    willing_to_relocate: StrictBool | None = None
    salary_expectation_eur: StrictInt | None = Field(
        default=None, ge=0, le=30000, description="Gross monthly salary you hope for, in euro."
    )
    constraints: Constraints = Field(default_factory=Constraints)
    eligibility: EligibilityFacts = Field(default_factory=EligibilityFacts)


# A made-up profile (no real person) for the API docs and the published schema (issue 20).
EXAMPLE_PROFILE: dict[str, Any] = {
    "target_occupation": "62102",
    "target_occupation_text": "Verkäuferin im Einzelhandel",
    "region_ags": "09362",
    "school_leaving": "hauptschule",
    "vocational_qualification": "apprenticeship",
    "foreign_qualification": False,
    "german_level": "C1",
    "months_unemployed": 14,
    "applications_last_3_months": 6,
    "interviews_last_3_months": 0,
    "search_channels": ["jobcenter", "job_boards"],
    "has_cv": True,
    "driving_licence": False,
    "has_car": False,
    "max_commute_minutes": 30,
    "willing_to_relocate": False,
    "salary_expectation_eur": 2400,
    "constraints": {"childcare_needed": True, "working_hours": "part_time", "health_limits": []},
    "eligibility": {"birth_year": 1991, "receives_citizens_benefit": True},
}
