"""Labour-market reference tables: market indicators per occupation x region, posting counts.

Figures are replaced as a whole by an import (one transaction), so each row carries where
it came from (``source``) and whether it is illustrative rather than official.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables import UtcDateTime, utcnow

NATIONAL_AGS = "DG"  # the BA statistics' code for Deutschland


class MarketIndicator(SQLModel, table=True):
    """Registered unemployed and open vacancies for one occupation (KldB 3/5-digit) in one region."""

    __tablename__ = "market_indicator"
    __table_args__ = (UniqueConstraint("kldb", "ags", name="uq_market_indicator_kldb_ags"),)

    id: int | None = Field(default=None, primary_key=True)
    kldb: str = Field(max_length=5, index=True)
    ags: str = Field(max_length=5, index=True)  # Kreis AGS, or NATIONAL_AGS
    period: str = Field(max_length=10)  # reference month, YYYY-MM
    unemployed: int
    vacancies: int
    vacancies_year_ago: int | None = None
    illustrative: bool = Field(default=False, index=True)
    source: str = Field(max_length=300)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class JobPostingCount(SQLModel, table=True):
    """Job postings counted from a Jobsuche export, per KldB 5-digit code and region."""

    __tablename__ = "job_posting_count"
    __table_args__ = (UniqueConstraint("kldb5", "ags", name="uq_job_posting_count_kldb5_ags"),)

    id: int | None = Field(default=None, primary_key=True)
    kldb5: str = Field(max_length=5, index=True)
    ags: str = Field(max_length=5, index=True)
    postings: int
    source: str = Field(max_length=300)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


class ImportedJobPosting(SQLModel, table=True):
    """One imported Jobsuche posting, keyed by its reference number so later pages add up.

    ``job_posting_count`` is recomputed from these rows after every import. Postings hold no
    personal data: the BA publishes them, and only the code, the Kreise and the source are kept.
    """

    __tablename__ = "job_posting"

    refnr: str = Field(max_length=64, primary_key=True)
    kldb5: str | None = Field(default=None, max_length=5)  # None: the occupation text was not classified
    kreise: str = Field(default="", max_length=300)  # Kreis AGS, comma-separated; empty when not placed
    version: str = Field(max_length=2)  # v4 or v6
    source: str = Field(max_length=300)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
