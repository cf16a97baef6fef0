"""When Lotse is unsure which job a title means it asks (field of work, level); anyone may pick from a list."""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from models.schemas import Profile
from models.tables import JobSeeker
from recommender.casework import journey
from tests.frontend.seeker_util import (  # noqa: F401  (fixtures)
    db_session,
    fake_path,
    post_form,
    seeded_client,
    seeker,
)

LIST = "/onboarding/occupation/list"


def _profile(app: FastAPI) -> Profile:
    with db_session(app) as session:
        return journey.current_profile(session, job_seeker=session.exec(select(JobSeeker)).one())


def test_a_clear_job_ad_title_is_saved_with_its_code_and_no_question(seeker: TestClient, app: FastAPI) -> None:
    response = post_form(seeker, "/onboarding/occupation", "/onboarding/occupation",
                         {"target_occupation_text": "Verkäuferin (m/w/d) in Teilzeit ab sofort", "go": "next"})
    assert response.headers["location"] == "/onboarding/region"
    assert _profile(app).target_occupation == "62102"


def test_an_unsure_title_leads_to_the_field_of_work_question_instead_of_a_guess(seeker: TestClient,
                                                                              app: FastAPI) -> None:
    response = post_form(seeker, "/onboarding/occupation", "/onboarding/occupation",
                         {"target_occupation_text": "Allrounder (m/w/d) gesucht", "go": "next"})
    assert response.headers["location"] == LIST
    assert _profile(app).target_occupation is None  # nothing guessed
    page = seeker.get(LIST).text
    assert "Wir sind nicht sicher, welchen Beruf Sie mit „Allrounder (m/w/d) gesucht“ meinen" in page
    assert "In welchem Berufsfeld ist die Arbeit?" in page and "Gesundheit, Pflege, Soziales" in page


def test_field_group_and_level_lead_to_a_short_list_and_the_choice_is_saved(seeker: TestClient,
                                                                           app: FastAPI) -> None:
    post_form(seeker, "/onboarding/occupation", "/onboarding/occupation",
              {"target_occupation_text": "Allrounder (m/w/d) gesucht", "go": "next"})
    assert "Verkaufsberufe" in seeker.get(LIST, params={"area": "6"}).text
    assert "Auf welcher Stufe ist die Arbeit?" in seeker.get(LIST, params={"area": "6", "group": "62"}).text
    listed = seeker.get(LIST, params={"area": "6", "group": "62", "level": "2"}).text
    assert 'value="62102"' in listed and "Welcher Beruf ist es?" in listed
    response = post_form(seeker, f"{LIST}?area=6&group=62&level=2", LIST,
                         {"area": "6", "group": "62", "level": "2", "code": "62102"})
    assert response.status_code == 303 and response.headers["location"] == "/onboarding/region"
    profile = _profile(app)
    assert (profile.target_occupation, profile.target_occupation_text) == ("62102", "Allrounder (m/w/d) gesucht")


def test_anyone_can_choose_from_the_list_without_typing(seeker: TestClient, app: FastAPI) -> None:
    assert 'href="/onboarding/occupation/list"' in seeker.get("/onboarding/occupation").text
    page = seeker.get(LIST).text
    assert "Wir sind nicht sicher" not in page and "In welchem Berufsfeld" in page
    response = post_form(seeker, LIST, LIST, {"area": "5", "group": "52", "level": "2", "code": "52531"})
    assert response.status_code == 303
    assert (_profile(app).target_occupation, _profile(app).target_occupation_text) == ("52531", _title("52531"))


def test_impossible_choices_are_refused_with_a_message_and_nothing_is_saved(seeker: TestClient,
                                                                            app: FastAPI) -> None:
    page = seeker.get(LIST, params={"area": "x"})
    assert page.status_code == 422 and "Bitte wählen Sie eine der Möglichkeiten" in page.text
    response = post_form(seeker, LIST, LIST, {"area": "6", "group": "62", "level": "2", "code": "99999"})
    assert response.status_code == 422 and "Bitte wählen Sie eine der Möglichkeiten" in response.text
    response = post_form(seeker, LIST, LIST, {"area": "6", "group": "62", "level": "2", "code": "52531"})
    assert response.status_code == 422  # a code outside the chosen group
    assert _profile(app).target_occupation is None


def _title(code: str) -> Any:
    from data.kldb import get_occupation

    occupation = get_occupation(code)
    return occupation.title if occupation else None
