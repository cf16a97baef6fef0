"""Every language's message catalogue is complete and safe, and a missing text shows German.

The catalogues of uk, ar, tr and ru are written by translators on their own branches; a test for a
language whose ``messages.po`` is not there yet is skipped (the language is then not offered at all),
and fails as soon as the file is there with one msgid empty, fuzzy, missing or with other placeholders.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Message
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from api.i18n import (
    LANGUAGES_FILE,
    SHIPPED_LOCALE_DIR,
    format_date,
    format_euro,
    format_number,
    get_translations,
    gettext,
    languages,
    offered_locales,
    parse_accept_language,
    reset_translations,
)
from data.languages import LOCALES, SOURCE_LOCALES, localise
from recommender.decide.features import ALLOWED_FEATURES
from recommender.decide.reasons import reason_sentence
from tests.frontend.seeker_util import post_form
from tests.pseudo_locale import pseudo, write_pseudo_catalogue

ROOT = Path(__file__).resolve().parents[2]
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def _catalogue(locale: str) -> list[Message]:
    path = SHIPPED_LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        assert locale not in SOURCE_LOCALES, f"{path} is missing"
        pytest.skip(f"no {locale} catalogue yet (translators' branch)")
    with path.open("rb") as handle:
        return [m for m in read_po(handle, locale=locale) if m.id]


def _ids(messages: list[Message]) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in messages}


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_is_in_the_catalogue_translated_and_not_fuzzy(locale: str) -> None:
    messages = _catalogue(locale)
    with (SHIPPED_LOCALE_DIR / "messages.pot").open("rb") as handle:
        expected = _ids([m for m in read_po(handle) if m.id])
    missing = sorted(expected - _ids(messages))
    assert missing == [], f"{len(missing)} msgid(s) not in {locale}, e.g. {missing[:5]}"
    empty = [m.id for m in messages if not m.string or (isinstance(m.string, tuple) and not all(m.string))]
    assert empty == [], f"{len(empty)} untranslated in {locale}, e.g. {empty[:5]}"
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {locale}, e.g. {fuzzy[:5]}"


@pytest.mark.parametrize("locale", LOCALES)
def test_placeholders_are_the_same_as_in_the_msgid(locale: str) -> None:
    wrong = []
    for message in _catalogue(locale):
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        expected = sorted(_PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            found = sorted(_PLACEHOLDER.findall(text or ""))
            # A plural form may leave the number out ("one application"), never add or rename one.
            if text and found != expected and not (len(ids) > 1 and set(found) <= set(expected)):
                wrong.append((ids[0], text))
    assert wrong == [], f"{len(wrong)} placeholder mismatch(es) in {locale}, e.g. {wrong[:3]}"


def test_placeholder_check_catches_a_renamed_placeholder() -> None:
    assert sorted(_PLACEHOLDER.findall("Step %(number)s of %(total)s")) != sorted(
        _PLACEHOLDER.findall("Schritt %(nummer)s von %(total)s"))


def test_every_known_language_has_its_own_name_direction_and_status() -> None:
    infos = languages()
    assert list(infos) == list(LOCALES)
    assert {code: info.name for code, info in infos.items()} == {
        "de": "Deutsch", "en": "English", "uk": "Українська", "ar": "العربية", "tr": "Türkçe", "ru": "Русский"}
    assert [code for code, info in infos.items() if info.direction == "rtl"] == ["ar"]
    assert all(info.status == "reviewed" or info.reviewer is None for info in infos.values())


def test_docs_translations_table_matches_the_languages_file() -> None:
    """docs/translations.md shows each language's status, reviewer and date exactly as the app reads them."""
    text = (ROOT / "docs" / "translations.md").read_text(encoding="utf-8")
    rows = {cells[0].strip("` "): [c.strip() for c in cells[1:]] for line in text.splitlines()
            if line.startswith("| `") and len(cells := line.strip("|").split("|")) >= 5}
    for code, info in languages().items():
        assert code in rows, f"docs/translations.md has no row for {code}"
        name, status, reviewer, day = rows[code][:4]
        assert name == info.name and status == info.status, (code, rows[code])
        assert reviewer == (info.reviewer or "–") and day == (info.date.isoformat() if info.date else "–")
    assert LANGUAGES_FILE.name in text


# --- a pseudo-locale (SYNTHETIC pseudo-Arabic) stands in for a translation that is not there yet ---


@pytest.fixture
def pseudo_arabic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Catalogues de, en and a pseudo-Arabic ``ar`` whose first 3 msgids are untranslated."""
    folder = tmp_path / "locales"
    for code in SOURCE_LOCALES:
        shutil.copytree(SHIPPED_LOCALE_DIR / code, folder / code)
    write_pseudo_catalogue(folder, "ar", skip=3)
    monkeypatch.setenv("LOTSE_LOCALE_DIR", str(folder))
    reset_translations()
    yield folder
    monkeypatch.delenv("LOTSE_LOCALE_DIR")
    reset_translations()


def test_a_language_without_catalogue_is_not_offered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "locales"
    for code in SOURCE_LOCALES:
        shutil.copytree(SHIPPED_LOCALE_DIR / code, folder / code)
    monkeypatch.setenv("LOTSE_LOCALE_DIR", str(folder))
    reset_translations()
    try:
        assert offered_locales() == ("de", "en")
        assert parse_accept_language("uk-UA,uk;q=0.9,en;q=0.5") == "en"
    finally:
        monkeypatch.delenv("LOTSE_LOCALE_DIR")
        reset_translations()


def test_pseudo_arabic_is_offered_right_to_left_from_accept_language(pseudo_arabic: Path,
                                                                     client: TestClient) -> None:
    assert offered_locales() == ("de", "en", "ar")
    html = client.get("/", headers={"Accept-Language": "ar-SY,ar;q=0.9"}).text
    assert '<html lang="ar" dir="rtl">' in html
    assert pseudo("Welcome to Lotse") in html
    # The switch names every language in its own script and says, in Arabic, that Arabic is unreviewed.
    assert 'lang="ar" dir="rtl"' in html and "العربية" in html and "Deutsch" in html
    assert pseudo("not yet reviewed by a native speaker") in html


def test_a_missing_or_fuzzy_text_falls_back_to_german_not_english(pseudo_arabic: Path) -> None:
    with (pseudo_arabic / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        first_empty = next(m.id for m in read_po(handle) if m.id and not m.string and isinstance(m.id, str))
    assert gettext(first_empty, "ar") == gettext(first_empty, "de")
    assert gettext("My data", "ar") == pseudo("My data")
    # Texts the recommender writes as German/English pairs: the English text is the msgid.
    assert localise("Tipp Ihrer Ansprechperson", "A tip from your counsellor", "ar") == pseudo(
        "A tip from your counsellor")
    assert localise("Nur deutsch", "Not in any catalogue", "ar") == "Nur deutsch"


def test_the_choice_is_remembered_and_a_legal_page_links_the_binding_german(pseudo_arabic: Path,
                                                                            client: TestClient) -> None:
    response = post_form(client, "/", "/language", {"locale": "ar", "next": "/about-ai"})
    assert response.headers["location"] == "/about-ai"
    assert response.cookies.get("lotse_locale") == "ar"
    page = client.get("/about-ai").text
    assert '<html lang="ar" dir="rtl">' in page
    assert pseudo("This is a translation. Only the German version is legally binding.") in page
    assert 'href="/about-ai?lang=de" hreflang="de"' in page
    german = client.get("/about-ai?lang=de").text
    assert '<html lang="de" dir="ltr">' in german and "rechtlich verbindlich" not in german
    assert '<html lang="ar" dir="rtl">' in client.get("/about-ai").text  # ?lang= did not change the choice


def test_an_unknown_language_choice_falls_back_to_german(client: TestClient) -> None:
    post_form(client, "/", "/language", {"locale": "xx", "next": "/"})
    assert '<html lang="de" dir="ltr">' in client.get("/").text


@pytest.mark.parametrize(("locale", "number", "euro", "day"), [
    ("ar", "1,234.5", "\u200f2,500.00\xa0€", "01\u200f/03\u200f/2026"),
    ("uk", "1\xa0234,5", "2\xa0500,00\xa0EUR", "1 бер. 2026\u202fр."),
    ("tr", "1.234,5", "€2.500,00", "1 Mar 2026"),
    ("ru", "1\xa0234,5", "2\xa0500,00\xa0€", "1 мар. 2026\u202fг."),
])
def test_numbers_money_and_dates_follow_each_language(locale: str, number: str, euro: str, day: str) -> None:
    assert format_number(1234.5, locale) == number
    assert format_euro(2500, locale) == euro
    assert format_date(date(2026, 3, 1), locale) == day


def test_logged_reason_sentences_with_numbers_are_translated_by_their_template(pseudo_arabic: Path) -> None:
    de, en = reason_sentence("applications_3m", 4.0)
    assert en == "You sent 4 applications in 3 months. This speaks for this tip."
    assert localise(de, en, "ar") == (pseudo("You sent %(n)s applications in 3 months.") % {"n": "4"}
                                      + " " + pseudo("This speaks for this tip."))
    # A value that is itself a msgid is translated too.
    assert localise("Ihr Lebenslauf ist uns nicht bekannt.", "We do not know your CV.", "ar") == (
        pseudo("We do not know %(what)s.") % {"what": pseudo("your CV")})
    # One sentence without translation: the whole reason in German, never half and half.
    assert localise("Satz eins. Satz zwei.", "You sent 4 applications in 3 months. Unknown sentence.", "ar") == (
        "Satz eins. Satz zwei.")


ONE = {  # a count of one, as the reason states it in German and English
    "months_unemployed": ("Sie suchen seit 1 Monat Arbeit.", "You have been looking for work for 1 month."),
    "applications_3m": ("Sie haben in 3 Monaten 1 Bewerbung geschrieben.", "You sent 1 application in 3 months."),
    "interviews_3m": ("Sie hatten in 3 Monaten 1 Vorstellungsgespräch.", "You had 1 job interview in 3 months."),
    "search_channel_count": ("Sie suchen auf 1 Weg.", "You search in 1 way."),
    "target_occupations_count": ("Sie suchen in 1 Beruf.", "You search in 1 job."),
}


@pytest.mark.parametrize("feature", sorted(ONE))
def test_a_count_of_one_reads_right_in_every_language(feature: str) -> None:
    """"Sie hatten in 3 Monaten 1 Vorstellungsgespräche" was shown as a reason; every language says 1 and 3."""
    one_de, one_en = reason_sentence(feature, 1.0)
    assert (one_de, one_en) == (f"{ONE[feature][0]} Das spricht für diesen Tipp.",
                                f"{ONE[feature][1]} This speaks for this tip.")
    for n in (1, 4):
        de, en = reason_sentence(feature, float(n))
        fact_en = en.removesuffix(" This speaks for this tip.")
        for locale in LOCALES:
            if locale in SOURCE_LOCALES:
                continue
            catalogue = get_translations(locale)
            expected = (catalogue.gettext(fact_en.replace(str(n), "%(n)s")) % {"n": n} + " "
                        + catalogue.gettext("This speaks for this tip."))
            assert localise(de, en, locale) == expected, locale


@pytest.mark.parametrize("locale", [code for code in LOCALES if code not in SOURCE_LOCALES])
def test_every_logged_reason_is_translated_whole_by_its_own_msgid(locale: str) -> None:
    """A reason read in Ukrainian, Arabic, ... is that language throughout: "You have been looking for
    work for 14 months." once matched "You have %(certificate)s." and came out as "<your school
    certificate>: been looking for work for 14 months."; the salary and vacancy sentences were German."""
    catalogue = _catalogue(locale)
    if not catalogue:
        pytest.skip(f"no {locale} catalogue")
    for feature in ALLOWED_FEATURES:
        for value in (0.0, 0.5, 1.0, 1.5, 3.0, 14.0, -0.5):
            de, en = reason_sentence(feature, value)
            text = localise(de, en, locale)
            assert text != de, (feature, value, text)  # not the German fallback
            assert not re.search(r"\b(been|looking|your|you|the|job|search)\b", text, re.IGNORECASE), (
                feature, value, text)
    # The diagnostic's evidence, and an English sentence no msgid was made for: that sentence whole
    # in German, never a label template filled with English words.
    assert localise("Sie suchen seit 14 Monaten.", "You have been looking for 14 months.", locale) == (
        get_translations(locale).gettext("You have been looking for %(months)s months.") % {"months": 14})
    assert localise("Sie suchen seit mindestens 5 Jahren.", "You have been looking for work for at least 5 years.",
                    locale) == "Sie suchen seit mindestens 5 Jahren."


def test_the_missing_answers_sentence_is_in_the_language_or_german(pseudo_arabic: Path) -> None:
    from recommender.decide.guardrails import missing_fields_message

    assert missing_fields_message(["target_occupation", "has_cv"], "ar") == (
        pseudo("Your advice gets better if you tell us: %(names)s.")
        % {"names": f"{pseudo('your target job')}, {pseudo('whether you have a CV')}"})
    assert missing_fields_message(["target_occupation"], "uk") == (  # no Ukrainian catalogue here: German
        "Ihre Tipps werden besser, wenn Sie uns das sagen: Ihr Zielberuf.")
