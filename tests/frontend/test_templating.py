"""Job-seeker templates carry no hard-coded words: every visible text goes through gettext (G19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "frontend" / "templates"
MINE = ["base.html", "start.html", "error.html", *sorted(p.name for p in (TEMPLATES / "seeker").glob("*.html"))]
# Names and symbols that are the same in every language ("Leichte Sprache" links to German texts, marked lang="de").
ALLOWED = {"Lotse", "www.schlichtungsstelle-bgg.de", "Leichte", "Sprache"}


def _visible_words(source: str) -> list[str]:
    text = re.sub(r"{#.*?#}", " ", source, flags=re.S)
    text = re.sub(r"{%.*?%}", " ", text, flags=re.S)
    text = re.sub(r"{{.*?}}", " ", text, flags=re.S)
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", " ", text)
    return [w for w in re.findall(r"[A-Za-zÄÖÜäöüß][\w.\-]*", text) if w not in ALLOWED]


@pytest.mark.parametrize("name", MINE)
def test_template_has_no_untranslated_words(name: str) -> None:
    path = TEMPLATES / name if (TEMPLATES / name).exists() else TEMPLATES / "seeker" / name
    assert _visible_words(path.read_text(encoding="utf-8")) == []


def test_checker_finds_a_hard_coded_word() -> None:
    assert _visible_words('<p>{{ _("Hallo") }} Willkommen</p>') == ["Willkommen"]


PLAIN_TEXTS = ["_notice_text.html", "_objection_text.html", "about_ai.html", "easy_language.html"]


@pytest.mark.parametrize("locale", ["de", "en"])
@pytest.mark.parametrize("name", PLAIN_TEXTS)
def test_notice_sentences_have_at_most_20_words(name: str, locale: str) -> None:
    from api.i18n import gettext

    source = (TEMPLATES / "seeker" / name).read_text(encoding="utf-8")
    long = [sentence for msgid in re.findall(r'_\("([^"]+)"\)', source)
            for sentence in re.split(r"(?<=[.!?])\s+", gettext(msgid, locale)) if len(sentence.split()) > 20]
    assert long == []
