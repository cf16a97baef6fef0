"""The global AI kill switch (G9): persisted, logged, effective from the next request.

When it is on, every decision comes from the transparent rules baseline and the model is
never called. Turning it on or off needs a reason and is written to the event log together
with the flag change, in one transaction.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from models.errors import InvalidError
from models.tables import SystemFlag, utcnow
from recommender.errors import RecommenderError
from recommender.records.chain import EventType, append_event

KILL_SWITCH_KEY = "kill_switch"
_READ_SWITCH = select(col(SystemFlag.value)).where(col(SystemFlag.key) == KILL_SWITCH_KEY)
_REASON_REQUIRED = "Turning the kill switch on or off needs a reason."


class KillSwitchError(RecommenderError, InvalidError):
    """The switch cannot be changed as asked."""


def kill_switch_on(session: Session) -> bool:
    """Read on every decision, so a switch takes effect at once in every worker; one plain value."""
    session.flush()  # a switch changed in this very session counts
    value = session.connection().execute(_READ_SWITCH).scalar()
    return value == "on"


def set_kill_switch(session: Session, *, on: bool, actor_role: str, actor_id: str | int | None, reason: str) -> bool:
    """Set the switch; return True if it changed. Logs kill_switch_on/off with actor and reason."""
    if not reason or not reason.strip():
        raise KillSwitchError(_REASON_REQUIRED)
    if kill_switch_on(session) == on:
        return False
    flag = session.get(SystemFlag, KILL_SWITCH_KEY)
    value = "on" if on else "off"
    if flag is None:
        flag = SystemFlag(key=KILL_SWITCH_KEY, value=value)
    flag.value = value
    flag.updated_at = utcnow()
    flag.updated_by = None if actor_id is None else str(actor_id)
    session.add(flag)
    append_event(
        session,
        event_type=EventType.kill_switch_on if on else EventType.kill_switch_off,
        actor_role=actor_role,
        actor_id=actor_id,
        action=value,
        reason=reason.strip(),
    )
    return True
