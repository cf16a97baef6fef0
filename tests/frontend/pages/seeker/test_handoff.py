"""The consent page for passing answers to the Jobcenter: give, revoke, see what was passed on; no JavaScript."""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import select

from api.auth.api_tokens import create_token
from models.inbound import HandoffConsent
from models.tables import Event, Jobcenter, JobSeeker
from recommender.casework.handoff import deliver_handoffs
from tests.frontend.seeker_util import (  # noqa: F401  (fixtures)
    db_session,
    fake_path,
    post_form,
    seeded_client,
    seeker,
)

PAGE = "/my-data/handoff"


def _consents(app: FastAPI) -> list[HandoffConsent]:
    with db_session(app) as session:
        return list(session.exec(select(HandoffConsent)).all())


def _deliver(app: FastAPI) -> list[Any]:
    with db_session(app) as session:
        jobcenter_id = session.exec(select(JobSeeker.jobcenter_id)).one()
        items = deliver_handoffs(session, jobcenter_id=jobcenter_id)
        session.commit()
        return items


def test_page_explains_in_plain_german_and_offers_a_plain_form(seeker: TestClient) -> None:
    html = seeker.get(PAGE).text
    assert "Sie haben nicht zugestimmt. Es wird nichts weitergegeben." in html
    assert "<script" not in html
    assert 'method="post" action="/my-data/handoff"' in html
    assert "Bisher wurde nichts weitergegeben." in html


def test_page_is_in_english_for_an_english_reader(seeker: TestClient) -> None:
    seeker.cookies.set("lotse_locale", "en")
    assert "You have not agreed. Nothing is passed on." in seeker.get(PAGE).text


def test_giving_consent_records_time_and_wording_and_logs_it(seeker: TestClient, app: FastAPI) -> None:
    response = post_form(seeker, PAGE, PAGE, {"action": "give"})
    assert response.status_code == 303
    [consent] = _consents(app)
    assert consent.revoked_at is None and consent.source == "job_seeker" and consent.text_version
    html = seeker.get(PAGE).text
    assert "Sie haben am" in html and "Meine Zustimmung zurücknehmen" in html
    with db_session(app) as session:
        assert session.exec(select(Event).where(Event.event_type == "handoff_consent_given")).one()


def test_revoking_stops_handoffs_and_the_page_says_what_was_already_sent(seeker: TestClient, app: FastAPI) -> None:
    post_form(seeker, "/onboarding/time", "/onboarding/time", {"months_unemployed": "14"})
    post_form(seeker, PAGE, PAGE, {"action": "give"})
    assert len(_deliver(app)) == 1  # the Fachverfahren reads the answers once
    post_form(seeker, PAGE, PAGE, {"action": "revoke"})
    assert _deliver(app) == []  # nothing more after revoking
    html = seeker.get(PAGE).text
    assert "Sie haben nicht zugestimmt." in html
    assert "Ihr Jobcenter hat diese Fassungen Ihrer Antworten schon erhalten." in html
    assert html.count("<tr><td>") == 1
    with db_session(app) as session:
        assert session.exec(select(Event).where(Event.event_type == "handoff_consent_revoked")).one()


def test_my_data_links_to_the_consent_page(seeker: TestClient) -> None:
    assert 'href="/my-data/handoff"' in seeker.get("/my-data").text


def test_page_says_when_the_jobcenter_does_not_take_answers_over(seeker: TestClient, app: FastAPI) -> None:
    not_yet = "Im Moment übernimmt Ihr Jobcenter keine Antworten aus Lotse."
    assert not_yet in seeker.get(PAGE).text
    with db_session(app) as session:
        centre = session.exec(select(Jobcenter).join(JobSeeker, JobSeeker.jobcenter_id == Jobcenter.id)).one()
        create_token(session, jobcenter=centre, name="Fachverfahren", scopes="cases:read")
        session.commit()
    assert not_yet not in seeker.get(PAGE).text
