"""Errors every casework action raises on bad input, and the text check they share.

Messages are module constants so tests (and the pages) can compare against them exactly.
"""

from __future__ import annotations

from models.errors import ConflictError, InvalidError, NotFoundError
from recommender.errors import RecommenderError

TEXT_MISSING = "Please enter the text."
TEXT_TOO_LONG = "The text has {given} characters; at most {maximum} are allowed."


class ReviewError(RecommenderError, InvalidError):
    """Bad input for a review action (answered 422; nothing changed)."""


class ReviewConflict(RecommenderError, ConflictError):
    """The item changed since the counsellor loaded it (answered 409; nothing changed)."""


class ReviewNotFound(RecommenderError, NotFoundError):
    """The item or decision is not part of this case (answered 404)."""

def clean_text(text: str | None) -> str:
    """*text* without surrounding white space; ``None`` counts as empty."""
    return (text or "").strip()


def checked_text(text: str | None, *, maximum: int) -> str:
    """The cleaned *text*, or :class:`ReviewError` if it is empty or longer than *maximum*."""
    body = clean_text(text)
    if not body:
        raise ReviewError(TEXT_MISSING)
    if len(body) > maximum:
        raise ReviewError(TEXT_TOO_LONG.format(given=len(body), maximum=maximum))
    return body
