"""Occupation and region endpoints: autocomplete, details with labelled market figures, problem+json."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from data.importers.market import seed_illustrative_market
from models.db import session_scope


def test_suggest_returns_ten_codes_with_confidence_for_a_gendered_title(client: TestClient) -> None:
    response = client.get("/api/v1/occupations/suggest", params={"q": "Verkäuferin (m/w/d) Einzelhandel"})
    assert response.status_code == 200
    suggestions = response.json()["suggestions"]
    assert len(suggestions) == 10
    assert suggestions[0]["code"] == "62102"
    confidences = [s["confidence"] for s in suggestions]
    assert confidences[0] > 0.9 and all(0 <= c <= 1 for c in confidences)
    assert confidences == sorted(confidences, reverse=True)


def test_suggest_says_how_likely_the_first_code_is_right_and_when_to_ask(client: TestClient) -> None:
    clear = client.get("/api/v1/occupations/suggest", params={"q": "MFA (m/w/d) in Teilzeit"}).json()
    assert clear["suggestions"][0]["code"] == "81102" and clear["unsure"] is False
    vague = client.get("/api/v1/occupations/suggest", params={"q": "Allrounder (m/w/d) gesucht"}).json()
    assert vague["unsure"] is True and vague["chance_first_right"] < clear["chance_first_right"]


def test_suggest_tolerates_a_typo(client: TestClient) -> None:
    codes = [s["code"] for s in client.get("/api/v1/occupations/suggest", params={"q": "Altenpflegerinn"}).json()[
        "suggestions"][:3]]
    assert "82102" in codes


@pytest.mark.parametrize("query", ["", "   ", "x" * 500])
def test_suggest_refuses_empty_or_overlong_queries(client: TestClient, query: str) -> None:
    response = client.get("/api/v1/occupations/suggest", params={"q": query})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "q"


def test_occupation_details_show_hierarchy_wage_and_illustrative_market(app: FastAPI, client: TestClient) -> None:
    with session_scope(app.state.engine) as session:
        seed_illustrative_market(session)
    body = client.get("/api/v1/occupations/62102", params={"ags": "09362"}).json()
    assert body["skill_level_name"] == "Fachkraft"
    assert [p["code"] for p in body["parents"]] == ["6", "62", "621", "6210"]
    assert body["wage"]["median_eur"] > 0
    market = body["market"]
    assert market["illustrative"] is True and "Illustrative" in market["note"]
    assert market["kldb"] == "621" and market["ags"] == "09362"  # fell back to the group in the Kreis


def test_occupation_without_market_figures_says_so(client: TestClient) -> None:
    body = client.get("/api/v1/occupations/43414").json()
    assert body["market"] is None and body["title"].startswith("Berufe in der Softwareentwicklung")


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("/api/v1/occupations/99999", 404, "kldb"),
        ("/api/v1/occupations/62a02", 422, "kldb"),
        ("/api/v1/occupations/621020", 422, "kldb"),
        ("/api/v1/occupations/62102?ags=9362", 422, "ags"),
        ("/api/v1/occupations/62102?ags=99999", 404, "ags"),
        ("/api/v1/regions/99999", 404, "ags"),
        ("/api/v1/regions/abc", 422, "ags"),
    ],
)
def test_bad_codes_answer_problem_json_naming_the_field(client: TestClient, path: str, status: int, field: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == field


def test_region_suggest_finds_kreise_by_name_and_ags_prefix(client: TestClient) -> None:
    by_name = client.get("/api/v1/regions/suggest", params={"q": "regensb"}).json()["regions"]
    assert {r["ags"] for r in by_name} == {"09362", "09375"}
    by_ags = client.get("/api/v1/regions/suggest", params={"q": "11"}).json()["regions"]
    assert by_ags[0]["name"].startswith("Berlin")
    assert client.get("/api/v1/regions/suggest", params={"q": ""}).status_code == 422
