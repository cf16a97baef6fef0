"""Who looks after which case: reassignment by a team lead and the team's assignment lists.

A team lead moves a case only within their own team, with a reason that goes to the log; the
lists show ids and names only, never case content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models.errors import require_id
from models.tables import CaseAssignment, JobSeeker, Role, UserAccount, utcnow
from recommender.casework.review import _
from recommender.casework.validation import ReviewError, ReviewNotFound, clean_text
from recommender.records.chain import EventType, append_event
from recommender.records.free_text import text_digest

REASSIGN_REASON_MISSING = "Please give a reason for the reassignment."
REASSIGN_TARGET_INVALID = "The new counsellor must be an active counsellor or team lead in your team."
REASSIGN_SAME = "The case is already assigned to this counsellor."
REASSIGN_OUTSIDE_TEAM = "This case is not assigned within your team."
# English msgids (api/locales): the staff pages show them in the reader's language.
CLAIM_TAKEN = _("Someone else has just taken on this case; it is no longer in the unassigned queue.")
CLAIM_NOT_FOUND = _("No case with this pseudonym waits in your Jobcenter's unassigned queue.")
CLAIM_ROLES = frozenset({Role.counsellor, Role.team_lead})


_CURRENT_COUNSELLOR = select(CaseAssignment.counsellor_id).where(  # built once (docs/decision-path.md)
    col(CaseAssignment.job_seeker_id) == bindparam("job_seeker_id"), col(CaseAssignment.ended_at).is_(None))


def current_counsellor_id(session: Session, *, job_seeker_id: int) -> int | None:
    return session.exec(_CURRENT_COUNSELLOR, params={"job_seeker_id": job_seeker_id}).first()


def reassign_case(
    session: Session, *, job_seeker: JobSeeker, team_lead: UserAccount, new_counsellor_id: int, reason: str
) -> CaseAssignment:
    """Move a case to another counsellor of the team lead's team; logged with the reason."""
    why = clean_text(reason)
    if not why:
        raise ReviewError(REASSIGN_REASON_MISSING)
    target = session.get(UserAccount, new_counsellor_id)
    if (
        target is None
        or not target.is_active
        or target.role not in (Role.counsellor, Role.team_lead)
        or target.team_id is None
        or target.team_id != team_lead.team_id
    ):
        raise ReviewError(REASSIGN_TARGET_INVALID)
    job_seeker_id = require_id(job_seeker)
    current_id = current_counsellor_id(session, job_seeker_id=job_seeker_id)
    if current_id == new_counsellor_id:
        raise ReviewError(REASSIGN_SAME)
    if current_id is not None:
        current = session.get(UserAccount, current_id)
        if current is None or current.team_id != team_lead.team_id:
            raise ReviewError(REASSIGN_OUTSIDE_TEAM)
    now = utcnow()
    for row in session.exec(
        select(CaseAssignment).where(CaseAssignment.job_seeker_id == job_seeker_id,
                                     col(CaseAssignment.ended_at).is_(None))
    ).all():
        row.ended_at = now
        session.add(row)
    session.flush()  # the old assignment is ended before the new one exists (one open row per case)
    assignment = CaseAssignment(job_seeker_id=job_seeker_id, counsellor_id=new_counsellor_id, assigned_at=now)
    session.add(assignment)
    session.flush()
    append_event(
        session,
        event_type=EventType.case_reassigned,
        actor_role=team_lead.role,
        actor_id=team_lead.id,
        case_pseudonym=job_seeker.pseudonym,
        action="reassign",
        reason=text_digest(why[:500]),
        outputs={"from_user_id": current_id, "to_user_id": new_counsellor_id},
    )
    return assignment


def claim_case(session: Session, *, pseudonym: str, user: UserAccount) -> JobSeeker:
    """Take on an unassigned case of the user's Jobcenter from the shared queue; logged as ``case_claimed``.

    Raises
    ------
    ReviewNotFound
        No such case in the user's Jobcenter (or the user may not take cases): told apart from nothing.
    ReviewError
        The case already has a counsellor (a colleague claimed it first, even a moment ago in a
        transaction this one could not see yet: the database's unique index decides).
    """
    seeker = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == pseudonym)).first()
    if (seeker is None or seeker.erased_at is not None or seeker.jobcenter_id != user.jobcenter_id
            or user.role not in CLAIM_ROLES):
        raise ReviewNotFound(CLAIM_NOT_FOUND)
    seeker_id = require_id(seeker)
    if current_counsellor_id(session, job_seeker_id=seeker_id) is not None:
        raise ReviewError(CLAIM_TAKEN)
    # A colleague may claim the same case between the check above and this insert: the unique index
    # on open assignments (migration 0011) refuses the second one. The savepoint keeps the caller's
    # transaction usable, so the loser gets the same message as if it had seen the claim.
    try:
        with session.begin_nested():
            session.add(CaseAssignment(job_seeker_id=seeker_id, counsellor_id=require_id(user),
                                       assigned_at=utcnow()))
    except IntegrityError as exc:
        raise ReviewError(CLAIM_TAKEN) from exc
    append_event(
        session,
        event_type=EventType.case_claimed,
        actor_role=user.role,
        actor_id=user.id,
        case_pseudonym=seeker.pseudonym,
        action="claim",
        reason="claimed from the unassigned queue",
        outputs={"to_user_id": user.id},
    )
    return seeker


@dataclass(frozen=True)
class AssignmentRow:
    pseudonym: str
    counsellor_id: int | None
    counsellor_name: str
    last_activity_at: datetime


def team_assignments(session: Session, *, team_lead: UserAccount) -> list[AssignmentRow]:
    """Who looks after which case in the team lead's team (ids and names only, no case content)."""
    if team_lead.team_id is None:
        return []
    members = {u.id: u for u in session.exec(select(UserAccount).where(UserAccount.team_id == team_lead.team_id)).all()}
    if not members:
        return []
    statement = (
        select(CaseAssignment, JobSeeker)
        .join(JobSeeker, col(JobSeeker.id) == col(CaseAssignment.job_seeker_id))
        .where(col(CaseAssignment.counsellor_id).in_(list(members)), col(CaseAssignment.ended_at).is_(None),
               col(JobSeeker.erased_at).is_(None))
        .order_by(col(JobSeeker.pseudonym))
    )
    rows = []
    for assignment, seeker in session.exec(statement).all():
        member = members.get(assignment.counsellor_id)
        rows.append(AssignmentRow(seeker.pseudonym, assignment.counsellor_id,
                                  (member.display_name or member.username) if member else "?",
                                  seeker.last_activity_at))
    return unassigned_cases(session, jobcenter_id=team_lead.jobcenter_id) + rows


def unassigned_cases(session: Session, *, jobcenter_id: int) -> list[AssignmentRow]:
    """Cases of the Jobcenter nobody looks after yet (new job-seekers), for a team lead to assign."""
    assigned = select(CaseAssignment.job_seeker_id).where(col(CaseAssignment.ended_at).is_(None))
    statement = (
        select(JobSeeker)
        .where(JobSeeker.jobcenter_id == jobcenter_id, col(JobSeeker.erased_at).is_(None),
               col(JobSeeker.id).not_in(assigned))
        .order_by(col(JobSeeker.created_at))
    )
    return [AssignmentRow(s.pseudonym, None, "–", s.last_activity_at) for s in session.exec(statement).all()]


def team_members(session: Session, *, team_id: int | None) -> list[UserAccount]:
    if team_id is None:
        return []
    statement = select(UserAccount).where(
        UserAccount.team_id == team_id, UserAccount.is_active == True,  # noqa: E712
        col(UserAccount.role).in_([Role.counsellor.value, Role.team_lead.value]),
    ).order_by(col(UserAccount.username))
    return list(session.exec(statement).all())
