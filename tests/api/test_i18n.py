"""Language: German by default, English on request, the choice remembered; catalogues complete."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from api.i18n import format_date, format_euro, gettext, parse_accept_language
from tests.frontend.seeker_util import post_form


def test_start_page_is_german_without_a_language_hint(client: TestClient) -> None:
    html = client.get("/").text
    assert '<html lang="de" dir="ltr">' in html
    assert "Willkommen bei Lotse" in html
    assert "Zum Inhalt springen" in html


def test_start_page_follows_accept_language_english(client: TestClient) -> None:
    html = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9,de;q=0.5"}).text
    assert '<html lang="en" dir="ltr">' in html
    assert "Welcome to Lotse" in html


def test_language_switch_is_remembered_across_pages(client: TestClient) -> None:
    response = post_form(client, "/", "/language", {"locale": "en", "next": "/accessibility"})
    assert response.status_code == 303
    assert response.headers["location"] == "/accessibility"
    html = client.get("/").text
    assert "Welcome to Lotse" in html
    assert 'value="de"' in html  # the switch now offers German


def test_language_switch_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/")
    response = client.post("/language", data={"locale": "en", "next": "/"}, follow_redirects=False)
    assert response.status_code == 403
    assert "Willkommen" in client.get("/").text


def test_language_switch_refuses_to_redirect_off_site(client: TestClient) -> None:
    response = post_form(client, "/", "/language", {"locale": "en", "next": "//evil.example/x"})
    assert response.headers["location"] == "/"


@pytest.mark.parametrize(("header", "expected"), [
    ("en-US,en;q=0.9", "en"), ("fr-FR,de;q=0.8", "de"), ("fr, en;q=0.1", "en"), ("de;q=0.2, en;q=0.9", "en"),
    ("", None), ("xx", None), ("en;q=abc", None),
])
def test_accept_language_picks_the_best_offered_locale(header: str, expected: str | None) -> None:
    assert parse_accept_language(header) == expected


def test_dates_and_money_use_the_locale_format() -> None:
    assert format_date(date(2026, 3, 1), "de", "short") == "01.03.26"
    assert format_date(date(2026, 3, 1), "en", "short") == "3/1/26"
    assert format_euro(2500, "de") == "2.500,00\xa0€"
    assert format_euro(2500, "en") == "€2,500.00"


def test_gettext_translates_api_messages_into_german() -> None:
    assert gettext("My data", "de") == "Meine Daten"
    assert gettext("My data", "en") == "My data"


@pytest.mark.parametrize(("path", "german", "english"), [
    ("/easy-language", "Lotse in Leichter Sprache", "Lotse in easy language"),
    ("/accessibility", "Erklärung zur Barrierefreiheit", "Accessibility statement"),
    ("/about-ai", "Wie Lotse KI nutzt", "How Lotse uses AI"),
])
def test_information_pages_exist_in_both_languages(client: TestClient, path: str, german: str,
                                                    english: str) -> None:
    de = client.get(path, headers={"Accept-Language": "de"})
    en = client.get(path, headers={"Accept-Language": "en"})
    assert de.status_code == en.status_code == 200
    assert f"<h1>{german}</h1>" in de.text and f"<h1>{english}</h1>" in en.text


def test_accessibility_statement_names_a_feedback_channel_and_conciliation(client: TestClient) -> None:
    html = client.get("/accessibility").text
    assert "mailto:" in html
    assert "Schlichtungsstelle" in html


def test_unknown_page_is_explained_in_html(client: TestClient) -> None:
    response = client.get("/gibt-es-nicht", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text
    assert client.get("/api/v1/gibt-es-nicht").headers["content-type"].startswith("application/problem+json")


def test_times_are_shown_in_berlin_time_with_the_zone() -> None:
    from datetime import datetime

    from api.i18n import format_datetime

    stored_utc = datetime(2026, 12, 6, 3, 7, 34)  # SQLite hands UTC back without a zone
    assert format_datetime(stored_utc, "de") == "06.12.2026, 04:07:34 MEZ"
    assert format_datetime(datetime(2026, 7, 6, 3, 7, 34), "en", "short").endswith("AM CEST")  # 05:07 in summer



def test_the_date_of_a_stored_moment_is_its_german_date() -> None:
    from datetime import datetime

    late_evening_utc = datetime(2026, 12, 6, 23, 30)  # 00:30 on 7 December in Berlin
    assert format_date(late_evening_utc, "de") == "07.12.2026"
    assert format_date(datetime(2026, 12, 6, 22, 30), "de") == "06.12.2026"
