"""Leichte Sprache (easy German) for every advice item: ``data/catalogue/easy_german.yaml``.

Many job-seekers read German only a little, and Leichte Sprache is how German public bodies
reach them (BITV 2.0 § 4). Each module gets a title, short sentences with one idea each and the
hard words explained. The rules a machine can check are checked here, so a long sentence or a
forgotten module fails the tests instead of reaching a reader: one sentence per entry, at most
:data:`MAX_WORDS` words, every catalogue module covered, nothing for modules that do not exist,
and written for the current catalogue version (the advice may have changed since: *stale*).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from data.catalogue import Catalogue, CatalogueError, load_catalogue, yaml_line

EASY_GERMAN_FILE = Path(__file__).resolve().parent / "catalogue" / "easy_german.yaml"
MAX_WORDS = 14
MAX_TITLE_WORDS = 12
_SENTENCE_END = re.compile(r"[.!?]")
_LOCATED = "{file}, line {line}: {key}: {message}"
_log = logging.getLogger(__name__)


def _one_short_sentence(text: str, limit: int) -> str:
    words = len(text.split())
    if words > limit:
        raise ValueError(f"{words} words; Leichte Sprache keeps a sentence to {limit}: split it")
    inner = _SENTENCE_END.findall(text.rstrip(".!?"))
    if inner:
        raise ValueError("more than one sentence; write one idea per sentence, one sentence per entry")
    return text


class ExplainedWord(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    word: str = Field(min_length=1, max_length=60)
    meaning: str = Field(min_length=1, max_length=200)


class EasyText(BaseModel):
    """One advice item in Leichte Sprache."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    sentences: list[str] = Field(min_length=1)
    words: list[ExplainedWord] = Field(min_length=1)

    @field_validator("title")
    @classmethod
    def _short_title(cls, value: str) -> str:
        return _one_short_sentence(value, MAX_TITLE_WORDS)

    @field_validator("sentences")
    @classmethod
    def _short_sentences(cls, value: list[str]) -> list[str]:
        for number, sentence in enumerate(value, start=1):
            if not sentence.rstrip().endswith((".", "?", "!")):
                raise ValueError(f"sentence {number} does not end with . ? or !")
            try:
                _one_short_sentence(sentence, MAX_WORDS)
            except ValueError as exc:
                raise ValueError(f"sentence {number}: {exc}") from None
        return value


class PageWords(BaseModel):
    """The page's own German words, kept with the texts: they are content, not interface to translate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: str = Field(min_length=1)
    words_heading: str = Field(min_length=1)


class EasyGerman(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    source_version: str = Field(min_length=1)
    page: PageWords
    modules: dict[str, EasyText]


def parse_easy_german(text: str, catalogue: Catalogue, *, file: str = "<string>") -> EasyGerman:
    """Validate the Leichte Sprache file against *catalogue*; :class:`CatalogueError` names file, line, key."""
    try:
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{file}: not valid YAML: {exc}") from None
    try:
        easy = EasyGerman.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        raise CatalogueError(_LOCATED.format(file=file, line=yaml_line(node, loc), key=".".join(map(str, loc)),
                                             message=first["msg"].removeprefix("Value error, "))) from None
    faults: list[tuple[tuple[str, ...], str]] = []
    if easy.source_version != catalogue.version:
        faults.append((("source_version",), f"stale: written for catalogue {easy.source_version!r}, the catalogue "
                       f"is now {catalogue.version!r}; check the changed advice and update source_version"))
    faults += [(("modules", m), "unknown module id") for m in sorted(easy.modules.keys() - set(catalogue.ids))]
    faults += [(("modules", m), "missing: every advice item needs its Leichte Sprache")
               for m in catalogue.ids if m not in easy.modules]
    if faults:
        loc, message = faults[0]
        raise CatalogueError(_LOCATED.format(file=file, line=yaml_line(node, loc), key=".".join(loc), message=message))
    return easy


@lru_cache(maxsize=1)
def easy_german() -> EasyGerman:
    """The shipped Leichte Sprache texts, checked against the active catalogue."""
    return parse_easy_german(EASY_GERMAN_FILE.read_text(encoding="utf-8"), load_catalogue(), file=str(EASY_GERMAN_FILE))


def easy_texts() -> dict[str, EasyText]:
    """Every item's Leichte Sprache; empty (and logged) if the file does not validate, so no link leads nowhere.

    Like the catalogue, a fault in this file must never take the advice page down with it; the
    tests fail on it instead (``tests/data/test_easy_german.py``).
    """
    try:
        return easy_german().modules
    except CatalogueError as exc:
        _log.error("Leichte Sprache not shown: %s", exc)
        return {}


def easy_text(module_id: str) -> EasyText | None:
    """The Leichte Sprache of one advice item, or None for an id the file does not know."""
    return easy_texts().get(module_id)
