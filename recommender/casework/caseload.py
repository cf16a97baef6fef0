"""Who may read which case: the caseload rule and the access log (issue 8, G20).

A counsellor reads the cases assigned to them. Reading any other case of the same
Jobcenter needs a stated purpose (vacation cover, sickness cover, handover); the purpose
becomes a time-limited grant and every read is written to the event log as
``case_accessed`` with who, which case and why. A refused read is logged as
``access_denied`` and answered exactly like a case that does not exist, so guessing
pseudonyms reveals nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from models.errors import InvalidError, NotFoundError, require_id
from models.staff import CaseAccessGrant
from models.tables import CaseAssignment, JobSeeker, Role, UserAccount, as_utc, utcnow
from recommender.errors import RecommenderError
from recommender.records.chain import EventType, append_event
from recommender.records.free_text import text_digest

CASE_ROLES = frozenset({Role.counsellor, Role.team_lead})
GRANT_HOURS = 8
ACCESS_PURPOSES: dict[str, str] = {
    "vacation_cover": "Urlaubsvertretung / vacation cover",
    "sickness_cover": "Krankheitsvertretung / sickness cover",
    "handover": "Fallübergabe / case handover",
    "other": "Sonstiges (Begründung nötig) / other (explain)",
}
CASE_NOT_FOUND = (
    "No case with this pseudonym in your caseload. Cases of colleagues need a purpose (e.g. vacation cover)."
)
PURPOSE_UNKNOWN = "Unknown purpose {given!r}; allowed: {allowed}."
PURPOSE_NOTE_REQUIRED = "The purpose 'other' needs a short explanation."


class CaseAccessError(RecommenderError, NotFoundError):
    """The case does not exist for this user (unknown, erased, other Jobcenter, or no purpose)."""

    commit_trace = True  # ``resolve_case`` logs ``access_denied`` before raising: guessing leaves a trace


class PurposeError(RecommenderError, InvalidError):
    """The purpose given for reading a colleague's case is not acceptable."""


@dataclass(frozen=True)
class CaseAccess:
    job_seeker: JobSeeker
    basis: str  # "caseload" or a purpose key


def validate_purpose(purpose: str, note: str | None) -> None:
    """Raise :class:`PurposeError` unless *purpose* is a known key (and 'other' has a note)."""
    if purpose not in ACCESS_PURPOSES:
        raise PurposeError(PURPOSE_UNKNOWN.format(given=purpose[:40], allowed=", ".join(ACCESS_PURPOSES)))
    if purpose == "other" and not (note and note.strip()):
        raise PurposeError(PURPOSE_NOTE_REQUIRED)


def is_assigned(*, session: Session, user_id: int, job_seeker_id: int) -> bool:
    statement = select(CaseAssignment.id).where(
        CaseAssignment.job_seeker_id == job_seeker_id,
        CaseAssignment.counsellor_id == user_id,
        col(CaseAssignment.ended_at).is_(None),
    )
    return session.exec(statement).first() is not None


def active_grant(*, session: Session, user_id: int, job_seeker_id: int) -> CaseAccessGrant | None:
    statement = (
        select(CaseAccessGrant)
        .where(CaseAccessGrant.user_id == user_id, CaseAccessGrant.job_seeker_id == job_seeker_id)
        .order_by(col(CaseAccessGrant.expires_at).desc())
    )
    grant = session.exec(statement).first()
    if grant is None or as_utc(grant.expires_at) <= utcnow():
        return None
    return grant


def caseload_ids(*, session: Session, user_id: int) -> list[int]:
    """Ids of the job-seekers currently assigned to *user_id*."""
    statement = select(CaseAssignment.job_seeker_id).where(
        CaseAssignment.counsellor_id == user_id, col(CaseAssignment.ended_at).is_(None)
    )
    return list(session.exec(statement).all())


def log_denied(*, session: Session, user: UserAccount, pseudonym: str, action: str, why: str) -> None:
    append_event(
        session,
        event_type=EventType.access_denied,
        actor_role=user.role,
        actor_id=user.id,
        case_pseudonym=pseudonym[:64],
        action=action[:64],
        reason=why,
    )


def resolve_case(
    *,
    session: Session,
    user: UserAccount,
    pseudonym: str,
    action: str,
    purpose: str | None = None,
    note: str | None = None,
) -> CaseAccess:
    """Return the case if *user* may read it, logging the read; else log and raise.

    Raises
    ------
    CaseAccessError
        Unknown, erased or foreign case, or a colleague's case without a purpose
        (``access_denied`` is appended to the caller's session before raising).
    PurposeError
        A purpose was given but is not acceptable (nothing is logged or granted).
    """
    user_id = require_id(user)
    if purpose:
        validate_purpose(purpose, note)
    seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).first()
    if user.role not in CASE_ROLES:
        why = "role may not read case content"
    elif seeker is None or seeker.erased_at is not None:
        why = "unknown case"
    elif seeker.jobcenter_id != user.jobcenter_id:
        why = "case of another Jobcenter"
    else:
        basis = _access_basis(session=session, user=user, seeker=seeker, purpose=purpose, note=note)
        if basis is not None:
            append_event(
                session,
                event_type=EventType.case_accessed,
                actor_role=user.role,
                actor_id=user_id,
                case_pseudonym=seeker.pseudonym,
                action=action[:64],
                reason=basis,
                outputs={"basis": basis, "note_hmac": text_digest(note) if basis != "caseload" else None},
            )
            return CaseAccess(job_seeker=seeker, basis=basis)
        why = "not in caseload and no purpose given"
    log_denied(session=session, user=user, pseudonym=pseudonym, action=action, why=why)
    raise CaseAccessError(CASE_NOT_FOUND)


def resolve_team_case(*, session: Session, team_lead: UserAccount, pseudonym: str, action: str) -> JobSeeker:
    """A case of the team lead's Jobcenter (to reassign); an unknown, erased or foreign one is logged and refused.

    Raises
    ------
    CaseAccessError
        Answered exactly like a case that does not exist (``access_denied`` is appended first).
    """
    seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).first()
    if seeker is None or seeker.erased_at is not None or seeker.jobcenter_id != team_lead.jobcenter_id:
        log_denied(session=session, user=team_lead, pseudonym=pseudonym, action=action, why="unknown case")
        raise CaseAccessError(CASE_NOT_FOUND)
    return seeker


def _access_basis(
    *, session: Session, user: UserAccount, seeker: JobSeeker, purpose: str | None, note: str | None
) -> str | None:
    user_id = require_id(user)
    seeker_id = require_id(seeker)
    if is_assigned(session=session, user_id=user_id, job_seeker_id=seeker_id):
        return "caseload"
    grant = active_grant(session=session, user_id=user_id, job_seeker_id=seeker_id)
    if grant is not None and not purpose:
        return grant.purpose
    if purpose:
        session.add(
            CaseAccessGrant(
                user_id=user_id,
                job_seeker_id=seeker_id,
                purpose=purpose,
                note=(note or "").strip()[:500] or None,
                expires_at=utcnow() + timedelta(hours=GRANT_HOURS),
            )
        )
        session.flush()
        return purpose
    return None
