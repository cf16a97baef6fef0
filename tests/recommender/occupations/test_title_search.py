"""Occupation input works for whole words, gender forms, umlauts, typos and English (issue 15, finding 5)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from data.catalogue import load_catalogue
from data.english_titles import english_titles
from models.schemas import Profile
from recommender.casework.journey import match_occupation, suggest_occupations
from recommender.decide.features import MarketContext
from recommender.decide.guardrails import evaluate_guardrails
from recommender.occupations.title_search import exact_title_code


@pytest.mark.parametrize(("typed", "code"), [
    ("Verkäu", "62102"), ("Verkäuferin", "62102"), ("Verkaeuferin", "62102"), ("Verkäuferinn", "62102"),
    ("Kassiererin", "62112"), ("Kassierer", "62112"), ("shop assistant", "62102"), ("cashier", "62112"),
    ("warehouse worker", "51311"), ("nurse", "81302"),
])
def test_typed_title_keeps_suggestions_and_the_right_occupation_first(typed: str, code: str) -> None:
    hits = suggest_occupations(typed)
    assert hits and hits[0][0] == code
    assert match_occupation(typed) == code


def test_onboarding_suggestions_do_not_vanish_for_the_whole_word(client: TestClient) -> None:
    for typed in ("Verkäuferin", "Kassiererin", "cashier"):
        response = client.get("/occupations/suggest", params={"q": typed})
        assert response.status_code == 200 and response.json(), typed


def test_api_suggestions_understand_english_titles(client: TestClient) -> None:
    for typed, code in (("shop assistant", "62102"), ("cashier", "62112")):
        suggestions = client.get("/api/v1/occupations/suggest", params={"q": typed}).json()["suggestions"]
        assert suggestions[0]["code"] == code, typed


def test_every_english_title_points_to_an_official_german_title() -> None:
    for english, german in english_titles():
        assert exact_title_code(german) is not None, (english, german)


def test_no_advice_about_your_field_without_an_occupation() -> None:
    market = MarketContext()
    unknown = Profile.model_validate({"target_occupation_text": "something else", "months_unemployed": 12})
    known = Profile.model_validate({"target_occupation": "62102", "months_unemployed": 12})
    catalogue = load_catalogue()
    assert "broaden_occupations" not in evaluate_guardrails(unknown, catalogue, market).eligible
    assert "broaden_occupations" in evaluate_guardrails(known, catalogue, market).eligible
