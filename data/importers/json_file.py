"""Reading a JSON import file defensively: nesting depth, huge numbers and syntax errors are located.

``json.loads`` recurses per nesting level and converts every integer, so a hostile file can end
in ``RecursionError`` or a ``ValueError`` about digit limits instead of a message a person can
act on. The depth is checked first by a flat scan; oversized integers become ``HugeNumber``
values, which no record model accepts, so they are reported at their JSON path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data.errors import ImportFileError, RowProblem
from data.importers.base import read_text

MAX_DEPTH = 64  # real API responses nest about 5 levels
MAX_INTEGER_DIGITS = 30
_NOT_JSON = "not valid JSON: {error}"
_TOO_DEEP = "arrays/objects are nested more than {limit} levels deep; no Jobsuche response is"


@dataclass(frozen=True)
class HugeNumber:
    """An integer literal too long to be a real value; no field accepts it, so validation names its path."""

    literal: str


def _integer(literal: str) -> int | HugeNumber:
    return HugeNumber(literal) if len(literal) > MAX_INTEGER_DIGITS else int(literal)


def _too_deep_at(text: str) -> int | None:
    """Offset of the first bracket that opens level ``MAX_DEPTH + 1``, ignoring brackets in strings."""
    depth = 0
    in_string = escaped = False
    for offset, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return offset
        elif char in "]}":
            depth -= 1
    return None


def read_json(path: Path) -> Any:
    """The parsed document; an ImportFileError with line and column for anything unreadable."""
    name = str(path)
    text = read_text(path)
    deep = _too_deep_at(text)
    if deep is not None:
        line = text.count("\n", 0, deep) + 1
        column = deep - (text.rfind("\n", 0, deep) + 1) + 1
        raise ImportFileError([RowProblem(name, line, f"char {column}", _TOO_DEEP.format(limit=MAX_DEPTH))])
    try:
        return json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as exc:
        problem = RowProblem(name, exc.lineno, f"char {exc.colno}", _NOT_JSON.format(error=exc.msg))
        raise ImportFileError([problem]) from None
