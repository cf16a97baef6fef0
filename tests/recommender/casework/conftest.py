"""A small case world for the casework tests: one team, a counsellor, a colleague, a team lead, two cases."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from models.db import session_scope
from models.tables import DecisionItem
from tests.factories import assign_case, make_decision, make_job_seeker, make_jobcenter, make_staff_user, make_team


@pytest.fixture
def case(engine: Engine) -> dict:
    with session_scope(engine) as session:
        center = make_jobcenter(session, code="demo")
        team = make_team(session, jobcenter=center)
        counsellor = make_staff_user(session, role="counsellor", jobcenter=center, team=team)
        colleague = make_staff_user(session, role="counsellor", jobcenter=center, team=team, username="colleague")
        lead = make_staff_user(session, role="team_lead", jobcenter=center, team=team)
        seeker = make_job_seeker(session, jobcenter=center)
        assign_case(session, job_seeker=seeker, counsellor=counsellor)
        decision = make_decision(session, job_seeker=seeker)
        items = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id)
                             .order_by(DecisionItem.rank)).all()
        other = make_job_seeker(session, jobcenter=center)
        other_decision = make_decision(session, job_seeker=other)
        other_item = session.exec(select(DecisionItem).where(DecisionItem.decision_id == other_decision.id)).first()
        return {"counsellor": counsellor.id, "colleague": colleague.id, "lead": lead.id, "seeker": seeker.id,
                "decision": decision.id, "items": [i.id for i in items], "other_item": other_item.id}
