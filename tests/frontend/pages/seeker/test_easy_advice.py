"""Each advice item links to its Leichte Sprache page; that page is German, plain and public."""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from data.catalogue import load_catalogue
from data.easy_german import easy_german
from tests.frontend.seeker_util import fake_path, post_form, seeded_client, seeker  # noqa: F401  (fixtures)


def test_every_visible_advice_card_links_to_its_leichte_sprache(seeker: TestClient) -> None:
    post_form(seeker, "/onboarding/summary", "/advice", {})
    html = seeker.get("/advice").text
    links = re.findall(r'href="/advice/easy/([a-z_]+)"><span lang="de">Leichte Sprache</span>', html)
    assert links == ["cv_documents", "broaden_occupations"]  # not the item still waiting for review


@pytest.mark.parametrize("module_id", [m.id for m in load_catalogue().modules])
def test_the_leichte_sprache_page_shows_title_sentences_and_words(client: TestClient, module_id: str) -> None:
    easy = easy_german().modules[module_id]
    response = client.get(f"/advice/easy/{module_id}", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.text
    assert '<article lang="de" dir="ltr" class="easy">' in html
    assert f"<h1>{easy.title}</h1>" in html
    assert all(f"<p>{sentence}</p>" in html for sentence in easy.sentences)
    assert all(f"<dt>{word.word}</dt>" in html for word in easy.words)
    assert "The same advice in your language:" in html  # the English page says what this page is


def test_an_unknown_advice_id_is_a_plain_404(client: TestClient) -> None:
    response = client.get("/advice/easy/gibt_es_nicht", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text


def test_the_job_question_says_which_languages_titles_are_recognised_in(seeker: TestClient) -> None:
    html = seeker.get("/onboarding/occupation").text
    assert "Lotse erkennt Berufsbezeichnungen auf Deutsch und häufige auf Englisch" in html
    assert 'href="/onboarding/occupation/list"' in html  # the picker by field of work (issue 19)
