"""Signing in: one generic failure message, throttling with back-off, optional TOTP.

Throttling counts failed attempts per username (whether or not the account exists, so the
answer never reveals which usernames are real) and per client address, in the database so
all workers share it. The rule, also stated in ``docs/security.md``:

- up to ``MAX_FAILURES`` (5) wrong attempts within ``WINDOW_SECONDS`` (60 s) are answered 401;
- the 5th failure locks the username for 60 s, so the 6th attempt within the minute gets 429
  with the time the pause ends (``Retry-After``), even with the right password;
- each further lock-out doubles the pause (1, 2, 4, 8, then at most 15 minutes); a
  successful sign-in resets the count.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from api.auth.passwords import burn_verify_time, hash_password, needs_rehash, verify_password
from models.staff import LoginThrottle
from models.tables import UserAccount, as_utc, utcnow
from recommender.records.chain import EventType, append_event

MAX_FAILURES = 5
WINDOW_SECONDS = 60
IP_MAX_FAILURES = 30
BASE_LOCK_SECONDS = 60
MAX_LOCK_SECONDS = 15 * 60

LOGIN_FAILED = "Username, password or code is wrong."
LOGIN_THROTTLED = (
    "Too many failed sign-in attempts. Please wait until {until} UTC (about {seconds} seconds) "
    "and try again. Each further series of failures makes the pause longer (at most 15 minutes)."
)


class LoginFailed(Exception):
    """Wrong username, password or code, or a disabled account (never said which)."""


class LoginThrottled(Exception):
    """Too many failures: no attempt is checked until *until*."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        self.seconds = max(1, int((until - utcnow()).total_seconds() + 0.999))
        super().__init__(LOGIN_THROTTLED.format(until=until.strftime("%H:%M:%S"), seconds=self.seconds))


@dataclass(frozen=True)
class _Limit:
    key: str
    max_failures: int


def normalise_username(username: str) -> str:
    return username.strip().lower()


def throttle_key(kind: str, value: str) -> str:
    # Hashed so that mistyped usernames and client addresses are not stored in clear.
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def _limits(username: str, client: str | None) -> list[_Limit]:
    limits = [_Limit(throttle_key("user", normalise_username(username)), MAX_FAILURES)]
    if client:
        limits.append(_Limit(throttle_key("ip", client), IP_MAX_FAILURES))
    return limits


def locked_until(session: Session, *, username: str, client: str | None) -> datetime | None:
    """When the pause for this username or client ends, if one is running now."""
    now = utcnow()
    ends = []
    for limit in _limits(username, client):
        row = session.get(LoginThrottle, limit.key)
        until = as_utc(row.locked_until) if row and row.locked_until else None
        if until and until > now:
            ends.append(until)
    return max(ends) if ends else None


def _record_failure(session: Session, *, username: str, client: str | None) -> datetime | None:
    now = utcnow()
    lock_end = None
    for limit in _limits(username, client):
        row = counter_row(session, limit.key, now)
        started = as_utc(row.window_started_at) if row.window_started_at else now
        if now - started > timedelta(seconds=WINDOW_SECONDS):
            row.window_started_at = now
            row.failures = 0
        row.failures += 1
        if row.failures >= limit.max_failures:
            seconds = min(MAX_LOCK_SECONDS, BASE_LOCK_SECONDS * 2**row.lockouts)
            row.locked_until = now + timedelta(seconds=seconds)
            row.lockouts += 1
            row.failures = 0
            row.window_started_at = now
            lock_end = max(lock_end or row.locked_until, row.locked_until)
        row.updated_at = now
        session.add(row)
    session.flush()
    return lock_end


def counter_row(session: Session, key: str, now: datetime) -> LoginThrottle:
    """The counter row for *key*, locked for this transaction; created if missing.

    Two workers counting the first failure for the same key at once must not both insert:
    the loser of the race re-reads the winner's row instead of failing with a 500.
    """
    row = session.get(LoginThrottle, key, with_for_update=True)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            session.add(LoginThrottle(key=key, window_started_at=now, failures=0))
    except IntegrityError:
        pass
    return session.get_one(LoginThrottle, key, with_for_update=True, populate_existing=True)


def _reset(session: Session, *, username: str) -> None:
    row = session.get(LoginThrottle, throttle_key("user", normalise_username(username)))
    if row is not None:
        session.delete(row)


def verify_current_password(session: Session, *, user: UserAccount, password: str, client: str | None) -> bool:
    """Check a signed-in person's password again (before changing it), throttled exactly like sign-in.

    A stolen session must not become an unlimited password-guessing oracle. Failures count
    towards the same per-username and per-address limits; the caller must commit *session*.

    Raises
    ------
    LoginThrottled
        A pause is running for this account or client address.
    """
    until = locked_until(session, username=user.username, client=client)
    if until is not None:
        raise LoginThrottled(until)
    if verify_password(user.password_hash, password):
        return True
    _record_failure(session, username=user.username, client=client)
    return False


def find_user(session: Session, username: str) -> UserAccount | None:
    wanted = normalise_username(username)
    return session.exec(select(UserAccount).where(func.lower(UserAccount.username) == wanted)).first()


def _totp_ok(secret: str, code: str | None) -> bool:
    if not code:
        return False
    digits = "".join(code.split())
    return digits.isdigit() and pyotp.TOTP(secret).verify(digits, valid_window=1)


def authenticate(
    session: Session, *, username: str, password: str, totp_code: str | None = None, client: str | None = None
) -> UserAccount:
    """The account if username, password (and TOTP code, if enrolled) are right.

    Failures are recorded in *session*; the caller must commit it even when this raises.

    Raises
    ------
    LoginThrottled
        A pause is running for this username or client (checked before the password).
    LoginFailed
        Anything else that is wrong; the message never says what.
    """
    until = locked_until(session, username=username, client=client)
    if until is not None:
        raise LoginThrottled(until)
    user = find_user(session, username)
    if user is None:
        burn_verify_time(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.is_active
        if ok and user.totp_secret:
            ok = _totp_ok(user.totp_secret, totp_code)
    if not ok or user is None:
        lock_end = _record_failure(session, username=username, client=client)
        if user is not None:
            user.failed_logins += 1
            user.locked_until = lock_end or user.locked_until
            session.add(user)
        raise LoginFailed(LOGIN_FAILED)
    _reset(session, username=username)
    user.failed_logins = 0
    user.locked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.add(user)
    # Who worked with the system and when (AI Act Art 12/26, access audit); failures stay in the throttle table.
    append_event(session, event_type=EventType.user_signed_in, actor_role=user.role, actor_id=user.id,
                 outputs={"second_factor": bool(user.totp_secret)})
    session.flush()
    return user
