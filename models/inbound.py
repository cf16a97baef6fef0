"""Cases arriving from a Jobcenter's case-management software (Fachverfahren), and answers going back (issue 20).

- ``ExternalCase`` maps the Fachverfahren's pseudonymous case number, per Jobcenter, to a Lotse
  case. Integrators only ever see their own number and Lotse's pseudonym, never a row id. It
  keeps the digest of the last import line applied, so the same line sent again changes nothing.
- ``HandoffConsent`` is the job-seeker's revocable consent that their onboarding answers may be
  passed to the Fachverfahren: when it was given, by which route and wording, when revoked.
- ``Handoff`` records each version of the answers the Fachverfahren has read, so the person can
  be told what was already passed on when they revoke.
- ``CaseImportRecord`` is one line of an import (CSV or JSON Lines), validated with the
  profile schema itself (``models.schemas.Profile``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from sqlalchemy import UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel

from models.schemas import Profile
from models.tables import UtcDateTime, utcnow

# A case number of the Fachverfahren: letters, digits and . _ : / - only, so no name or free text fits.
EXTERNAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
ConsentState = Literal["given", "revoked"]
OUT_OF_RANGE = "the moment lies outside the years 1 to 9999 in UTC"
# Who recorded a consent: the person on Lotse's consent page, or the Jobcenter (imported).
CONSENT_SOURCES = ("job_seeker", "case_management")


class ExternalCase(SQLModel, table=True):
    __tablename__ = "external_case"
    __table_args__ = (UniqueConstraint("jobcenter_id", "external_id"),)

    id: int | None = SQLField(default=None, primary_key=True)
    jobcenter_id: int = SQLField(foreign_key="jobcenter.id", index=True)
    external_id: str = SQLField(max_length=64)
    job_seeker_id: int = SQLField(foreign_key="job_seeker.id", unique=True)
    # SHA-256 of the last import line applied to the case (canonical JSON of the validated line).
    line_sha256: str = SQLField(max_length=64)
    created_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)
    updated_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)


class HandoffConsent(SQLModel, table=True):
    __tablename__ = "handoff_consent"

    id: int | None = SQLField(default=None, primary_key=True)
    job_seeker_id: int = SQLField(foreign_key="job_seeker.id", index=True)
    given_at: datetime = SQLField(sa_type=UtcDateTime)
    revoked_at: datetime | None = SQLField(default=None, sa_type=UtcDateTime)
    source: str = SQLField(max_length=32)
    text_version: str = SQLField(max_length=32)


class Handoff(SQLModel, table=True):
    __tablename__ = "handoff"

    id: int | None = SQLField(default=None, primary_key=True)
    job_seeker_id: int = SQLField(foreign_key="job_seeker.id", index=True)
    snapshot_id: int = SQLField(foreign_key="profile_snapshot.id")
    consent_id: int = SQLField(foreign_key="handoff_consent.id")
    delivered_at: datetime = SQLField(default_factory=utcnow, sa_type=UtcDateTime)


def _in_utc(moment: datetime) -> datetime:
    """The moment in UTC: SQLite keeps a timestamp's wall time only, and Lotse reads every stored time as UTC."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:00-05:00 lies after the last representable moment
        raise ValueError(OUT_OF_RANGE) from None


EXAMPLE_RECORD: dict[str, Any] = {
    "external_id": "FV-2026-000123",
    "jobcenter": "jc-demo",
    "counsellor": "berater.nord",
    "locale": "de",
    "consent": "given",
    "consent_at": "2026-11-30T09:15:00+01:00",
    "profile": {"target_occupation": "62102", "region_ags": "09362", "months_unemployed": 14,
                "has_cv": True, "search_channels": ["jobcenter", "job_boards"],
                "constraints": {"working_hours": "part_time"}},
}


class CaseImportRecord(BaseModel):
    """One case as the Fachverfahren sends it; only the fields given are applied (the rest are kept).

    ``consent`` and ``consent_at`` come together (checked with the other lines' problems in
    ``recommender.casework.case_import``, so each is named by line and field).
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True,
                              json_schema_extra={"examples": [EXAMPLE_RECORD]})

    external_id: str = Field(pattern=EXTERNAL_ID_PATTERN,
                             description="The Fachverfahren's pseudonymous case number (never a name).")
    jobcenter: str | None = Field(default=None, min_length=1, max_length=32,
                                  description="Code of the Jobcenter; the API defaults to the token's.")
    counsellor: str | None = Field(default=None, min_length=1, max_length=200,
                                   description="User name of the counsellor's Lotse account in that Jobcenter.")
    locale: Literal["de", "en"] | None = Field(default=None, description="Language of the job-seeker's pages.")
    consent: ConsentState | None = Field(
        default=None, description="The person's consent to passing their answers to the Fachverfahren.")
    consent_at: Annotated[AwareDatetime, AfterValidator(_in_utc)] | None = Field(
        default=None, description="When consent was given or revoked (with a time zone; stored in UTC).")
    profile: Profile = Field(default_factory=Profile)

