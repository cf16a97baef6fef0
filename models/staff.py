"""Tables of the staff side: login throttling, case-access grants, case notes, case mode.

- ``LoginThrottle`` keeps failed sign-ins per (hashed) username and per client address in
  the database, so every worker behind the load balancer sees the same counts and a
  lock-out holds across workers. Keys are hashed: unknown usernames typed by mistake are
  not stored in clear.
- ``CaseAccessGrant`` records why a staff member reads a case outside their own caseload
  (e.g. vacation cover); reads need it and are logged with its purpose (issue 8, G20).
- ``CaseNote`` is a counsellor's note; only notes marked so are shown to the job-seeker.
- ``CaseMode`` is the per-case "work without AI" switch a counsellor sets (G9). It is not
  the job-seeker's own objection (``JobSeeker.objection_active``, GDPR Art 21).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Field, Session, SQLModel, col, select

from models.tables import UtcDateTime, utcnow


def _ts(**kwargs: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UtcDateTime, **kwargs)


class LoginThrottle(SQLModel, table=True):
    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=64)
    window_started_at: datetime = _ts()
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UtcDateTime)
    lockouts: int = 0
    updated_at: datetime = _ts()


class CaseAccessGrant(SQLModel, table=True):
    __tablename__ = "case_access_grant"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    purpose: str = Field(max_length=32)
    note: str | None = Field(default=None, max_length=500)
    granted_at: datetime = _ts()
    expires_at: datetime = Field(sa_type=UtcDateTime)


class CaseNote(SQLModel, table=True):
    __tablename__ = "case_note"

    id: int | None = Field(default=None, primary_key=True)
    job_seeker_id: int = Field(foreign_key="job_seeker.id", index=True)
    author_id: int = Field(foreign_key="user_account.id", index=True)
    text: str = Field(max_length=4000)
    visible_to_job_seeker: bool = False
    created_at: datetime = _ts()


class CaseMode(SQLModel, table=True):
    __tablename__ = "case_mode"

    job_seeker_id: int = Field(primary_key=True, foreign_key="job_seeker.id")
    without_ai: bool = False
    changed_by: int | None = Field(default=None, foreign_key="user_account.id")
    changed_at: datetime = _ts()
    reason: str | None = Field(default=None, max_length=500)


def case_works_without_ai(*, session: Session, job_seeker_id: int) -> bool:
    """True when a counsellor switched this case to "work without AI" (rules baseline only)."""
    mode = session.get(CaseMode, job_seeker_id)
    return mode is not None and mode.without_ai


_VISIBLE_NOTES = (  # built once (docs/decision-path.md)
    select(CaseNote)
    .where(col(CaseNote.job_seeker_id) == bindparam("job_seeker_id"), CaseNote.visible_to_job_seeker == True)  # noqa: E712
    .order_by(col(CaseNote.created_at), col(CaseNote.id))
)


def visible_case_notes(*, session: Session, job_seeker_id: int) -> list[CaseNote]:
    """Notes the job-seeker may read: only those a counsellor marked as visible, oldest first."""
    return list(session.exec(_VISIBLE_NOTES, params={"job_seeker_id": job_seeker_id}).all())
