"""Find official job titles from what a person types: whole words, gender forms, umlauts, English.

The onboarding field suggests titles while the person types, so a search must work for the
first letters ("Verkäu") *and* for the whole word as people write it ("Verkäuferin",
"Verkaeuferin", "Kassiererin"), although the official titles read "Verkäufer/in" and
"Kassierer/in". Each official title is therefore searched in all its written forms (with
"/in", as "-in", without it; "-mann/-frau" as either), with umlauts folded. A common English
title ("shop assistant") leads to the German title it means (``data/english_titles.py``). A
typo at the end ("Verkäuferinn") is forgiven by shortening the query letter by letter.
"""

from __future__ import annotations

import re
from functools import lru_cache

from data.english_titles import english_titles
from data.kldb import occupations_at_level

MIN_QUERY = 2
MIN_ENGLISH_PREFIX = 3
MIN_SHORTENED = 5  # shortening a query for typos stops at this many letters
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_MANN_FRAU = re.compile(r"(\w*)mann/-frau")


def fold(text: str) -> str:
    """Lower case, umlauts written out, single spaces: "Verkäuferin " -> "verkaeuferin"."""
    return " ".join(text.casefold().translate(_UMLAUTS).split())


def written_forms(title: str) -> tuple[str, ...]:
    """Every way a person may write an official title, folded."""
    folded = fold(title)
    forms = {folded, folded.replace("/in", "in"), folded.replace("/in", "")}
    forms |= {_MANN_FRAU.sub(r"\1mann", f) for f in list(forms)} | {_MANN_FRAU.sub(r"\1frau", f) for f in list(forms)}
    return tuple(sorted(forms, key=len))


@lru_cache(maxsize=1)
def official_titles() -> tuple[tuple[tuple[str, ...], str, str], ...]:
    """(written forms, KldB code, display name) for every official title of every Berufsgattung."""
    return tuple(
        (written_forms(name), occupation.code, name)
        for occupation in occupations_at_level(5)
        for name in (*occupation.example_titles, occupation.short_title)
    )


def exact_english_title(query: str) -> str | None:
    """The official German title a whole English title means ("cashier" -> "Kassierer/in"), else None."""
    folded = fold(query)
    return next((german for english, german in english_titles() if english == folded), None)


def german_for_english(query: str) -> list[str]:
    """Official German titles meant by an English title the query is (the start of)."""
    folded = fold(query)
    if len(folded) < MIN_QUERY:
        return []
    exact = [german for english, german in english_titles() if english == folded]
    starts = [german for english, german in english_titles()
              if len(folded) >= MIN_ENGLISH_PREFIX and english.startswith(folded) and german not in exact]
    return list(dict.fromkeys(exact + starts))


def _search(folded: str) -> list[tuple[str, str]]:
    starts, words, inside = [], [], []
    for forms, code, display in official_titles():
        if any(form.startswith(folded) for form in forms):
            starts.append((len(display), code, display))
        elif any(f" {folded}" in form or f"-{folded}" in form for form in forms):
            words.append((len(display), code, display))
        elif any(folded in form for form in forms):
            inside.append((len(display), code, display))
    return [(code, display) for _length, code, display in sorted(starts) + sorted(words) + sorted(inside)]


def suggest_titles(query: str, *, limit: int = 8) -> list[tuple[str, str]]:
    """Official titles for *query*: (KldB code, title), English meaning first, then word starts, shortest first."""
    folded = fold(query)[:100]
    if len(folded) < MIN_QUERY:
        return []
    meant = german_for_english(query)
    hits = [hit for german in meant for hit in _search(fold(german))[:1]]
    whole = exact_english_title(query)
    if whole:
        folded = fold(whole)  # a whole English title: its German title's variants, not English letters
    found = _search(folded)
    while not found and len(folded) > MIN_SHORTENED:
        folded = folded[:-1]
        found = _search(folded)
    seen: set[str] = set()
    out: list[tuple[str, str]] = []
    for code, display in hits + found:
        if display not in seen:
            seen.add(display)
            out.append((code, display))
        if len(out) >= limit:
            break
    return out


def exact_title_code(text: str) -> str | None:
    """The KldB code of the official title *text* is a written form of (or of its English meaning)."""
    folded = fold(text)
    for forms, code, _display in official_titles():
        if folded in forms:
            return code
    meant = exact_english_title(text)
    return exact_title_code(meant) if meant else None
