"""The plan: one step per advice module, kept across refreshes, due dates in range, done only when planned."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.plan import PlanStep as PlannedModule
from models.tables import Decision, Event
from recommender.casework import plan
from recommender.casework.journey import JourneyError
from recommender.decide.decision_path import decision_view
from tests.factories import make_job_seeker
from tests.recommender.casework.test_journey import TODAY, _item


def test_plan_due_date_must_lie_within_a_year(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        item = _item(session, person)
        for bad in (TODAY - timedelta(days=1), TODAY + timedelta(days=400)):
            with pytest.raises(JourneyError, match="outside the allowed range"):
                plan.add_to_plan(session, job_seeker=person, item_id=item.id, due_date=bad, today=TODAY)
        step = plan.add_to_plan(session, job_seeker=person, item_id=item.id, due_date=TODAY, today=TODAY)
        assert (step.module_id, step.due_date) == ("cv_documents", TODAY)


def test_only_planned_steps_can_be_marked_done(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        item = _item(session, person)
        with pytest.raises(JourneyError, match="not in the plan"):
            plan.mark_done(session, job_seeker=person, item_id=item.id)
        plan.add_to_plan(session, job_seeker=person, item_id=item.id, due_date=None)
        plan.mark_done(session, job_seeker=person, item_id=item.id)
        assert plan.plan_view(session, job_seeker=person, locale="en")[0].done
        assert plan.plan_view(session, job_seeker=person, locale="en")[0].title == "Finish your CV"
        actions = [e.action for e in session.exec(select(Event).order_by(Event.id)).all()]
    assert actions == ["plan_added", "step_done"]


def test_planned_module_stays_planned_once_after_a_refresh(engine: Engine) -> None:
    with Session(engine) as session:
        person = make_job_seeker(session)
        first = _item(session, person)
        plan.add_to_plan(session, job_seeker=person, item_id=first.id, due_date=TODAY, today=TODAY)
        refreshed = _item(session, person)  # a new decision with the same module
        view = decision_view(session, decision=session.get(Decision, refreshed.decision_id), locale="de",
                             audience="job_seeker")
        assert [(i.in_plan, i.due_date) for i in view.items] == [(True, TODAY)]  # no "add to my plan" again
        plan.add_to_plan(session, job_seeker=person, item_id=refreshed.id, due_date=None, today=TODAY)
        steps = plan.plan_view(session, job_seeker=person, locale="de")
        assert [(s.module_id, s.item_id) for s in steps] == [("cv_documents", refreshed.id)]
        assert len(session.exec(select(PlannedModule)).all()) == 1
