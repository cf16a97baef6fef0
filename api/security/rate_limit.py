"""A per-client limit on opening anonymous trial cases (each costs a case row and a decision).

Counted in the ``login_throttle`` table under a hashed key, so every worker shares the count
and no client address is stored in clear. The limit is ``LOTSE_ANONYMOUS_CASES_PER_HOUR`` per
client address and fixed one-hour window; the refusal is ``429`` with ``Retry-After``.

Where the decision path opens the case (issue 16), the count is written in the same short write
transaction as the case and its first decision, under the counter row's lock: exact across
workers and restarts, one upsert in a transaction that is taken anyway, and a refused
request leaves nothing behind. A per-worker counter in memory would be cheaper by that one update
but would let N workers admit N times the limit and forget counts on every restart. A read-only
check (:func:`new_case_wait`) before the computation spares the CPU for refused clients.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, case, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from api.auth.login import throttle_key
from api.i18n import _
from models.staff import LoginThrottle
from models.tables import as_utc, utcnow

WINDOW = timedelta(hours=1)
_THROTTLE = LoginThrottle.__table__  # type: ignore[attr-defined]
# Built once (docs/decision-path.md, "Statements built once").
_COUNTER = select(col(LoginThrottle.window_started_at), col(LoginThrottle.failures)).where(
    col(LoginThrottle.key) == bindparam("key"))


def _count_upsert(dialect_insert: Any) -> Any:
    """Insert the counter at 1, or count one more (1 again once its hour is over); return it."""
    now = bindparam("now", type_=_THROTTLE.c.window_started_at.type)
    expired = _THROTTLE.c.window_started_at <= bindparam("cutoff", type_=_THROTTLE.c.window_started_at.type)
    first = dialect_insert(_THROTTLE).values(key=bindparam("key"), window_started_at=now, failures=1, lockouts=0,
                                             updated_at=now)
    return first.on_conflict_do_update(index_elements=[_THROTTLE.c.key], set_={
        "failures": case((expired, 1), else_=_THROTTLE.c.failures + 1),
        "window_started_at": case((expired, now), else_=_THROTTLE.c.window_started_at),
        "updated_at": now,
    }).returning(_THROTTLE.c.failures, _THROTTLE.c.window_started_at)


# Built once per dialect (docs/decision-path.md, "Statements built once").
_COUNT_UPSERT = {"sqlite": _count_upsert(sqlite_insert), "postgresql": _count_upsert(postgresql_insert)}
TOO_MANY_NEW_CASES = _(
    "Too many new sessions were started from your network. Please try again later or sign in to your account."
)


class TooManyNewCases(Exception):
    """The client opened its hourly share of anonymous cases; *seconds* until the window ends."""

    def __init__(self, seconds: int) -> None:
        super().__init__(TOO_MANY_NEW_CASES)
        self.seconds = seconds


def new_case_wait(session: Session, *, client: str | None, per_hour: int) -> int | None:
    """Seconds until *client* may open a new case, or None if it may now; only reads.

    Routes that compute before they write (issue 16) ask this first, so a refused client costs
    no computation; :func:`count_new_case` then counts in the write transaction, where the
    check is repeated under the row lock and stays exact across workers.
    """
    if not client:
        return None
    key = throttle_key("new-case", client)
    row = session.connection().execute(_COUNTER, {"key": key}).first()
    if row is None:
        return None
    now = utcnow()
    started = as_utc(row.window_started_at)
    if now - started >= WINDOW or row.failures < per_hour:
        return None
    return max(1, int((started + WINDOW - now).total_seconds()))


def count_new_case(session: Session, *, client: str | None, per_hour: int) -> None:
    """Count one new anonymous case for *client*; raise :class:`TooManyNewCases` over the limit.

    One upsert that counts and returns the count (a window older than an hour starts again at 1):
    the statement locks the row itself, so the count stays exact across workers, and the caller's
    rollback on the refusal takes the count back. A read, a row lock and an ORM update cost
    several times as much on every first visit (issue 16).
    """
    if not client:
        return
    now = utcnow()
    statement = _COUNT_UPSERT[session.get_bind().dialect.name]
    counted, started = session.connection().execute(
        statement, {"key": throttle_key("new-case", client), "now": now, "cutoff": now - WINDOW}).one()
    if counted > per_hour:
        raise TooManyNewCases(max(1, int((as_utc(started) + WINDOW - now).total_seconds())))
