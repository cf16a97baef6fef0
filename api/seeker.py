"""The job-seeker behind a request: their own account or an anonymous trial session.

A first visit may try Lotse without an account ("late sign-up", as in Bob Emploi since 2019); the signed
session then holds only the random pseudonym of a new case in the default Jobcenter. A
logged-in job-seeker is found through their account. Either way every job-seeker route is
scoped to this one case by these dependencies, so no id in a URL can reach another case.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy import insert
from sqlmodel import Session, col, select

from api.auth.deps import SESSION_USER_KEY, OptionalUser, get_optional_user
from api.auth.policy import AccessRule, declare_access
from api.deps import SessionDep
from api.i18n import _
from api.lane import in_lane
from api.security.rate_limit import TOO_MANY_NEW_CASES, TooManyNewCases, count_new_case, new_case_wait
from data.seed import DEMO_JOBCENTER_CODE
from models.crud import create_job_seeker, get_job_seeker_by_pseudonym, get_jobcenter_by_code
from models.db import read_session
from models.tables import JobSeeker, Role, UserAccount

SESSION_SEEKER_KEY = "job_seeker"
NO_CASE = _("No advice session yet. Please start on the first page.")
STAFF_NOT_SEEKER = _("This is the job-seeker's own view; staff open cases from their caseload.")
NO_JOBCENTER = _("Lotse has no Jobcenter configured yet; run `lotse seed` first.")


def _from_account(session: Session, user: UserAccount) -> JobSeeker | None:
    if user.role != Role.job_seeker:
        raise HTTPException(status_code=403, detail=STAFF_NOT_SEEKER)
    return session.exec(
        select(JobSeeker).where(JobSeeker.user_id == user.id, col(JobSeeker.erased_at).is_(None))
    ).first()


def find_session_job_seeker(request: Request, session: Session, user: UserAccount | None) -> JobSeeker | None:
    """The request's case, or None if it has none (erased cases count as none)."""
    if user is not None:
        return _from_account(session, user)
    pseudonym = request.session.get(SESSION_SEEKER_KEY)
    if not pseudonym:
        return None
    job_seeker = get_job_seeker_by_pseudonym(session=session, pseudonym=str(pseudonym))
    if job_seeker is None or job_seeker.erased_at is not None:
        request.session.pop(SESSION_SEEKER_KEY, None)
        return None
    return job_seeker


@declare_access(AccessRule.job_seeker())
def get_session_job_seeker(request: Request, session: SessionDep, user: OptionalUser) -> JobSeeker:
    """Dependency: the request's own case; 401 if there is none yet."""
    job_seeker = find_session_job_seeker(request, session, user)
    if job_seeker is None:
        raise HTTPException(status_code=401, detail=NO_CASE)
    return job_seeker


@declare_access(AccessRule.job_seeker())
def get_or_create_job_seeker(request: Request, session: SessionDep, user: OptionalUser) -> JobSeeker:
    """Dependency: the request's own case, opening an anonymous one on first use."""
    job_seeker = find_session_job_seeker(request, session, user)
    if job_seeker is not None:
        return job_seeker
    if user is not None:  # a job-seeker account without a case yet
        jobcenter_id = user.jobcenter_id
    else:
        try:
            count_new_case(session, client=_client(request),
                           per_hour=request.app.state.settings.anonymous_cases_per_hour)
        except TooManyNewCases as exc:
            raise too_many_new_cases(exc.seconds) from None
        jobcenter_id = _default_jobcenter_id(request, session)
    job_seeker = create_job_seeker(session=session, jobcenter_id=jobcenter_id)
    if user is not None:
        job_seeker.user_id = user.id
    else:
        request.session[SESSION_SEEKER_KEY] = job_seeker.pseudonym
    return job_seeker


def read_job_seeker(request: Request, reader: Session) -> JobSeeker:
    """The request's own case, read in *reader* without the write lock; 401 if there is none.

    For lane routes (``api.lane``) that read, then write only in a short ``api.deps.write_session``.
    """
    job_seeker = find_session_job_seeker(request, reader, get_optional_user(request, reader))
    if job_seeker is None:
        raise HTTPException(status_code=401, detail=NO_CASE)
    return job_seeker


def planned_job_seeker(request: Request, reader: Session) -> JobSeeker:
    """For lane routes that compute advice before they write (issue 16): the request's own case,
    read in *reader* without the write lock, or a new case that is not saved yet (``id`` None).

    The route saves a new case with :func:`save_new_case` in its short write transaction, so a
    case exists only with its first decision. A client over its hourly share of new cases is
    refused here (429) before anything is computed.
    """
    user = get_optional_user(request, reader)
    job_seeker = find_session_job_seeker(request, reader, user)
    if job_seeker is not None:
        return job_seeker
    if user is not None:  # a job-seeker account without a case yet
        return JobSeeker(jobcenter_id=user.jobcenter_id, user_id=user.id)
    wait = new_case_wait(reader, client=_client(request),
                         per_hour=request.app.state.settings.anonymous_cases_per_hour)
    if wait is not None:
        raise too_many_new_cases(wait)
    return JobSeeker(jobcenter_id=_default_jobcenter_id(request, reader))


@declare_access(AccessRule.job_seeker())
async def case_in_lane(request: Request) -> None:
    """Dependency of a job-seeker route whose work finds the case itself, with :func:`read_job_seeker`
    or :func:`planned_job_seeker`, inside its one lane hop (``api.lane``).

    A signed-in staff member is refused here (403) before the body is validated; an anonymous
    visitor, the common case, costs no database read and no thread hop.
    """
    if isinstance(request.session.get(SESSION_USER_KEY), int):
        await in_lane(request, partial(_refuse_staff, request))


@declare_access(AccessRule.job_seeker())
async def existing_case_in_lane(request: Request) -> None:
    """:func:`case_in_lane` for routes that need a case already: without one in the session the
    answer is 401 at once, before a form's CSRF check (an expired trial session has lost its
    token too, and "the session ended" is what the person needs to hear)."""
    await case_in_lane(request)
    if request.session.get(SESSION_USER_KEY) is None and not request.session.get(SESSION_SEEKER_KEY):
        raise HTTPException(status_code=401, detail=NO_CASE)


CASE_IN_LANE = Depends(case_in_lane)
EXISTING_CASE_IN_LANE = Depends(existing_case_in_lane)


def _refuse_staff(request: Request) -> None:
    with read_session(request.app.state.engine) as reader:
        user = get_optional_user(request, reader)
        if user is not None and user.role != Role.job_seeker:
            raise HTTPException(status_code=403, detail=STAFF_NOT_SEEKER)


def save_new_case(session: Session, request: Request, job_seeker: JobSeeker) -> None:
    """Insert a case from :func:`planned_job_seeker` in the caller's write transaction.

    An anonymous one is counted against its client's hourly limit here, under the counter's
    row lock (exact across workers; over the limit: 429 and the transaction is rolled back).
    Call :func:`remember_new_case` once the transaction is committed.
    """
    if job_seeker.user_id is None:
        try:
            count_new_case(session, client=_client(request),
                           per_hour=request.app.state.settings.anonymous_cases_per_hour)
        except TooManyNewCases as exc:
            raise too_many_new_cases(exc.seconds) from None
    columns = job_seeker.model_dump(exclude={"id"})
    job_seeker.id = session.connection().execute(_INSERT_CASE, columns).scalar_one()


def remember_new_case(request: Request, job_seeker: JobSeeker) -> None:
    """Keep a committed anonymous case in the signed session cookie."""
    if job_seeker.user_id is None:
        request.session[SESSION_SEEKER_KEY] = job_seeker.pseudonym


def too_many_new_cases(seconds: int) -> HTTPException:
    return HTTPException(status_code=429, detail=TOO_MANY_NEW_CASES, headers={"Retry-After": str(seconds)})


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _default_jobcenter_id(request: Request, session: Session) -> int:
    """The Jobcenter of anonymous cases; read once per process (a Jobcenter's id never changes)."""
    cached: int | None = getattr(request.app.state, "default_jobcenter_id", None)
    if cached is None:
        jobcenter = get_jobcenter_by_code(session=session, code=DEMO_JOBCENTER_CODE)
        if jobcenter is None or jobcenter.id is None:
            raise HTTPException(status_code=503, detail=NO_JOBCENTER)
        cached = request.app.state.default_jobcenter_id = jobcenter.id
    return cached


_JOB_SEEKERS = JobSeeker.__table__  # type: ignore[attr-defined]
_INSERT_CASE = insert(_JOB_SEEKERS).returning(_JOB_SEEKERS.c.id)  # built once (docs/decision-path.md)
SessionJobSeeker = Annotated[JobSeeker, Depends(get_session_job_seeker)]
NewOrSessionJobSeeker = Annotated[JobSeeker, Depends(get_or_create_job_seeker)]
