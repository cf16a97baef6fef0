"""Named queries and writes for the core tables (keyword-only arguments, no inline SQL in routes)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from models.hashing import sha256_hex
from models.tables import Decision, Jobcenter, JobSeeker, ProfileSnapshot


def get_jobcenter_by_code(*, session: Session, code: str) -> Jobcenter | None:
    return session.exec(select(Jobcenter).where(Jobcenter.code == code)).first()


def create_job_seeker(*, session: Session, jobcenter_id: int, locale: str = "de") -> JobSeeker:
    job_seeker = JobSeeker(jobcenter_id=jobcenter_id, locale=locale)
    session.add(job_seeker)
    session.flush()
    return job_seeker


# Built once (docs/decision-path.md, "Statements built once").
_BY_PSEUDONYM = select(JobSeeker).where(col(JobSeeker.pseudonym) == bindparam("pseudonym"))
_LATEST_DECISION = (select(Decision).where(col(Decision.job_seeker_id) == bindparam("job_seeker_id"))
                    .order_by(col(Decision.created_at).desc(), col(Decision.id).desc()))


def get_job_seeker_by_pseudonym(*, session: Session, pseudonym: str) -> JobSeeker | None:
    return session.exec(_BY_PSEUDONYM, params={"pseudonym": pseudonym}).first()


def create_snapshot(*, session: Session, job_seeker_id: int, payload: dict[str, Any]) -> ProfileSnapshot:
    """Store an immutable copy of *payload*; the hash identifies it in the decision log."""
    snapshot = ProfileSnapshot(job_seeker_id=job_seeker_id, payload=payload, sha256=sha256_hex(payload))
    session.add(snapshot)
    session.flush()
    return snapshot


def latest_decision(*, session: Session, job_seeker_id: int) -> Decision | None:
    """The newest decision of the case; of two made in the same instant, the one with the larger id."""
    return session.exec(_LATEST_DECISION, params={"job_seeker_id": job_seeker_id}).first()
