"""The kinds of error a person can meet, defined once at the lowest layer so every layer shares them.

``models``, ``data`` and ``recommender`` raise subclasses of these; the JSON API
(``api/errors.py``) and the pages (``frontend/errors.py``) register one handler per kind, so a
route never maps an exception to a status code itself. A domain error that derives from none of
the four kinds (a corrupted model file, a misconfigured database) is an internal fault: it
answers 500 and is logged.

Each kind also derives from the built-in exception callers caught before this hierarchy existed
(``LookupError``, ``ValueError``), so no ``except`` elsewhere changes meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any, Protocol

MISSING_ID = "{kind} has no id yet: it must be flushed to the database before its id is used."


class LotseError(Exception):
    """Base class of every error Lotse raises on purpose."""

    #: True when the raiser appended a trace to the caller's session (``access_denied``) that must be
    #: committed although the request fails; the request's session commits it instead of rolling back.
    commit_trace: bool = False


class NotFoundError(LotseError, LookupError):
    """What was asked for does not exist for this person (answered 404)."""


class ConflictError(LotseError):
    """The thing changed since the person loaded it, or is in a state that forbids the change (409)."""


class InvalidError(LotseError, ValueError):
    """Input or state the person can fix; nothing was changed (answered 422)."""


class ForbiddenError(LotseError):
    """The person is known but may not do this (answered 403)."""


class TooLargeError(LotseError):
    """More was sent at once than the configured limit allows; nothing was written (answered 413)."""


@dataclass(frozen=True)
class LineProblem:
    """One problem in one line of an uploaded file: *message* is an English msgid with ``%(name)s`` slots.

    *validation* carries the pydantic error (type, loc, ctx) when pydantic found the problem, so
    the API can word it like every other validation error, in the reader's language.
    """

    line: int
    field: str
    message: str
    values: dict[str, str] = dc_field(default_factory=dict)
    validation: dict[str, Any] | None = None


class LineProblems(LotseError):
    """Mixin for an error that names each of several problems by line and field (``problems``)."""

    def __init__(self, summary: str, problems: list[LineProblem]) -> None:
        super().__init__(summary)
        self.problems = problems


class MissingIdError(LotseError):
    """A row was used by id before the database gave it one: a programming fault, never user input."""


class _Row(Protocol):
    @property
    def id(self) -> int | None: ...


def require_id(row: _Row) -> int:
    """The database id of *row*, narrowed to ``int``; raises :class:`MissingIdError` if it is unset.

    Replaces ``assert row.id is not None``, which ``python -O`` strips.
    """
    if row.id is None:
        raise MissingIdError(MISSING_ID.format(kind=type(row).__name__))
    return row.id
