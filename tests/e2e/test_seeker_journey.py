"""The job-seeker journey in a real browser on a 360x740 phone screen, with and without JavaScript.

start -> notice -> onboarding (with a refused value) -> advice -> "Warum?" -> explanation ->
plan -> export -> delete. axe-core checks every page of the journey for WCAG 2.1 A/AA
violations; any violation fails the test with the rule ids and the elements concerned.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from models.tables import jobcenter_today
from tests.e2e.conftest import ARTIFACTS, AXE_JS, VIEWPORT

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_PAGES: list[dict[str, Any]] = []


class Journey:
    """A page plus the screenshots of each step (written to artifacts/ only if the test fails)."""

    def __init__(self, page: Any, base: str, *, axe: bool) -> None:
        self.page = page
        self.base = base
        self.axe = axe
        self.shots: list[tuple[str, bytes]] = []

    def step(self, name: str) -> None:
        self.shots.append((name, self.page.screenshot(full_page=True)))
        if self.axe:
            check_axe(self.page, name)

    def save_shots(self, test_name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        for number, (name, png) in enumerate(self.shots, start=1):
            (ARTIFACTS / f"{test_name}-{number:02d}-{name}.png").write_bytes(png)


def check_axe(page: Any, name: str) -> None:
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}}); "
        "return {violations: r.violations.map(v => ({id: v.id, impact: v.impact, "
        "nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)})), passes: r.passes.length}; }",
        WCAG_TAGS)
    AXE_PAGES.append({"page": name, "url": page.url, **result})
    assert result["violations"] == [], f"axe on {name} ({page.url}): {result['violations']}"
    assert result["passes"] > 10, f"axe on {name} ({page.url}) found only {result['passes']} passing rules"


@pytest.fixture(scope="module", autouse=True)
def axe_summary() -> Any:
    """After the module's tests, whichever ran and in whatever order: every checked page, for the report."""
    yield
    if AXE_PAGES:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "axe-summary.json").write_text(json.dumps(AXE_PAGES, indent=2), encoding="utf-8")


@pytest.fixture
def journey(request: pytest.FixtureRequest, browser: Any, live_server: str) -> Any:
    javascript = getattr(request, "param", True)
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript, locale="de-DE",
                                  accept_downloads=True)
    page = context.new_page()
    run = Journey(page, live_server, axe=javascript)
    request.node._e2e_page = page
    request.node._e2e_journey = run
    yield run
    context.close()


def _continue(page: Any) -> None:
    page.get_by_role("button", name="Speichern und weiter").click()


def _walk_the_journey(run: Journey, tmp_path: Path, *, javascript: bool) -> None:
    page, base = run.page, run.base
    page.goto(base + "/")
    assert page.locator("html").get_attribute("lang") == "de"
    run.step("start")
    page.get_by_role("button", name="Jetzt starten – ohne Anmeldung").click()
    page.wait_for_url(re.compile(r"/notice$"))
    assert page.get_by_role("heading", name="Eine KI hilft – ein Mensch entscheidet").is_visible()
    run.step("notice")
    page.get_by_role("button", name="Ich habe das gelesen – weiter").click()
    page.wait_for_url(re.compile(r"/onboarding/occupation$"))
    field = page.get_by_label("Gesuchter Beruf")
    if javascript:
        field.press_sequentially("Verkäufer", delay=20)
        suggestion = page.locator(".suggestions button").first
        suggestion.wait_for(timeout=5000)
        suggestion.click()
        assert page.locator("#f-target-occupation").input_value().isdigit()
    else:
        field.fill("Verkäufer")
    run.step("onboarding-occupation")
    _continue(page)
    page.get_by_label("Ort oder Kreis").fill("Nürnberg")
    _continue(page)
    page.get_by_label("Realschulabschluss (Mittlere Reife)").check()
    _continue(page)
    _continue(page)  # languages: skipped, every question is optional
    page.get_by_label("Monate ohne Arbeit").fill("-3")
    if javascript:  # inline check before sending, with the server's words
        page.keyboard.press("Tab")
        assert page.get_by_role("alert").filter(has_text="Bitte geben Sie eine Zahl von 0 bis 600 ein.").is_visible()
        assert page.url.endswith("/onboarding/time")
    _continue(page)
    assert page.get_by_text("Bitte geben Sie eine Zahl von 0 bis 600 ein.").first.is_visible()
    assert page.get_by_label("Monate ohne Arbeit").input_value() == "-3"
    run.step("onboarding-error")
    page.get_by_label("Monate ohne Arbeit").fill("14")
    _continue(page)
    page.get_by_label("Verschickte Bewerbungen").fill("30")
    page.get_by_label("Vorstellungsgespräche").fill("0")
    _continue(page)
    _continue(page)  # mobility
    _continue(page)  # situation
    _continue(page)  # pay
    page.wait_for_url(re.compile(r"/onboarding/summary$"))
    run.step("summary")
    page.get_by_role("button", name="Meine Tipps anzeigen").click()
    page.wait_for_url(re.compile(r"/advice"))
    assert page.get_by_role("heading", name="Meine Tipps").is_visible()
    first_card = page.locator("section.card:not(.card-pending)").first
    first_card.locator("summary", has_text="Warum?").click()
    assert first_card.get_by_text("Die wichtigsten Gründe:").is_visible()
    run.step("advice-why")
    first_card.locator("summary", has_text="Rückmeldung geben").click()
    first_card.get_by_label("Hilfreich", exact=True).check()
    first_card.get_by_role("button", name="Rückmeldung senden").click()
    assert page.get_by_text("Danke für Ihre Rückmeldung.").is_visible()
    first_card = page.locator("section.card:not(.card-pending)").first
    first_card.locator("summary", has_text="Warum?").click()
    first_card.get_by_role("link", name=re.compile("Ausführliche Erklärung")).click()
    page.wait_for_url(re.compile(r"/explanation/"))
    run.step("explanation")
    page.get_by_role("link", name="Zurück zu meinen Tipps").click()
    card = page.locator("section.card:not(.card-pending)").first
    due = (jobcenter_today() + timedelta(days=14)).isoformat()
    card.get_by_label("Bis wann möchten Sie das erledigen? (freiwillig)").fill(due)
    card.get_by_role("button", name="In meinen Plan aufnehmen").click()
    page.goto(base + "/plan")
    run.step("plan")
    page.get_by_role("button", name=re.compile("Als erledigt markieren")).first.click()
    assert page.get_by_text("Gut gemacht!").is_visible()
    page.goto(base + "/my-data")
    run.step("my-data")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Als JSON herunterladen").click()
    target = tmp_path / "export.json"
    download_info.value.save_as(target)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["tables"]["profile_snapshot"] and exported["tables"]["decision_item"]
    page.get_by_role("link", name="Meine Daten löschen").click()
    page.wait_for_url(re.compile(r"/my-data/delete$"))
    run.step("delete")
    page.get_by_label("Ja, alle meine Daten jetzt löschen.").check()
    page.get_by_role("button", name="Meine Daten endgültig löschen").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_text("Ihre Daten wurden gelöscht").is_visible()
    run.step("deleted")


@pytest.mark.parametrize("journey", [True], indirect=True, ids=["javascript"])
def test_journey_with_javascript_has_no_axe_violations(journey: Journey, tmp_path: Path) -> None:
    _walk_the_journey(journey, tmp_path, javascript=True)


@pytest.mark.parametrize("journey", [False], indirect=True, ids=["no-javascript"])
def test_journey_works_without_javascript(journey: Journey, tmp_path: Path) -> None:
    _walk_the_journey(journey, tmp_path, javascript=False)


@pytest.mark.parametrize("path", ["/easy-language", "/accessibility", "/about-ai"])
def test_information_pages_have_no_axe_violations(browser: Any, live_server: str, path: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    page.goto(live_server + path)
    assert page.locator("html").get_attribute("lang") == "en"
    check_axe(page, path)
    context.close()


def test_keyboard_only_reaches_the_start_button_and_skip_link(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    page = context.new_page()
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == "Jetzt starten – ohne Anmeldung":
            break
    else:
        pytest.fail("the start button cannot be reached with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/notice$"))
    _tab_to(page, "Ich habe das gelesen – weiter")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/onboarding/occupation$"))
    _tab_to(page, "", field="f-target-occupation-text")
    page.keyboard.type("Koch")
    page.keyboard.press("Escape")  # close suggestions, then send with Enter like any form
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/onboarding/region$"))
    context.close()


def _tab_to(page: Any, text: str, *, field: str | None = None, limit: int = 40) -> None:
    """Press Tab until the button/link with *text* (or the element with id *field*) has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.id, document.activeElement.textContent.trim()]")
        if (field and focused[0] == field) or (not field and focused[1] == text):
            return
    pytest.fail(f"{text or field} cannot be reached with the keyboard")


def test_axe_check_catches_a_planted_violation(browser: Any) -> None:
    """The check itself can fail: an unlabelled input and low contrast are reported."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_content('<html lang="de"><head><title>x</title></head><body><main><input type="text">'
                     '<p style="color:#bbb;background:#fff">blass</p></main></body></html>')
    with pytest.raises(AssertionError, match="label"):
        check_axe(page, "planted")
    context.close()


def test_english_pages_of_the_journey_have_no_axe_violations(browser: Any, live_server: str) -> None:
    """The same pages in English (lang="en", English labels) pass axe too."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB")
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="Start now – without registering").click()
    page.wait_for_url(re.compile(r"/notice$"))
    check_axe(page, "en-notice")
    page.get_by_role("button", name="I have read this – continue").click()
    page.wait_for_url(re.compile(r"/onboarding/occupation$"))
    page.get_by_label("Job you are looking for").fill("Koch")
    page.get_by_role("button", name="Save and continue").click()
    page.goto(live_server + "/onboarding/time")
    page.get_by_label("Months without work").fill("700")
    page.get_by_role("button", name="Save and continue").click()
    assert page.get_by_text("Please enter a number from 0 to 600.").first.is_visible()
    check_axe(page, "en-onboarding-error")
    page.goto(live_server + "/onboarding/summary")
    page.get_by_role("button", name="Show my advice").click()
    page.wait_for_url(re.compile(r"/advice"))
    assert page.locator("html").get_attribute("lang") == "en"
    check_axe(page, "en-advice")
    for path in ("/plan", "/my-data", "/outcome", "/account"):
        page.goto(live_server + path)
        check_axe(page, f"en-{path.strip('/')}")
    context.close()



@pytest.mark.parametrize("javascript", [False, True])
def test_unsure_title_asks_field_group_and_level_on_a_phone(browser: Any, live_server: str, javascript: bool) -> None:
    """Issue 19: a vague title leads to the list questions, which work without JavaScript at 360 px."""
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript, locale="de-DE")
    page = context.new_page()
    try:
        page.goto(live_server + "/")
        page.get_by_role("button", name="Jetzt starten – ohne Anmeldung").click()
        page.get_by_role("button", name="Ich habe das gelesen – weiter").click()
        page.wait_for_url(re.compile(r"/onboarding/occupation$"))
        page.get_by_label("Gesuchter Beruf").fill("Allrounder (m/w/d) gesucht")
        _continue(page)
        page.wait_for_url(re.compile(r"/onboarding/occupation/list$"))
        assert page.get_by_text("Wir sind nicht sicher").is_visible()
        for name, label in (("area", "Verkauf und Handel, Hotel, Gastronomie, Tourismus"), ("group", "Verkaufsberufe"),
                            ("level", "Fachkraft: meist nach 2 bis 3 Jahren Berufsausbildung")):
            if javascript:
                check_axe(page, f"occupation list: {name}")
            page.get_by_label(label).check()
            page.get_by_role("button", name="Weiter").click()
        page.get_by_label("Berufe im Verkauf (ohne Produktspezialisierung) – fachlich ausgerichtete Tätigkeiten",
                          exact=True).check()
        _continue(page)
        page.wait_for_url(re.compile(r"/onboarding/region$"))
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    finally:
        context.close()
