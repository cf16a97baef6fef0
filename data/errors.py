"""Domain errors of the reference-data layer; messages are module constants tests can import.

Each derives from ``ReferenceDataError`` and from its kind in ``models/errors.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.errors import InvalidError, LotseError


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong with an input file, located so a person can find and fix it."""

    file: str
    line: int | None  # None for a JSON record, which ``column`` then locates by its JSON path
    column: str
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}, {self.column}: {self.message}"
        return f"{self.file}, line {self.line}, column {self.column!r}: {self.message}"


class ReferenceDataError(LotseError):
    """Base class of every error raised by ``data``."""


class ImportFileError(ReferenceDataError, InvalidError):
    """An import file cannot be used; ``problems`` names file, line and column of each fault."""

    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        shown = "\n".join(str(problem) for problem in problems[:20])
        more = f"\n... and {len(problems) - 20} more problems" if len(problems) > 20 else ""
        super().__init__(f"{len(problems)} problem(s), nothing was imported:\n{shown}{more}")


