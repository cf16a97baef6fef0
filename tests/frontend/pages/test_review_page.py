"""The decision page is made for reviewing (issue 15, finding 8): text, prefilled edit, answers in words."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from sqlmodel import select

from models.db import session_scope
from models.plan import PlanStep as PlannedModule
from models.tables import DecisionItem, Feedback, JobSeeker, ProfileSnapshot, utcnow
from tests.api.staff_util import StaffWorld, cheap_argon2  # noqa: F401  (fixture)
from tests.factories import make_decision
from tests.frontend.staff_pages_util import page_login

pytestmark = pytest.mark.usefixtures("cheap_argon2")

LICENCE_TEXT = "Wenn eine Stelle einen Führerschein verlangt, kann das Jobcenter die Kosten ganz oder teilweise"


def _licence_decision(app: FastAPI, world: StaffWorld) -> tuple[str, str]:
    """A pending driving-licence item with its eligibility rule, and answers as onboarding stores them."""
    with session_scope(app.state.engine) as session:
        case = session.exec(select(JobSeeker).where(JobSeeker.pseudonym == world.own_case)).one()
        decision = make_decision(session, job_seeker=case, created_at=utcnow() + timedelta(seconds=1),
                                 items=[{"module_id": "driving_licence_budget", "review_state": "pending_review"},
                                        {"module_id": "cv_documents", "review_state": "not_required"}])
        decision.guardrails = [{"rule_id": "no_licence_yet", "module_id": "driving_licence_budget",
                                "legal_basis": None, "outcome": "eligible"}]
        session.add(decision)
        snapshot = session.get(ProfileSnapshot, decision.snapshot_id)
        snapshot.payload = {"target_occupation": "62102", "target_occupation_text": "Verkäuferin",
                            "region_ags": "09362", "has_cv": True, "driving_licence": False,
                            "eligibility": {"receives_citizens_benefit": True}}
        session.add(snapshot)
        item = session.exec(select(DecisionItem).where(DecisionItem.decision_id == decision.id,
                                                       DecisionItem.module_id == "cv_documents")).one()
        session.add(Feedback(decision_item_id=item.id, job_seeker_id=case.id, kind="not_possible",
                             comment="Ohne Kita-Platz geht das nicht"))
        session.add(PlannedModule(job_seeker_id=case.id, module_id="cv_documents"))
        return decision.id, world.own_case


def test_pending_item_shows_its_text_and_the_edit_box_starts_with_it(app: FastAPI, world: StaffWorld) -> None:
    decision_id, case = _licence_decision(app, world)
    html = page_login(app, world.usernames["counsellor"]).get(f"/staff/cases/{case}/decisions/{decision_id}").text
    assert html.count(LICENCE_TEXT) == 2  # shown, and prefilled in the edit box
    assert 'name="edited_text" maxlength="4000">Wenn eine Stelle' in html


def test_profile_is_shown_as_labelled_answers_only_for_asked_fields(app: FastAPI, world: StaffWorld) -> None:
    decision_id, case = _licence_decision(app, world)
    html = page_login(app, world.usernames["counsellor"]).get(f"/staff/cases/{case}/decisions/{decision_id}").text
    assert "<dt>Haben Sie einen aktuellen Lebenslauf?</dt><dd>Ja</dd>" in html
    assert "<dd>Verkäuferin</dd>" in html
    for raw in ("receives_citizens_benefit", "has_cv", "True", "target_occupation_text"):
        assert raw not in html


def test_rule_outcomes_are_translated_and_reason_choices_in_one_language(app: FastAPI, world: StaffWorld) -> None:
    decision_id, case = _licence_decision(app, world)
    client = page_login(app, world.usernames["counsellor"])
    html = client.get(f"/staff/cases/{case}/decisions/{decision_id}").text
    assert "Nur wenn Sie noch keinen Führerschein haben. – erfüllt" in html
    assert "no_licence_yet" not in html
    assert "<option value=\"fits_situation\">Passt zur Situation</option>" in html
    assert "/ fits" not in html and "Sonstiges / other" not in html


def test_case_page_shows_the_job_seekers_feedback_and_plan(app: FastAPI, world: StaffWorld) -> None:
    _licence_decision(app, world)
    html = page_login(app, world.usernames["counsellor"]).get(f"/staff/cases/{world.own_case}").text
    assert "<q>Ohne Kita-Platz geht das nicht</q>" in html and "Für mich nicht möglich" in html
    assert "Plan der Person" in html and "Machen Sie Ihren Lebenslauf fertig" in html
