"""Creating, disabling and resetting accounts; shared by ``lotse users`` and the admin API.

Every change is written to the event log (``user_created``, ``user_disabled``,
``password_reset``) with the actor; no password or hash ever enters the log.
"""

from __future__ import annotations

import secrets

import pyotp
from sqlmodel import Session, select

from api.auth.login import find_user, normalise_username
from api.auth.passwords import check_password_policy, hash_password
from models.errors import InvalidError
from models.tables import Jobcenter, Role, Team, UserAccount
from recommender.records.chain import EventType, append_event

ROLE_UNKNOWN = "Unknown role {given!r}; allowed: {allowed}."
USERNAME_TAKEN = "The username {username!r} is already taken."
USERNAME_INVALID = (
    "The username {username!r} is not allowed: use 3 to 64 letters, digits, dots, hyphens or underscores."
)
JOBCENTER_UNKNOWN = "No Jobcenter with code {code!r}."
TEAM_UNKNOWN = "No team {team!r} in this Jobcenter."
USER_UNKNOWN = "No account with username {username!r}."
_USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


class AccountError(InvalidError):
    """An account change that cannot be made; the message says what was given and what is allowed."""


class PasswordPolicyError(AccountError):
    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(" ".join(problems))


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not 3 <= len(name) <= 64 or not set(name) <= _USERNAME_CHARS:
        raise AccountError(USERNAME_INVALID.format(username=username[:80]))
    return name


def parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(ROLE_UNKNOWN.format(given=role, allowed=", ".join(r.value for r in Role))) from None


def generate_password() -> str:
    """A random passphrase-strength password (about 120 bits) for resets and demo accounts."""
    return secrets.token_urlsafe(15)


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    jobcenter_id: int,
    team_id: int | None = None,
    display_name: str = "",
    actor_role: str,
    actor_id: str | int | None,
) -> UserAccount:
    """Create an account after checking username, role and password policy."""
    name = _check_username(username)
    parsed = parse_role(role)
    if find_user(session, name) is not None:
        raise AccountError(USERNAME_TAKEN.format(username=name))
    problems = check_password_policy(password, username=name)
    if problems:
        raise PasswordPolicyError(problems)
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.jobcenter_id != jobcenter_id:
            raise AccountError(TEAM_UNKNOWN.format(team=team_id))
    user = UserAccount(
        username=name,
        password_hash=hash_password(password),
        role=parsed.value,
        jobcenter_id=jobcenter_id,
        team_id=team_id,
        display_name=display_name.strip()[:200],
    )
    session.add(user)
    session.flush()
    append_event(
        session,
        event_type=EventType.user_created,
        actor_role=actor_role,
        actor_id=actor_id,
        action=parsed.value,
        outputs={"user_id": user.id, "role": parsed.value, "team_id": team_id},
    )
    return user


def require_user(session: Session, username: str) -> UserAccount:
    user = find_user(session, username)
    if user is None:
        raise AccountError(USER_UNKNOWN.format(username=username[:80]))
    return user


def disable_user(
    session: Session, *, user: UserAccount, actor_role: str, actor_id: str | int | None, reason: str | None = None
) -> bool:
    """Disable *user* (their sessions end at the next request); False if already disabled."""
    if not user.is_active:
        return False
    user.is_active = False
    user.session_version += 1
    session.add(user)
    append_event(
        session,
        event_type=EventType.user_disabled,
        actor_role=actor_role,
        actor_id=actor_id,
        action="disable",
        reason=(reason or "").strip()[:500] or None,
        outputs={"user_id": user.id},
    )
    return True


def sign_out_everywhere(session: Session, *, user: UserAccount, actor_role: str, actor_id: str | int | None) -> None:
    """End every session of *user* at once (a lost laptop, a shared computer); logged."""
    user.session_version += 1
    session.add(user)
    append_event(session, event_type=EventType.sessions_ended, actor_role=actor_role, actor_id=actor_id,
                 action="sign_out_everywhere", outputs={"user_id": user.id})


def reset_password(
    session: Session, *, user: UserAccount, new_password: str, actor_role: str, actor_id: str | int | None
) -> None:
    """Set a new password (policy-checked); ends the account's sessions; clears lock-outs."""
    problems = check_password_policy(new_password, username=user.username)
    if problems:
        raise PasswordPolicyError(problems)
    user.password_hash = hash_password(new_password)
    user.failed_logins = 0
    user.locked_until = None
    user.session_version += 1
    session.add(user)
    append_event(
        session,
        event_type=EventType.password_reset,
        actor_role=actor_role,
        actor_id=actor_id,
        action="reset_password",
        outputs={"user_id": user.id},
    )


def enable_totp(session: Session, *, user: UserAccount) -> str:
    """Give *user* a new TOTP secret; return the otpauth:// URI for their authenticator app."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    session.add(user)
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Lotse")


def jobcenter_by_code(session: Session, code: str) -> Jobcenter:
    jobcenter = session.exec(select(Jobcenter).where(Jobcenter.code == code)).first()
    if jobcenter is None:
        raise AccountError(JOBCENTER_UNKNOWN.format(code=code))
    return jobcenter


def team_by_name(session: Session, *, jobcenter_id: int, name: str) -> Team:
    team = session.exec(select(Team).where(Team.jobcenter_id == jobcenter_id, Team.name == name)).first()
    if team is None:
        raise AccountError(TEAM_UNKNOWN.format(team=name))
    return team
