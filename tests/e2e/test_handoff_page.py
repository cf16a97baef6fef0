"""The hand-off consent page in a real browser at 360 px: without JavaScript, no horizontal scrolling, axe-clean."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import VIEWPORT
from tests.e2e.test_seeker_journey import check_axe

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def _start(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.get_by_role("button", name="Jetzt starten – ohne Anmeldung").click()
    page.wait_for_url(re.compile(r"/notice$"))
    page.get_by_role("button", name="Ich habe das gelesen – weiter").click()
    page.wait_for_url(re.compile(r"/onboarding/occupation$"))


def test_consent_is_given_and_taken_back_without_javascript_at_360_px(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    try:
        _start(page, live_server)
        page.goto(live_server + "/my-data")
        page.get_by_role("link", name="Ansehen oder ändern").click()
        page.wait_for_url(re.compile(r"/my-data/handoff$"))
        assert page.get_by_text("Sie haben nicht zugestimmt. Es wird nichts weitergegeben.").is_visible()
        assert _overflow(page) == 0
        page.get_by_role("button", name="Ich stimme zu: Meine Antworten weitergeben").click()
        assert page.get_by_text("Danke. Ihre Zustimmung ist gespeichert.").is_visible()
        assert _overflow(page) == 0
        page.get_by_role("button", name="Meine Zustimmung zurücknehmen").click()
        assert page.get_by_text("Ihre Zustimmung ist zurückgenommen.").is_visible()
    finally:
        context.close()


def test_consent_page_passes_axe(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    page = context.new_page()
    try:
        _start(page, live_server)
        page.goto(live_server + "/my-data/handoff")
        check_axe(page, "handoff")
    finally:
        context.close()
