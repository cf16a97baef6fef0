"""Administration: accounts, the AI kill switch, the retention setting. No case content here."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlmodel import col, select

from api.auth.accounts import (
    create_user,
    disable_user,
    generate_password,
    reset_password,
    sign_out_everywhere,
)
from api.auth.deps import AdminUser
from api.deps import RowId, SessionDep, SettingsDep
from api.errors import problem, problem_responses
from api.routes.schemas import (
    KillSwitchChange,
    KillSwitchState,
    RetentionSetting,
    UserChange,
    UserList,
    UserWithPassword,
)
from api.security import CsrfDep
from api.settings import MIN_RETENTION_DAYS
from models.tables import MAX_ROW_ID, UserAccount
from recommender.decide.killswitch import kill_switch_on, set_kill_switch

router = APIRouter(prefix="/admin", tags=["admin"], responses=problem_responses(401, 403, 422))
USER_NOT_FOUND = "No account with id {given} in your Jobcenter."
CANNOT_DISABLE_SELF = "You cannot disable your own account; ask another admin."


class UserCreateIn(BaseModel):
    username: str = Field(max_length=64)
    role: str = Field(max_length=32)
    display_name: str = Field(default="", max_length=200)
    team_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    password: str | None = Field(default=None, max_length=256, description="Leave out to generate one.")


class DisableIn(BaseModel):
    reason: str = Field(default="", max_length=500)


class ResetIn(BaseModel):
    new_password: str | None = Field(default=None, max_length=256, description="Leave out to generate one.")


class KillSwitchIn(BaseModel):
    on: bool
    reason: str = Field(default="", max_length=500)


def user_summary(user: UserAccount) -> dict[str, Any]:
    return {"id": user.id, "username": user.username, "role": user.role, "display_name": user.display_name,
            "team_id": user.team_id, "is_active": user.is_active, "two_step": user.totp_secret is not None,
            "locked_until": user.locked_until.isoformat() if user.locked_until else None}


def _own_user(session: SessionDep, admin: UserAccount, user_id: int) -> UserAccount | None:
    user = session.get(UserAccount, user_id)
    return user if user is not None and user.jobcenter_id == admin.jobcenter_id else None


@router.get("/users", response_model=UserList)
def read_users(admin: AdminUser, session: SessionDep) -> dict[str, Any]:
    """Accounts of the admin's Jobcenter (no password data, no case data)."""
    rows = session.exec(select(UserAccount).where(UserAccount.jobcenter_id == admin.jobcenter_id)
                        .order_by(col(UserAccount.username))).all()
    return {"users": [user_summary(u) for u in rows]}


@router.post("/users", status_code=201, response_model=UserWithPassword)
def create_account(body: UserCreateIn, admin: AdminUser, session: SessionDep, request: Request, _csrf: CsrfDep) -> Any:
    """Create an account; a generated password is returned once."""
    password = body.password or generate_password()
    user = create_user(session, username=body.username, password=password, role=body.role,
                       jobcenter_id=admin.jobcenter_id, team_id=body.team_id, display_name=body.display_name,
                       actor_role=admin.role, actor_id=admin.id)
    return {"user": user_summary(user), "password": None if body.password else password}


@router.post("/users/{user_id}/disable", response_model=UserChange, responses=problem_responses(404))
def disable_account(user_id: RowId, body: DisableIn, admin: AdminUser, session: SessionDep, request: Request,
                    _csrf: CsrfDep) -> Any:
    """Disable an account; its sessions end at once."""
    user = _own_user(session, admin, user_id)
    if user is None:
        return problem(404, USER_NOT_FOUND.format(given=user_id), request=request)
    if user.id == admin.id:
        return problem(422, CANNOT_DISABLE_SELF, request=request)
    changed = disable_user(session, user=user, actor_role=admin.role, actor_id=admin.id, reason=body.reason)
    return {"user": user_summary(user), "changed": changed}


@router.post("/users/{user_id}/sign-out", response_model=UserChange, responses=problem_responses(404))
def sign_out_account_everywhere(user_id: RowId, admin: AdminUser, session: SessionDep, request: Request,
                                _csrf: CsrfDep) -> Any:
    """End every session of an account at once (all devices, every copy of the cookie)."""
    user = _own_user(session, admin, user_id)
    if user is None:
        return problem(404, USER_NOT_FOUND.format(given=user_id), request=request)
    sign_out_everywhere(session, user=user, actor_role=admin.role, actor_id=admin.id)
    return {"user": user_summary(user), "changed": True}


@router.post("/users/{user_id}/reset-password", response_model=UserWithPassword,
             responses=problem_responses(404))
def reset_account_password(user_id: RowId, body: ResetIn, admin: AdminUser, session: SessionDep, request: Request,
                           _csrf: CsrfDep) -> Any:
    """Set a new password (generated if none given, returned once); ends the account's sessions."""
    user = _own_user(session, admin, user_id)
    if user is None:
        return problem(404, USER_NOT_FOUND.format(given=user_id), request=request)
    password = body.new_password or generate_password()
    reset_password(session, user=user, new_password=password, actor_role=admin.role, actor_id=admin.id)
    return {"user": user_summary(user), "password": None if body.new_password else password}


@router.get("/kill-switch", response_model=KillSwitchState)
def read_kill_switch(admin: AdminUser, session: SessionDep) -> dict[str, bool]:
    """Whether all advice currently comes from the rules baseline (AI off)."""
    return {"on": kill_switch_on(session)}


@router.put("/kill-switch", response_model=KillSwitchChange)
def update_kill_switch(body: KillSwitchIn, admin: AdminUser, session: SessionDep, request: Request,
                       _csrf: CsrfDep) -> Any:
    """Turn the AI off (on=true) or back on, with a reason; effective from the next request."""
    changed = set_kill_switch(session, on=body.on, actor_role=admin.role, actor_id=admin.id, reason=body.reason)
    return {"on": body.on, "changed": changed}


@router.get("/retention", response_model=RetentionSetting)
def read_retention(admin: AdminUser, settings: SettingsDep) -> dict[str, int]:
    """How long decision logs are kept (set by LOTSE_LOG_RETENTION_DAYS; at least 180 days)."""
    return {"log_retention_days": settings.log_retention_days, "minimum_days": MIN_RETENTION_DAYS}
