"""Promises kept on the advice page (issue 15, finding 7): related occupations with vacancy
figures, the salary median with region and source, and the application template.

The real decision path runs (rules mode, no model), on the illustrative market table that
``lotse seed`` loads, unless a test puts other figures in.
"""
# ruff: noqa: F811  (pytest fixtures imported from seeker_util)

from __future__ import annotations

import html as html_lib
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session, col, delete, select

from data.catalogue import load_catalogue
from data.importers.market import seed_illustrative_market
from frontend.pages.seeker.advice import TEMPLATE_MODULES
from models.market import MarketIndicator
from models.schemas import Profile
from models.tables import ProfileSnapshot
from recommender.decide.advice_details import (
    RELATED_MODULE,
    SALARY_MODULE,
    AdviceDetails,
    details_for_snapshot,
    salary_for,
)
from tests.frontend.seeker_util import post_form, seeded_client  # noqa: F401  (fixture)


def _start(client: TestClient, app: FastAPI, *, market: bool = True) -> None:
    if market:
        with Session(app.state.engine) as session:
            seed_illustrative_market(session)
            session.commit()
    post_form(client, "/", "/start", {})
    post_form(client, "/notice", "/notice", {})


def _answer(client: TestClient, *, job: str, place: str, salary: int | None = None,
            health: list[str] | None = None) -> str:
    post_form(client, "/onboarding/occupation", "/onboarding/occupation", {"target_occupation_text": job})
    post_form(client, "/onboarding/region", "/onboarding/region", {"region_query": place})
    if salary is not None:
        post_form(client, "/onboarding/salary", "/onboarding/salary", {"salary_expectation_eur": str(salary)})
    if health:
        post_form(client, "/onboarding/situation", "/onboarding/situation", {"constraints.health_limits": health})
    assert post_form(client, "/onboarding/summary", "/advice", {}).status_code == 303
    return client.get("/advice").text


def _card(page: str, title: str) -> str:
    start = page.index(f">{title}</h3>")
    end = page.find('<section class="card', start)
    return html_lib.unescape(page[start:end if end > 0 else None])


def _related(card: str) -> list[str]:
    return re.findall(r'<li><strong lang="de">([^<]+)</strong>', card)


def test_related_occupations_are_named_with_an_illustrative_national_figure(seeded_client: TestClient,
                                                                          app: FastAPI) -> None:
    _start(seeded_client, app)
    card = _card(_answer(seeded_client, job="Verkäuferin", place="Regensburg"),
                 "Suchen Sie auch in verwandten Berufen")
    names = _related(card)
    assert 3 <= len(names) <= 5
    assert "Kassierer/innen und Kartenverkäufer/innen – fachlich ausgerichtete Tätigkeiten" in names
    assert not any("Führungskräfte" in n or "Aufsichtskräfte" in n for n in names)
    # The shipped table has 5-digit rows for Germany only, and they are made up: the page says both.
    assert card.count("gemeldete Stellen in ganz Deutschland") == len(names)
    # Said once above the list when it holds for every figure, so a phone screen is not filled with it.
    assert card.count("Die Zahlen unten gelten für ganz Deutschland, nicht für Regensburg:") == 1
    assert card.count("Die Zahlen unten sind Beispielzahlen, von Lotse erzeugt – keine amtliche Statistik.") == 1
    assert "Diese Zahl gilt" not in card and "Quelle:" not in card
    assert "Stand Juni 2025" in card
    assert "So wählen wir aus: Berufe aus derselben Berufsgruppe" in card


def test_an_official_regional_figure_names_its_source_and_no_figure_says_so(seeded_client: TestClient,
                                                                           app: FastAPI) -> None:
    _start(seeded_client, app, market=False)
    with Session(app.state.engine) as session:
        session.exec(delete(MarketIndicator))
        session.add(MarketIndicator(kldb="62112", ags="09362", period="2026-09", unemployed=120, vacancies=37,
                                    illustrative=False, source="Statistik der Bundesagentur für Arbeit (test)"))
        session.commit()
    card = _card(_answer(seeded_client, job="Verkäuferin", place="Regensburg"),
                 "Suchen Sie auch in verwandten Berufen")
    assert "37 gemeldete Stellen in Regensburg (Stand September 2026)." in card
    assert "Quelle: Statistik der Bundesagentur für Arbeit (test)" in card
    assert "Beispielzahl" not in card and "ganz Deutschland" not in card
    assert card.count("Für diesen Beruf haben wir keine Stellenzahl für Regensburg.") == len(_related(card)) - 1


def test_mixed_figures_say_per_occupation_which_is_regional_official_or_made_up(seeded_client: TestClient,
                                                                                 app: FastAPI) -> None:
    _start(seeded_client, app)  # illustrative national rows for every occupation ...
    with Session(app.state.engine) as session:  # ... and one official figure for the person's Kreis
        session.add(MarketIndicator(kldb="62112", ags="09362", period="2026-09", unemployed=120, vacancies=37,
                                    illustrative=False, source="Statistik der Bundesagentur für Arbeit (test)"))
        session.commit()
    card = _card(_answer(seeded_client, job="Verkäuferin", place="Regensburg"),
                 "Suchen Sie auch in verwandten Berufen")
    items = re.findall(r"<li><strong lang=\"de\">(.*?)</li>", card, flags=re.S)
    cashier = next(i for i in items if "Kassierer/innen" in i)
    others = [i for i in items if i is not cashier]
    assert "37 gemeldete Stellen in Regensburg" in cashier and "Quelle: Statistik der Bundesagentur" in cashier
    assert "Beispielzahl" not in cashier and "ganz Deutschland" not in cashier
    for item in others:
        assert "gemeldete Stellen in ganz Deutschland" in item
        assert "Diese Zahl gilt für ganz Deutschland, nicht für Regensburg:" in item
        assert "Beispielzahl, von Lotse erzeugt – keine amtliche Statistik." in item
    assert "Die Zahlen unten" not in card


def test_related_occupations_leave_out_heavy_work_for_someone_who_must_not_lift(seeded_client: TestClient,
                                                                               app: FastAPI) -> None:
    _start(seeded_client, app)
    page = _answer(seeded_client, job="Verkäuferin", place="Regensburg", health=["no_heavy_lifting"])
    card = _card(page, "Suchen Sie auch in verwandten Berufen")
    assert "Berufe mit schwerem Heben haben wir weggelassen" in card


def test_salary_advice_shows_the_median_its_region_and_source(seeded_client: TestClient, app: FastAPI) -> None:
    _start(seeded_client, app)
    card = _card(_answer(seeded_client, job="Fachinformatikerin - Anwendungsentwicklung", place="München",
                         salary=6500), "Prüfen Sie Ihre Gehaltsvorstellung")
    assert "Der mittlere Bruttolohn (Median) im Monat in „Berufe in der Softwareentwicklung" in card
    assert "liegt bei 4.483\xa0€" in card
    assert "Ihr Wunsch von 6.500\xa0€ liegt etwa 45 % darüber." in card
    assert "Mehr als drei von vier Beschäftigten verdienen weniger als 5.934\xa0€." in card
    assert "Quelle: Entgeltatlas der Bundesagentur für Arbeit, Median für ganz Deutschland" in card
    assert "abgerufen im Februar 2025" in card
    assert "Einen eigenen Wert für München, Landeshauptstadt oder das Bundesland haben wir nicht." in card
    english = _card(_english_page(seeded_client, "/advice"), "Check your salary expectation")
    assert "Your wish of €6,500 is about 45 % above it." in english and "retrieved in February 2025" in english


def _render_salary(profile: Profile, locale: str) -> str:
    from api.i18n import format_date, format_euro
    from frontend.templating import templates

    page = templates.env.from_string(
        '{% from "seeker/_advice_details.html" import salary_block with context %}{{ salary_block(salary) }}')
    return html_lib.unescape(page.render(
        salary=salary_for(profile), locale=locale,
        format_euro=lambda value, whole=False: format_euro(value, locale, whole=whole),
        format_date=lambda value, fmt="medium": format_date(value, locale, fmt)))


@pytest.mark.parametrize("locale", ["de", "en"])
def test_salary_advice_without_a_known_median_shows_no_number(locale: str) -> None:
    hairdresser = Profile(target_occupation="82312", region_ags="09362", salary_expectation_eur=2900)
    assert salary_for(hairdresser).comparison == "unknown"  # type: ignore[union-attr]
    text = _render_salary(hairdresser, locale)
    assert ("kennen wir keinen Median aus dem Entgeltatlas" if locale == "de"
            else "We know no Entgeltatlas median") in text
    assert "Entgeltatlas der" not in text and "Entgeltatlas of" not in text  # no source for a figure not shown
    words = re.sub(r"<[^>]+>", " ", text)
    assert re.findall(r"\d+(?:[.,]\d+)*", words) == (["2.900"] if locale == "de" else ["2,900"])  # only the own wish


def test_salary_above_the_contribution_ceiling_is_not_given_as_a_number() -> None:
    from data.wages import Wage

    profile = Profile(target_occupation="43412", salary_expectation_eur=6500)
    ceiling = Wage("43412", None, None, None, censored_above=7100.0)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("recommender.decide.advice_details.get_wage", lambda code: ceiling)
        text = _render_salary(profile, "de")
    assert "nennt der Entgeltatlas keinen genauen Median: Er liegt über 7.100\xa0€ im Monat" in text
    assert "Ihr Wunsch von 6.500\xa0€ liegt unter dem Median." in text


def test_every_advice_that_promises_a_template_links_to_it() -> None:
    promising = {m.id for m in load_catalogue().modules if "Vorlage" in m.text.de or "template" in m.text.en}
    assert promising == TEMPLATE_MODULES
    for module in load_catalogue().modules:
        if module.id in promising:  # the promise names what the page delivers
            assert "Vorlage für Lebenslauf und Anschreiben" in module.text.de
            assert "template for a CV and a cover letter" in module.text.en


def test_the_cv_card_links_the_printable_template_prefilled_only_with_what_was_told(seeded_client: TestClient,
                                                                                    app: FastAPI) -> None:
    _start(seeded_client, app)
    card = _card(_answer(seeded_client, job="Verkäuferin", place="Regensburg"), "Machen Sie Ihren Lebenslauf fertig")
    assert 'href="/application-template">Vorlage für Lebenslauf und Anschreiben zum Ausdrucken' in card
    page = seeded_client.get("/application-template").text
    assert "Lebenslauf (eine Seite)" in page and "Anschreiben (kurz)" in page
    assert "<script" not in page
    filled = re.findall(r'<span class="fill">([^<]+)</span>', page)
    assert sorted(set(filled)) == ["Bewerbung als Verkäuferin", "Regensburg, ", "Verkäuferin"]
    english = _english_page(seeded_client, "/application-template")
    assert "CV (one page)" in english and "Cover letter (short)" in english and "Application as Verkäuferin" in english


def _english_page(client: TestClient, path: str) -> str:
    post_form(client, path, "/language", {"locale": "en", "next": path})
    return client.get(path).text


@pytest.mark.parametrize("locale", ["de", "en"])
def test_the_template_is_empty_for_a_visitor_without_answers(client: TestClient, locale: str) -> None:
    page = client.get("/application-template", headers={"Accept-Language": locale}).text
    assert re.findall(r'<span class="fill">([^<]+)</span>', page) == []
    assert ("Lotse weiß auf dieser Seite nichts über Sie" if locale == "de"
            else "Lotse knows nothing about you on this page") in page


def test_advice_that_sends_the_person_to_job_ads_links_the_jobboerse() -> None:
    """Part-time search and the search along bus and train lines send the person to postings too (finding 7)."""
    from frontend.pages.seeker.advice import JOB_SEARCH_MODULES

    texts = {m.id: m.text.de for m in load_catalogue().modules}
    assert "Jobsuche der Arbeitsagentur" in texts["part_time_search"]
    assert "Suchen Sie Stellen" in texts["commute_and_childcare"]
    assert {"part_time_search", "commute_and_childcare"} <= JOB_SEARCH_MODULES


def test_details_are_read_only_for_the_cards_the_page_shows(seeded_client: TestClient, app: FastAPI) -> None:
    """The related occupations cost two queries (issue 16): a page without their card does not make them."""
    _start(seeded_client, app)
    _answer(seeded_client, job="Verkäuferin", place="Regensburg", salary=4000)
    with Session(app.state.engine) as session:
        snapshot_id = session.exec(select(ProfileSnapshot.id).order_by(col(ProfileSnapshot.id).desc())).first()
        statements: list[str] = []
        event.listen(app.state.engine, "before_cursor_execute",
                     lambda _connection, _cursor, statement, *_: statements.append(statement))
        nothing = details_for_snapshot(session, snapshot_id=snapshot_id, shown={"cv_documents"})
        assert nothing == AdviceDetails(None, None)
        assert statements == []
        salary_only = details_for_snapshot(session, snapshot_id=snapshot_id, shown={SALARY_MODULE})
        assert salary_only.related is None and salary_only.salary is not None
        assert not any("market_indicator" in s or "job_posting_count" in s for s in statements)
        both = details_for_snapshot(session, snapshot_id=snapshot_id, shown={SALARY_MODULE, RELATED_MODULE})
        assert both.related is not None and both.salary is not None
