"""The job-seeker's plan: one step per advice module, not per decision item (issue 15, finding 4).

A refresh writes a new decision with new items for the same modules. Were the plan kept on
the items, the new card would offer "In meinen Plan aufnehmen" again and the plan would list
the module twice. Keyed by (case, module), a step outlives every refresh: the card of any
decision shows it as planned, and a module can be in the plan only once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import UniqueConstraint, bindparam
from sqlmodel import Field, Session, SQLModel, col, select

from models.tables import UtcDateTime, utcnow


class PlanStep(SQLModel, table=True):
    __tablename__ = "plan_step"
    __table_args__ = (UniqueConstraint("job_seeker_id", "module_id"),)

    id: int | None = Field(default=None, primary_key=True)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    module_id: str = Field(max_length=64)
    due_date: date | None = None
    done_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    added_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime)


# Built once (docs/decision-path.md, "Statements built once").
_STEPS_OF_CASE = select(PlanStep).where(col(PlanStep.job_seeker_id) == bindparam("job_seeker_id"))


def plan_steps_by_module(*, session: Session, job_seeker_id: int) -> dict[str, PlanStep]:
    """The case's plan steps keyed by advice module."""
    steps = session.exec(_STEPS_OF_CASE, params={"job_seeker_id": job_seeker_id}).all()
    return {step.module_id: step for step in steps}
