"""The kill switch is persisted, needs a reason and is logged (G9)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.db import session_scope
from models.tables import Event
from recommender.decide.killswitch import KillSwitchError, kill_switch_on, set_kill_switch


def test_switching_on_and_off_is_persisted_and_logged(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert not kill_switch_on(session)
        assert set_kill_switch(session, on=True, actor_role="admin", actor_id=7, reason="model drift")
    with Session(engine) as session:
        assert kill_switch_on(session)
    with session_scope(engine) as session:
        assert set_kill_switch(session, on=False, actor_role="admin", actor_id=7, reason="fixed")
    with Session(engine) as session:
        events = session.exec(select(Event).order_by(Event.id)).all()
        assert [(e.event_type, e.actor_id, e.reason) for e in events] == [
            ("kill_switch_on", "7", "model drift"),
            ("kill_switch_off", "7", "fixed"),
        ]
        assert not kill_switch_on(session)


def test_switching_to_the_current_state_logs_nothing(engine: Engine) -> None:
    with session_scope(engine) as session:
        assert not set_kill_switch(session, on=False, actor_role="admin", actor_id=1, reason="noop")
        assert session.exec(select(Event)).all() == []


def test_switch_without_reason_is_refused(engine: Engine) -> None:
    with pytest.raises(KillSwitchError, match="needs a reason"), session_scope(engine) as session:
        set_kill_switch(session, on=True, actor_role="admin", actor_id=1, reason=" ")
    with Session(engine) as session:
        assert not kill_switch_on(session)
