"""First visit, notice and onboarding, exercised like a browser without JavaScript."""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from models.tables import Event, JobSeeker, ProfileSnapshot
from recommender.casework import journey
from tests.frontend.seeker_util import (  # noqa: F401  (fixtures)
    db_session,
    fake_path,
    post_form,
    seeded_client,
    seeker,
)


def _job_seeker(app: FastAPI) -> JobSeeker:
    with db_session(app) as session:
        return session.exec(select(JobSeeker)).one()


def test_start_opens_a_trial_case_and_shows_the_notice_first(seeded_client: TestClient, app: FastAPI) -> None:
    response = post_form(seeded_client, "/", "/start", {})
    assert response.status_code == 303
    page = seeded_client.get("/continue")
    assert page.url.path == "/notice"
    assert "Eine KI hilft – ein Mensch entscheidet" in page.text
    assert "Ihr Recht auf Widerspruch" in page.text
    assert seeded_client.get("/advice").url.path == "/notice"  # G13: no advice before the notice


def test_notice_acknowledgement_is_logged_with_its_version(seeker: TestClient, app: FastAPI) -> None:
    with db_session(app) as session:
        events = session.exec(select(Event).where(Event.event_type == "notice_acknowledged")).all()
    assert len(events) == 1
    assert events[0].ui_text_version == journey.NOTICE_VERSION
    assert _job_seeker(app).notice_version_acknowledged == journey.NOTICE_VERSION


def test_notice_is_shown_again_when_its_version_changes(seeker: TestClient, monkeypatch: Any) -> None:
    monkeypatch.setattr(journey, "NOTICE_VERSION", "2099-01-01")
    page = seeker.get("/onboarding/occupation")
    assert page.url.path == "/notice"
    assert "Wir haben diese Hinweise geändert" in page.text


def test_onboarding_step_saves_and_moves_to_the_next_step(seeker: TestClient, app: FastAPI) -> None:
    response = post_form(seeker, "/onboarding/occupation", "/onboarding/occupation",
                         {"target_occupation_text": "Kassiererin", "go": "next"})
    assert response.status_code == 303
    assert response.headers["location"] == "/onboarding/region"
    with db_session(app) as session:
        profile = journey.current_profile(session, job_seeker=_job_seeker(app))
    assert profile.target_occupation_text == "Kassiererin"
    assert profile.target_occupation == "62112"  # free text mapped to the KldB code
    assert 'value="Kassiererin"' in seeker.get("/onboarding/occupation").text  # back shows the answer


def test_onboarding_shows_progress_and_why_each_field_is_asked(seeker: TestClient) -> None:
    html = seeker.get("/onboarding/time").text
    assert "Schritt 5 von 9" in html
    assert "<progress" in html
    assert "Warum wir fragen:" in html


def test_onboarding_refuses_impossible_values_and_keeps_the_input(seeker: TestClient, app: FastAPI) -> None:
    response = post_form(seeker, "/onboarding/mobility", "/onboarding/mobility",
                         {"max_commute_minutes": "-5", "driving_licence": "yes"})
    assert response.status_code == 422
    assert "Bitte geben Sie eine Zahl von 0 bis 240 ein." in response.text
    assert 'value="-5"' in response.text
    assert 'value="yes" checked' in response.text
    response = post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "3600"})
    assert "Bitte geben Sie eine Zahl von 0 bis 600 ein." in response.text
    response = post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "viele"})
    assert "ganze Zahl" in response.text and 'value="viele"' in response.text
    with db_session(app) as session:
        assert session.exec(select(ProfileSnapshot)).all() == []  # nothing saved


def test_onboarding_error_messages_follow_the_language(seeker: TestClient) -> None:
    post_form(seeker, "/", "/language", {"locale": "en", "next": "/"})
    response = post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "-1"})
    assert "Please enter a number from 0 to 600." in response.text
    assert '<html lang="en" dir="ltr">' in response.text


def test_onboarding_refuses_a_huge_text_politely(seeker: TestClient) -> None:
    response = post_form(seeker, "/onboarding/occupation", "/onboarding/occupation",
                         {"target_occupation_text": "x" * 10_000_00})
    assert response.status_code == 413
    assert "viel zu lang" in response.text


def test_onboarding_too_long_text_is_kept_with_a_message(seeker: TestClient) -> None:
    response = post_form(seeker, "/onboarding/occupation", "/onboarding/occupation",
                         {"target_occupation_text": "Verkauf " * 40})
    assert response.status_code == 422
    assert "höchstens 200 Zeichen" in response.text


def test_unknown_region_is_refused_with_the_text_kept(seeker: TestClient, app: FastAPI) -> None:
    response = post_form(seeker, "/onboarding/region", "/onboarding/region", {"region_query": "Atlantis"})
    assert response.status_code == 422
    assert "Wir haben diesen Ort nicht gefunden" in response.text
    assert 'value="Atlantis"' in response.text
    response = post_form(seeker, "/onboarding/region", "/onboarding/region", {"region_query": "Nürnberg"})
    assert response.status_code == 303
    with db_session(app) as session:
        assert journey.current_profile(session, job_seeker=_job_seeker(app)).region_ags == "09564"


def test_back_button_saves_and_goes_to_the_previous_step(seeker: TestClient) -> None:
    response = post_form(seeker, "/onboarding/education", "/onboarding/education",
                         {"school_leaving": "realschule", "go": "back"})
    assert response.headers["location"] == "/onboarding/region"
    assert 'value="realschule" checked' in seeker.get("/onboarding/education").text


def test_csrf_failure_explains_itself_and_keeps_saved_answers(seeker: TestClient, app: FastAPI) -> None:
    post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "7"})
    response = seeker.post("/onboarding/search", data={"applications_last_3_months": "4", "csrf_token": "stale"},
                           headers={"Accept": "text/html"})
    assert response.status_code == 403
    assert "Dieses Formular ist abgelaufen" in response.text
    assert "bleiben erhalten" in response.text
    with db_session(app) as session:
        assert journey.current_profile(session, job_seeker=_job_seeker(app)).months_unemployed == 7


def test_expired_session_sends_the_person_to_the_start_with_an_explanation(seeded_client: TestClient) -> None:
    page = seeded_client.get("/onboarding/occupation")
    assert page.url.path == "/"
    assert "Ihre Sitzung ist beendet" in page.text


def test_summary_lists_answers_with_change_links(seeker: TestClient) -> None:
    post_form(seeker, "/onboarding/salary", "/onboarding/salary", {"salary_expectation_eur": "2.500"})
    html = seeker.get("/onboarding/summary").text
    assert "2.500 Euro" in html  # numbers as the reader writes them
    assert 'href="/onboarding/salary"' in html
    assert "2,500 euro" in seeker.get("/onboarding/summary?lang=en").text


def test_occupation_suggestions_return_official_titles(seeded_client: TestClient) -> None:
    hits = seeded_client.get("/occupations/suggest", params={"q": "Kassier"}).json()
    assert {"code": "62112", "title": "Kassierer/in"} in hits
    assert seeded_client.get("/occupations/suggest", params={"q": "x" * 101}).status_code == 422
