"""Other Jobcenters' benchlearning figures, as imported from their exported files (issue 20).

One row per cell of their file. Our own figures are never stored here: they are computed
from the live tables whenever a page or an export asks, so they cannot go stale.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.tables import UtcDateTime, utcnow


class KpiFigure(SQLModel, table=True):
    __tablename__ = "kpi_figure"
    __table_args__ = (UniqueConstraint("jobcenter", "period", "team", "indicator", "module"),)

    id: int | None = Field(default=None, primary_key=True)
    jobcenter: str = Field(max_length=32, index=True)
    period: str = Field(max_length=7, index=True)
    team: str = Field(max_length=32)
    indicator: str = Field(max_length=64)
    module: str = Field(default="", max_length=64)
    value: float | None = None
    people: int | None = None
    status: str = Field(max_length=24)
    schema_version: str = Field(max_length=16)
    # SHA-256 of the imported file, so a figure can be traced back to the file it came from.
    source_sha256: str = Field(max_length=64)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)
