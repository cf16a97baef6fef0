"""Authentication and authorisation, enforced in one place: FastAPI dependencies.

Templates may hide a button, but only these dependencies decide (issue 8). The signed
session cookie holds ``user_id`` and a stamp derived from the account's password hash,
role, status and session version: signing out, resetting a password, disabling an account,
changing its role or an admin's "sign out everywhere" ends every session of that account on
its next request - every copy of the cookie, although the cookies are not stored server-side.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Query, Request
from sqlmodel import Session

from api.auth.policy import ALL_ROLES, AccessRule, declare_access
from api.deps import SessionDep
from models.tables import JobSeeker, Role, UserAccount
from recommender.casework.caseload import ACCESS_PURPOSES, CASE_ROLES, resolve_case

SESSION_USER_KEY = "user_id"
SESSION_STAMP_KEY = "auth_stamp"
LOGIN_PATH = "/login"
API_PREFIX = "/api/"
# The chosen interface language is not security-relevant and should survive signing in.
_KEPT_ACROSS_LOGIN = ("locale",)

NOT_AUTHENTICATED = "Please sign in first."
NOT_ALLOWED = "Your role ({role}) may not use this page or endpoint; it needs one of: {allowed}."


def session_stamp(user: UserAccount) -> str:
    material = f"{user.id}:{user.role}:{user.is_active}:{user.password_hash}:{user.session_version}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def end_all_sessions(session: Session, user: UserAccount) -> None:
    """Invalidate every cookie of *user*, wherever copies of it are (bumps the session version)."""
    user.session_version = (user.session_version or 0) + 1
    session.add(user)
    session.flush()


def start_user_session(request: Request, user: UserAccount) -> None:
    """Replace the whole session (no fixation: nothing from before the login survives)."""
    keep = {key: request.session[key] for key in _KEPT_ACROSS_LOGIN if key in request.session}
    request.session.clear()
    request.session.update(keep)
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_STAMP_KEY] = session_stamp(user)


def end_user_session(request: Request, session: Session | None = None, user: UserAccount | None = None) -> None:
    """Clear this browser's session; with *user*, end every other copy of the account's sessions too."""
    if session is not None and user is not None:
        end_all_sessions(session, user)
    request.session.clear()


def safe_next(target: str | None) -> str | None:
    """*target* if it is a same-site path, else None: an open redirect would let a phishing link borrow our name."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def _is_api(request: Request) -> bool:
    return request.url.path.startswith(API_PREFIX)


def get_optional_user(request: Request, session: SessionDep) -> UserAccount | None:
    """The logged-in, active account, or None (a stale or forged session counts as none)."""
    user_id = request.session.get(SESSION_USER_KEY)
    if not isinstance(user_id, int):
        return None
    user = session.get(UserAccount, user_id)
    if user is None or not user.is_active or request.session.get(SESSION_STAMP_KEY) != session_stamp(user):
        end_user_session(request)
        return None
    return user


OptionalUser = Annotated[UserAccount | None, Depends(get_optional_user)]


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as the staff menu shows it; outlives the request's database session."""

    username: str
    role: str


def _login_required(request: Request) -> HTTPException:
    if _is_api(request):
        return HTTPException(status_code=401, detail=NOT_AUTHENTICATED)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"{LOGIN_PATH}?next={quote(path, safe='/')}"
    return HTTPException(status_code=303, detail=NOT_AUTHENTICATED, headers={"Location": location})


@declare_access(AccessRule.for_roles(ALL_ROLES))
def get_current_user(request: Request, user: OptionalUser) -> UserAccount:
    """The logged-in account; 401 (API) or a redirect to the login page (HTML) otherwise."""
    if user is None:
        raise _login_required(request)
    # A copy of what the staff error page shows: the error handler runs after the session is closed.
    request.state.signed_in = SignedIn(username=user.username, role=user.role)
    return user


CurrentUser = Annotated[UserAccount, Depends(get_current_user)]


def require_roles(*roles: Role | str) -> Any:
    """``Depends`` that returns the current user if their role is one of *roles*, else 403.

    Use as ``dependencies=[require_roles(Role.admin)]`` or
    ``user: Annotated[UserAccount, require_roles(Role.counsellor, Role.team_lead)]``.
    """
    allowed = frozenset(str(Role(r).value) for r in roles)
    if not allowed:
        raise ValueError("require_roles() needs at least one role.")

    @declare_access(AccessRule.for_roles(allowed))
    def check_role(user: CurrentUser) -> UserAccount:
        if user.role not in allowed:
            raise HTTPException(
                status_code=403, detail=NOT_ALLOWED.format(role=user.role, allowed=", ".join(sorted(allowed)))
            )
        return user

    check_role.__name__ = f"require_{'_or_'.join(sorted(allowed))}"
    return Depends(check_role)


CaseRoleUser = Annotated[UserAccount, require_roles(*CASE_ROLES)]


def case_for_staff(
    request: Request,
    pseudonym: str,
    session: SessionDep,
    user: CaseRoleUser,
    purpose: Annotated[str | None, Query(max_length=32, description="Why a colleague's case is read",
                                         json_schema_extra={"enum": list(ACCESS_PURPOSES)})] = None,
    purpose_note: Annotated[str | None, Query(max_length=500)] = None,
) -> JobSeeker:
    """The case *pseudonym* if it is in the user's caseload or read with a purpose; else 404.

    Every read is logged as ``case_accessed`` and committed here, before the route runs, so the
    trace stays when the route then fails (e.g. a rejected review); a refused read is logged as
    ``access_denied``, which :class:`CaseAccessError` commits (guessing leaves a trace).
    """
    route = request.scope.get("route")
    action = getattr(route, "name", None) or request.url.path
    access = resolve_case(
        session=session, user=user, pseudonym=pseudonym, action=action, purpose=purpose, note=purpose_note
    )
    session.commit()
    return access.job_seeker


StaffCase = Annotated[JobSeeker, Depends(case_for_staff)]
StaffUser = Annotated[UserAccount, require_roles(Role.counsellor, Role.team_lead, Role.data_scientist, Role.admin)]
AdminUser = Annotated[UserAccount, require_roles(Role.admin)]
TeamLeadUser = Annotated[UserAccount, require_roles(Role.team_lead)]
CounsellorUser = Annotated[UserAccount, require_roles(Role.counsellor, Role.team_lead)]

__all__ = [
    "AdminUser",
    "CounsellorUser",
    "CurrentUser",
    "OptionalUser",
    "StaffCase",
    "StaffUser",
    "TeamLeadUser",
    "case_for_staff",
    "end_all_sessions",
    "end_user_session",
    "get_current_user",
    "get_optional_user",
    "require_roles",
    "safe_next",
    "start_user_session",
]
