"""The job-seeker journey in every language present, in Chromium: 320 px without overflow, axe, RTL.

"Present" means: German, English, each language whose catalogue is in the repository, and Arabic.
Until the Arabic translation lands, Arabic is a SYNTHETIC pseudo-locale (tests/pseudo_locale.py:
English with Latin letters swapped for Arabic ones), which is enough to prove right-to-left
layout; once ``api/locales/ar`` exists the real texts are used. Labels are looked up through the
same catalogues the server reads, so one walk serves every language.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.i18n import SHIPPED_LOCALE_DIR, gettext, offered_locales, reset_translations
from data.catalogue import load_catalogue, reset_catalogue_cache
from data.catalogue_translations import SHIPPED_TRANSLATIONS_DIR
from tests.e2e.conftest import ARTIFACTS, prepared_database, running_server
from tests.e2e.test_seeker_journey import check_axe
from tests.pseudo_locale import write_pseudo_catalogue, write_pseudo_translation

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

NARROW = {"width": 320, "height": 740}
PHONE = {"width": 360, "height": 740}
_OVERFLOW = "document.scrollingElement.scrollWidth <= window.innerWidth"
# Languages with a catalogue in the repository, plus Arabic (pseudo while it has none), for right to left.
PRESENT = tuple(dict.fromkeys([*offered_locales(), "ar"]))


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Catalogue folders with every shipped language and, where Arabic is missing, pseudo-Arabic."""
    tmp = tmp_path_factory.mktemp("languages")
    locales, advice = tmp / "locales", tmp / "advice"
    shutil.copytree(SHIPPED_LOCALE_DIR, locales, ignore=shutil.ignore_patterns("*.mo"))
    if SHIPPED_TRANSLATIONS_DIR.exists():
        shutil.copytree(SHIPPED_TRANSLATIONS_DIR, advice)
    if not (locales / "ar").exists():
        write_pseudo_catalogue(locales, "ar")
    if not (advice / "ar.yaml").exists():
        write_pseudo_translation(advice, load_catalogue(), "ar")
    env = {"LOTSE_LOCALE_DIR": str(locales), "LOTSE_CATALOGUE_TRANSLATIONS_DIR": str(advice)}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    reset_translations()
    reset_catalogue_cache()
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reset_translations()
    reset_catalogue_cache()


@pytest.fixture(scope="module")
def language_server(tmp_path_factory: pytest.TempPathFactory, catalogues: dict[str, str]) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("e2e-languages")
    with running_server(tmp, prepared_database(tmp), extra_env=catalogues) as base:
        yield base


def _fits(page: Any, where: str) -> None:
    """At 320 px nothing is wider than the screen, also with the language list open."""
    page.set_viewport_size(NARROW)
    assert page.evaluate(_OVERFLOW), f"{where}: horizontal overflow at 320 px ({page.url})"
    page.locator("header details.lang-switch summary").click()
    assert page.evaluate(_OVERFLOW), f"{where}: the open language list overflows at 320 px"
    page.locator("header details.lang-switch summary").click()
    page.set_viewport_size(PHONE)


def _page(page: Any, locale: str, direction: str, name: str) -> None:
    assert page.locator("html").get_attribute("lang") == locale, page.url
    assert page.locator("html").get_attribute("dir") == direction, page.url
    check_axe(page, f"{locale}-{name}")


@pytest.mark.parametrize("locale", PRESENT)
def test_journey_in_each_language(browser: Any, language_server: str, locale: str, tmp_path: Path) -> None:
    """Start page -> notice -> onboarding -> advice -> Leichte Sprache -> saved plan -> data download,
    then the information pages and the explanation: each in the language, axe-clean, no overflow at 320 px."""
    def t(msgid: str) -> str:
        return gettext(msgid, locale)

    direction = "rtl" if locale == "ar" else "ltr"
    context = browser.new_context(viewport=PHONE, locale=locale, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(language_server + "/")
        _page(page, locale, direction, "start")
        _fits(page, "start")
        page.get_by_role("button", name=t("Start now – without registering")).click()
        page.wait_for_url(re.compile(r"/notice$"))
        _page(page, locale, direction, "notice")
        page.get_by_role("button", name=t("I have read this – continue")).click()
        page.wait_for_url(re.compile(r"/onboarding/occupation$"))
        page.get_by_label(t("Job you are looking for")).fill("Verkäufer")
        for _step in range(12):
            _page(page, locale, direction, f"onboarding-{page.url.rsplit('/', 1)[-1]}")
            _fits(page, page.url)
            page.get_by_role("button", name=t("Save and continue")).click()
            if page.url.endswith("/onboarding/summary"):
                break
        page.get_by_role("button", name=t("Show my advice")).click()
        page.wait_for_url(re.compile(r"/advice"))
        _page(page, locale, direction, "advice")
        _fits(page, "advice")
        card = page.locator("section.card:not(.card-pending)").first
        title = card.locator("h3").inner_text()
        card.get_by_role("link", name=re.compile("Leichte Sprache")).click()
        page.wait_for_url(re.compile(r"/advice/easy/"))
        _page(page, locale, direction, "leichte-sprache")
        assert page.locator("article").get_attribute("lang") == "de"
        _fits(page, "leichte-sprache")
        page.go_back()
        page.locator("section.card:not(.card-pending)").first.get_by_role("button", name=t("Add to my plan")).click()
        page.goto(language_server + "/plan")
        _page(page, locale, direction, "plan")
        assert page.get_by_text(title).first.is_visible()  # the saved plan holds the advice, in this language
        page.goto(language_server + "/my-data")
        _page(page, locale, direction, "my-data")
        with page.expect_download() as download_info:
            page.get_by_role("link", name=t("Download as JSON")).click()
        target = tmp_path / "export.json"
        download_info.value.save_as(target)
        exported = json.loads(target.read_text(encoding="utf-8"))
        assert exported["tables"]["decision_item"] and exported["tables"]["plan_step"]
        explanation = f"/explanation/{exported['tables']['decision'][0]['id']}"
        for path in ("/about-ai", "/accessibility", "/easy-language", explanation):
            page.goto(language_server + path)
            _page(page, locale, direction, path.strip("/").split("/")[0])
            _fits(page, path)
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"language-{locale}-failed.png"), full_page=True)
        raise
    finally:
        context.close()


def test_arabic_mirrors_at_360_px(browser: Any, language_server: str) -> None:
    """Right to left: text starts on the right, the notice bar and the "Why?" marker mirror; screenshot kept."""
    context = browser.new_context(viewport=PHONE, locale="ar")
    page = context.new_page()
    try:
        page.goto(language_server + "/")
        page.get_by_role("button", name=gettext("Start now – without registering", "ar")).click()
        page.get_by_role("button", name=gettext("I have read this – continue", "ar")).click()
        page.goto(language_server + "/onboarding/summary")
        page.get_by_role("button", name=gettext("Show my advice", "ar")).click()
        page.wait_for_url(re.compile(r"/advice"))
        heading = page.locator("main h1").bounding_box()
        main = page.locator("main").bounding_box()
        assert heading and main
        assert main["x"] + main["width"] - (heading["x"] + heading["width"]) < 40  # starts on the right
        marker = page.evaluate("getComputedStyle(document.querySelector('.card summary'), '::before').content")
        assert marker == '"\u25c2"'  # the closed "Why?" marker points left, along the reading direction
        notice = page.locator(".notice").first
        if notice.count():
            assert notice.evaluate("e => getComputedStyle(e).borderRightWidth") != "0px"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "arabic-advice-360.png"), full_page=True)
        page.goto(language_server + "/onboarding/time")
        page.get_by_label(gettext("Months without work", "ar")).fill("700")
        page.get_by_role("button", name=gettext("Save and continue", "ar")).click()
        error = page.locator(".error-message").first.bounding_box()
        field = page.locator(".field-error input").first.bounding_box()
        assert error and field and error["x"] + error["width"] > field["x"] + field["width"] - 40
        page.screenshot(path=str(ARTIFACTS / "arabic-onboarding-error-360.png"), full_page=True)
    finally:
        context.close()
