"""Small ``make_*`` factories with sensible defaults that go through the app's own functions."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.crud import create_job_seeker, create_snapshot
from models.tables import Jobcenter, JobSeeker, ProfileSnapshot


def make_jobcenter(session: Session, *, code: str = "jc-test", name: str = "Jobcenter Test") -> Jobcenter:
    jobcenter = Jobcenter(code=code, name=name)
    session.add(jobcenter)
    session.flush()
    return jobcenter


def make_job_seeker(session: Session, *, jobcenter: Jobcenter | None = None) -> JobSeeker:
    jobcenter = jobcenter or make_jobcenter(session)
    assert jobcenter.id is not None
    return create_job_seeker(session=session, jobcenter_id=jobcenter.id)


def make_snapshot(session: Session, *, job_seeker: JobSeeker, payload: dict[str, Any] | None = None) -> ProfileSnapshot:
    assert job_seeker.id is not None
    return create_snapshot(
        session=session,
        job_seeker_id=job_seeker.id,
        payload=payload or {"target_occupation": "62102", "region_ags": "09362"},
    )
