"""Advice, "Warum?", explanation, plan, feedback and outcomes - plain forms, both languages."""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from models.plan import PlanStep as PlannedModule
from models.tables import DecisionItem, Event, Feedback, JobSeeker, Outcome, jobcenter_today
from tests.frontend.fake_decision_path import SECRET_PENDING_TEXT
from tests.frontend.seeker_util import (  # noqa: F401  (fixtures)
    db_session,
    fake_path,
    post_form,
    seeded_client,
    seeker,
)


def _advised(client: TestClient) -> str:
    post_form(client, "/onboarding/time", "/onboarding/time", {"months_unemployed": "14"})
    response = post_form(client, "/onboarding/summary", "/advice", {})
    assert response.status_code == 303
    return client.get("/advice").text


def _items(app: FastAPI) -> dict[str, DecisionItem]:
    with db_session(app) as session:
        return {i.module_id: i for i in session.exec(select(DecisionItem)).all()}


def _planned(app: FastAPI) -> dict[str, PlannedModule]:
    with db_session(app) as session:
        return {step.module_id: step for step in session.exec(select(PlannedModule)).all()}


def test_advice_shows_obstacles_cards_and_why(seeker: TestClient) -> None:
    html = _advised(seeker)
    assert "Was Ihnen im Moment im Weg steht" in html
    assert "Suche zu schmal" in html
    assert "Machen Sie Ihren Lebenslauf fertig" in html
    assert "<summary>Warum?</summary>" in html
    assert "Weil Sie schon lange suchen." in html
    assert "wie lange Sie schon Arbeit suchen" in html  # data used, in words - no feature codes
    assert "months_unemployed" not in html


def test_pending_review_item_shows_only_that_it_waits(seeker: TestClient) -> None:
    html = _advised(seeker)
    assert "Wird von Ihrem Jobcenter geprüft, in der Regel innerhalb von 3 Werktagen." in html
    assert "Ihre Ansprechperson prüft" not in html  # nobody is assigned yet: no promise of a person
    assert SECRET_PENDING_TEXT not in html
    assert "§ 81 SGB III" not in html


def test_pending_item_of_an_assigned_case_names_the_contact_person(app: FastAPI, seeker: TestClient) -> None:
    from models.tables import Jobcenter
    from tests.factories import assign_case, make_staff_user

    app.state.settings.review_working_days = 5
    assert "innerhalb von 5 Werktagen" in _advised(seeker)
    with db_session(app) as session:
        case = session.exec(select(JobSeeker)).one()
        center = session.get(Jobcenter, case.jobcenter_id)
        assign_case(session, job_seeker=case, counsellor=make_staff_user(session, role="counsellor", jobcenter=center))
        session.commit()
    html = seeker.get("/advice").text
    assert "Ihre Ansprechperson prüft diesen Vorschlag." in html and "Werktag" not in html


def test_advice_page_shows_no_scores(seeker: TestClient) -> None:
    html = _advised(seeker).lower()
    for word in ("score", "prognos", "segment", "chance", "employab"):
        assert word not in html


def test_advice_in_english(seeker: TestClient) -> None:
    _advised(seeker)
    post_form(seeker, "/advice", "/language", {"locale": "en", "next": "/advice"})
    html = seeker.get("/advice").text
    assert "Finish your CV" in html
    assert "Your Jobcenter is checking this suggestion, usually within 3 working days." in html
    assert "<summary>Why?</summary>" in html


def test_objection_makes_the_page_say_advice_comes_without_ai(seeker: TestClient) -> None:
    _advised(seeker)
    post_form(seeker, "/my-data", "/my-data/objection", {"action": "object"})
    html = seeker.get("/advice").text  # the advice was recomputed without AI at once
    assert "Sie haben der Nutzung von KI widersprochen" in html


def test_viewing_advice_is_logged(seeker: TestClient, app: FastAPI) -> None:
    _advised(seeker)
    with db_session(app) as session:
        assert session.exec(select(Event).where(Event.event_type == "client_viewed")).all()


def test_missing_answers_link_to_their_step(seeker: TestClient) -> None:
    html = _advised(seeker)
    assert 'href="/onboarding/salary"' in html


def test_plan_add_with_due_date_then_done_then_remove(seeker: TestClient, app: FastAPI) -> None:
    _advised(seeker)
    item = _items(app)["cv_documents"]
    due = (jobcenter_today() + timedelta(days=10)).isoformat()
    response = post_form(seeker, "/advice", f"/plan/{item.id}", {"action": "add", "due_date": due})
    assert response.status_code == 303
    html = seeker.get("/plan").text
    assert "Machen Sie Ihren Lebenslauf fertig" in html
    assert "Als erledigt markieren" in html
    post_form(seeker, "/plan", f"/plan/{item.id}", {"action": "done", "origin": "plan"})
    assert _planned(app)["cv_documents"].done_at is not None
    assert "Gut gemacht!" in seeker.get("/plan").text
    printable = seeker.get("/plan/print").text
    assert "Erledigt" in printable and "<form" not in printable.split("<main")[1].split("</main>")[0]
    post_form(seeker, "/plan", f"/plan/{item.id}", {"action": "remove", "origin": "plan"})
    assert "cv_documents" not in _planned(app)


def test_plan_accepts_german_dates_and_refuses_past_ones(seeker: TestClient, app: FastAPI) -> None:
    _advised(seeker)
    item = _items(app)["cv_documents"]
    german = (jobcenter_today() + timedelta(days=3)).strftime("%d.%m.%Y")
    assert post_form(seeker, "/advice", f"/plan/{item.id}", {"due_date": german}).status_code == 303
    response = post_form(seeker, "/advice", f"/plan/{item.id}", {"due_date": "01.01.2001"})
    assert response.status_code == 422
    assert "zwischen heute und in einem Jahr" in response.text
    assert 'value="01.01.2001"' in response.text
    response = post_form(seeker, "/advice", f"/plan/{item.id}", {"due_date": "morgen"})
    assert "Bitte geben Sie ein Datum ein" in response.text


def test_pending_item_cannot_be_planned_or_rated(seeker: TestClient, app: FastAPI) -> None:
    _advised(seeker)
    pending = _items(app)["further_training_voucher"]
    assert post_form(seeker, "/advice", f"/plan/{pending.id}", {"action": "add"}).status_code == 404
    assert post_form(seeker, "/advice", f"/feedback/{pending.id}", {"kind": "helpful"}).status_code == 404


def test_another_persons_item_is_not_found(seeker: TestClient, app: FastAPI, seeded_client: Any) -> None:
    _advised(seeker)
    item = _items(app)["cv_documents"]
    seeker.cookies.clear()
    post_form(seeker, "/", "/start", {})
    post_form(seeker, "/notice", "/notice", {})
    assert post_form(seeker, "/plan", f"/plan/{item.id}", {"action": "add"}).status_code == 404
    assert post_form(seeker, "/plan", f"/feedback/{item.id}", {"kind": "helpful"}).status_code == 404


def test_feedback_is_stored_and_logged_without_the_comment(seeker: TestClient, app: FastAPI) -> None:
    _advised(seeker)
    item = _items(app)["cv_documents"]
    response = post_form(seeker, "/advice", f"/feedback/{item.id}",
                         {"kind": "not_possible", "comment": "Kein Drucker zu Hause"})
    assert response.status_code == 303
    with db_session(app) as session:
        feedback = session.exec(select(Feedback)).one()
        event = session.exec(select(Event).where(Event.action == "feedback")).one()
    assert (feedback.kind, feedback.comment) == ("not_possible", "Kein Drucker zu Hause")
    assert "Drucker" not in str(event.outputs) and event.outputs["kind"] == "not_possible"


def test_feedback_without_choice_or_with_huge_comment_keeps_the_input(seeker: TestClient, app: FastAPI) -> None:
    _advised(seeker)
    item = _items(app)["cv_documents"]
    response = post_form(seeker, "/advice", f"/feedback/{item.id}", {"comment": "Mein Kommentar"})
    assert response.status_code == 422
    assert "Bitte wählen Sie eine Antwort." in response.text
    assert "Mein Kommentar" in response.text
    response = post_form(seeker, "/advice", f"/feedback/{item.id}", {"kind": "helpful", "comment": "x" * 2500})
    assert "höchstens 2000 Zeichen" in response.text
    with db_session(app) as session:
        assert session.exec(select(Feedback)).all() == []


def test_outcome_report_is_saved_and_future_dates_refused(seeker: TestClient, app: FastAPI) -> None:
    future = (jobcenter_today() + timedelta(days=5)).isoformat()
    response = post_form(seeker, "/outcome", "/outcome", {"kind": "job_found", "occurred_on": future})
    assert response.status_code == 422
    assert "nicht in der Zukunft" in response.text
    response = post_form(seeker, "/outcome", "/outcome", {"kind": "job_found", "occurred_on": ""})
    assert response.status_code == 303
    with db_session(app) as session:
        outcome = session.exec(select(Outcome)).one()
        assert session.exec(select(Event).where(Event.event_type == "client_outcome")).one()
    assert outcome.kind == "job_found" and outcome.occurred_on == jobcenter_today()
    assert "Herzlichen Glückwunsch" in seeker.get("/outcome").text


def test_explanation_page_lists_reasons_version_and_how_to_object(seeker: TestClient, app: FastAPI) -> None:
    html = _advised(seeker)
    link = re.search(r'href="(/explanation/[0-9a-f]+)#', html)
    assert link
    page = seeker.get(link.group(1))
    assert page.status_code == 200
    assert "Warum diese Vorschläge?" in page.text
    assert "m-test" in page.text
    assert "Widerspruch" in page.text
    with db_session(app) as session:
        assert session.exec(select(Event).where(Event.event_type == "explanation_shown")).one()


def test_explanation_of_someone_else_is_not_found(seeker: TestClient) -> None:
    html = _advised(seeker)
    link = re.search(r'href="(/explanation/[0-9a-f]+)#', html).group(1)  # type: ignore[union-attr]
    seeker.cookies.clear()
    post_form(seeker, "/", "/start", {})
    assert seeker.get(link).status_code == 404


def test_my_data_export_delete_flow(seeker: TestClient, app: FastAPI) -> None:
    _advised(seeker)
    item = _items(app)["cv_documents"]
    post_form(seeker, "/advice", f"/feedback/{item.id}", {"kind": "helpful", "comment": "gut"})
    post_form(seeker, "/outcome", "/outcome", {"kind": "training_started"})
    html = seeker.get("/my-data").text
    assert "Fallnummer" in html and "Monate ohne Arbeit" in html
    assert "Hilfreich" in html and "„gut“" in html and "Ich habe eine Weiterbildung begonnen" in html
    exported = seeker.get("/my-data/export.json")
    assert exported.headers["content-disposition"].startswith("attachment")
    data = exported.json()
    assert {"profile_snapshot", "decision", "decision_item", "feedback"} <= set(data["tables"])
    csv_text = seeker.get("/my-data/export.csv").text
    assert csv_text.startswith("section,row,field,value") and "feedback" in csv_text
    response = post_form(seeker, "/my-data/delete", "/my-data/delete", {})
    assert response.status_code == 422 and "Häkchen" in response.text
    response = post_form(seeker, "/my-data/delete", "/my-data/delete", {"confirm": "yes"})
    assert response.status_code == 303
    assert "Ihre Daten wurden gelöscht" in seeker.get("/").text
    assert seeker.get("/my-data").url.path == "/"
    with db_session(app) as session:
        person = session.exec(select(JobSeeker)).one()
        assert person.erased_at is not None
        assert session.exec(select(Feedback)).all() == []
        kinds = [e.event_type for e in session.exec(select(Event)).all()]
    assert "data_exported" in kinds and kinds[-1] == "data_erased"


def test_real_decision_path_gives_advice_with_why(seeded_client: TestClient, app: FastAPI) -> None:
    """Not the fake: the pages work with the real decision path (rules mode without a model)."""
    post_form(seeded_client, "/", "/start", {})
    post_form(seeded_client, "/notice", "/notice", {})
    post_form(seeded_client, "/onboarding/occupation", "/onboarding/occupation",
              {"target_occupation_text": "Verkäufer"})
    post_form(seeded_client, "/onboarding/search", "/onboarding/search",
              {"applications_last_3_months": "40", "interviews_last_3_months": "0", "has_cv": "no"})
    response = post_form(seeded_client, "/onboarding/summary", "/advice", {})
    assert response.status_code == 303
    html = seeded_client.get("/advice").text
    assert html.count('class="card') >= 1
    assert "<summary>Warum?</summary>" in html
    assert "ohne KI" in html  # no model is active in a fresh install
    link = re.search(r'href="(/explanation/[0-9a-f]+)#', html)
    assert link and seeded_client.get(link.group(1)).status_code == 200


def test_trial_becomes_an_account_and_keeps_the_answers(seeker: TestClient, app: FastAPI) -> None:
    post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "9"})
    bad = post_form(seeker, "/account", "/account", {"jobcenter_code": "nope", "username": "mo",
                                                     "password": "kurz", "password_repeat": "kurz"})
    assert bad.status_code == 422
    assert "Jobcenter-Code" in bad.text and "mindestens 12 Zeichen" in bad.text
    assert 'value="nope"' in bad.text and "kurz" not in bad.text.split("<main")[1]  # passwords never echoed
    good = post_form(seeker, "/account", "/account", {
        "jobcenter_code": "demo", "username": "wal-fisch-77", "password": "blauer Wal schwimmt weit",
        "password_repeat": "blauer Wal schwimmt weit"})
    assert good.status_code == 303
    seeker.cookies.clear()
    login = post_form(seeker, "/login", "/login", {"username": "wal-fisch-77", "password": "blauer Wal schwimmt weit"})
    assert login.status_code == 303
    assert "Monate ohne Arbeit" in seeker.get("/my-data").text
    assert 'value="9"' in seeker.get("/onboarding/time").text
    with db_session(app) as session:
        person = session.exec(select(JobSeeker)).one()
        assert person.user_id is not None


def test_notes_marked_visible_by_the_counsellor_are_shown(seeker: TestClient, app: FastAPI) -> None:
    from models.staff import CaseNote
    from models.tables import UserAccount

    _advised(seeker)
    with db_session(app) as session:
        person = session.exec(select(JobSeeker)).one()
        counsellor = UserAccount(jobcenter_id=person.jobcenter_id, username="c1", password_hash="x", role="counsellor")
        session.add(counsellor)
        session.flush()
        session.add(CaseNote(job_seeker_id=person.id, author_id=counsellor.id, text="Termin am Montag, 10 Uhr",
                             visible_to_job_seeker=True))
        session.add(CaseNote(job_seeker_id=person.id, author_id=counsellor.id, text="intern: nachfassen",
                             visible_to_job_seeker=False))
        session.commit()
    html = seeker.get("/advice").text
    assert "Termin am Montag, 10 Uhr" in html
    assert "nachfassen" not in html


def test_account_without_a_case_can_start_one(seeded_client: TestClient, app: FastAPI) -> None:
    from api.auth import hash_password
    from models.tables import UserAccount
    from recommender.casework.journey import demo_jobcenter

    with db_session(app) as session:
        jobcenter = demo_jobcenter(session)
        session.add(UserAccount(jobcenter_id=jobcenter.id, username="neu-hier", role="job_seeker",
                                password_hash=hash_password("ein langer Satz als Passwort")))
        session.commit()
    post_form(seeded_client, "/login", "/login", {"username": "neu-hier", "password": "ein langer Satz als Passwort"})
    html = seeded_client.get("/").text
    assert "Jetzt starten" in html and "Dort weitermachen" not in html and "Haben Sie schon ein Konto?" not in html
    assert post_form(seeded_client, "/", "/start", {}).status_code == 303
    assert seeded_client.get("/continue").url.path == "/notice"
    with db_session(app) as session:
        assert session.exec(select(JobSeeker)).one().user_id is not None


def test_jobcenter_contact_details_from_settings_are_on_job_seeker_pages(app: FastAPI, seeker: TestClient) -> None:
    settings = app.state.settings
    settings.jobcenter_phone, settings.jobcenter_email = "0941 123 45", "kontakt@jobcenter.example"
    settings.jobcenter_opening_hours = "Mo–Fr 8–12 Uhr, Do 14–18 Uhr"
    html = _advised(seeker)
    assert "Kontakt zu Ihrem Jobcenter" in html and 'href="tel:094112345"' in html
    assert "mailto:kontakt@jobcenter.example" in html and "Öffnungszeiten: Mo–Fr 8–12 Uhr" in html
    assert "Kontakt zu Ihrem Jobcenter" not in seeker.get("/login").text  # staff pages keep their footer


def test_job_search_item_links_to_the_jobboerse_prefilled_with_occupation_and_place(seeker: TestClient) -> None:
    post_form(seeker, "/onboarding/occupation", "/onboarding/occupation", {"target_occupation_text": "Verkäuferin"})
    post_form(seeker, "/onboarding/region", "/onboarding/region", {"region_query": "Regensburg"})
    html = _advised(seeker)
    link = "https://www.arbeitsagentur.de/jobsuche/suche?was=Verk%C3%A4uferin&amp;wo=Regensburg"
    assert html.count(link) == 1  # on "Suchen Sie auch in verwandten Berufen", not on the CV item


def test_advice_form_after_the_session_ended_says_so(client: TestClient) -> None:
    """An expired trial session has lost its CSRF token too: "session ended", not "form expired"."""
    response = client.post("/advice", data={"csrf_token": "from-the-old-session"}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].endswith("/?session=ended")
