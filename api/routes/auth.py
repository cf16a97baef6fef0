"""Sign in, sign out and the current session for scripts and single-page clients."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.auth.accounts import PasswordPolicyError, reset_password
from api.auth.deps import CurrentUser, OptionalUser, end_user_session, start_user_session
from api.auth.login import LoginFailed, LoginThrottled, authenticate, verify_current_password
from api.auth.policy import PUBLIC
from api.deps import SessionDep
from api.errors import problem, problem_responses
from api.routes.schemas import LoginOut, SessionOut, UserPublic
from api.security import CsrfDep, csrf_token
from models.errors import require_id
from models.tables import UserAccount

router = APIRouter(prefix="/auth", tags=["auth"])

WRONG_CURRENT_PASSWORD = "The current password is wrong."


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=256)
    totp_code: str | None = Field(default=None, max_length=12)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


def user_public(user: UserAccount) -> UserPublic:
    return UserPublic(
        id=require_id(user),
        username=user.username,
        role=user.role,
        display_name=user.display_name,
        team_id=user.team_id,
        jobcenter_id=user.jobcenter_id,
    )


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def throttled_response(exc: LoginThrottled, request: Request) -> JSONResponse:
    response = problem(429, str(exc), request=request, retry_after_seconds=exc.seconds,
                       locked_until=exc.until.isoformat())
    response.headers["Retry-After"] = str(exc.seconds)
    return response


@router.get("/session", dependencies=[PUBLIC], response_model=SessionOut)
def read_session(request: Request, user: OptionalUser) -> dict[str, Any]:
    """Who is signed in, and the CSRF token scripts send as ``X-CSRF-Token``."""
    return {
        "authenticated": user is not None,
        "user": user_public(user).model_dump() if user else None,
        "csrf_token": csrf_token(request),
    }


@router.post("/login", dependencies=[PUBLIC], response_model=LoginOut,
             responses=problem_responses(401, 403, 422, 429))
def login(body: LoginIn, request: Request, session: SessionDep, _csrf: CsrfDep) -> Any:
    """Sign in with username, password and (if enrolled) a TOTP code."""
    try:
        user = authenticate(
            session, username=body.username, password=body.password, totp_code=body.totp_code,
            client=client_address(request),
        )
    # Returned, not raised: the failed attempt the throttle counts must be committed, not rolled back.
    except LoginThrottled as exc:
        return throttled_response(exc, request)
    except LoginFailed as exc:
        return problem(401, str(exc), request=request)
    start_user_session(request, user)
    return {"user": user_public(user).model_dump(), "csrf_token": csrf_token(request)}


@router.post("/logout", dependencies=[PUBLIC], status_code=204, responses=problem_responses(403))
def logout(request: Request, session: SessionDep, user: OptionalUser, _csrf: CsrfDep) -> Response:
    """Sign out, ending every copy of the session cookie (harmless when nobody is signed in)."""
    end_user_session(request, session, user)
    return Response(status_code=204)


@router.post("/password", status_code=204, responses=problem_responses(401, 403, 422, 429))
def change_password(body: PasswordChangeIn, request: Request, user: CurrentUser, session: SessionDep,
                    _csrf: CsrfDep) -> Response:
    """Change one's own password; other sessions of the account end, this one continues."""
    try:
        if not verify_current_password(session, user=user, password=body.current_password,
                                       client=client_address(request)):
            return problem(422, WRONG_CURRENT_PASSWORD, request=request)
    except LoginThrottled as exc:
        return throttled_response(exc, request)
    try:
        reset_password(session, user=user, new_password=body.new_password, actor_role=user.role, actor_id=user.id)
    except PasswordPolicyError as exc:  # the kind handler's 422 plus each rule the password broke, per field
        return problem(422, str(exc), request=request, errors=[{"field": "new_password", "message": p}
                                                                for p in exc.problems])
    start_user_session(request, user)
    return Response(status_code=204)


__all__ = ["router", "user_public"]
