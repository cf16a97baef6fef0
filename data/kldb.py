"""The KldB 2010 (revised 2020) hierarchy: Berufsbereich (1 digit) down to Berufsgattung (5 digits).

Codes are strings, never integers: the military area starts with ``0`` and loses its
leading zeros as a number. The fifth digit of a Berufsgattung is the skill level
(Anforderungsniveau) 1 Helfer, 2 Fachkraft, 3 Spezialist, 4 Experte.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

KLDB_FILE = Path(__file__).resolve().parent / "reference" / "kldb2010.csv"

SKILL_LEVELS = {1: "Helfer", 2: "Fachkraft", 3: "Spezialist", 4: "Experte"}
LEVEL_NAMES = {1: "Berufsbereich", 2: "Berufshauptgruppe", 3: "Berufsgruppe", 4: "Berufsuntergruppe",
               5: "Berufsgattung"}
_CODE = re.compile(r"^\d{1,5}$")


@dataclass(frozen=True)
class Occupation:
    """One KldB position at any of the five levels.

    Attributes
    ----------
    code : str
        Zero-padded to the level width (``"01104"``, ``"621"``).
    level : int
        1 to 5 (number of digits).
    title, short_title : str
        Official German names.
    skill_level : int or None
        The 5th digit (1-4) for level 5, ``None`` above.
    parents : tuple of str
        Codes of the enclosing positions, broadest first (``("6", "62", "621", "6210")``).
    example_titles : tuple of str
        Official job titles (Berufsbenennungen) the BA files under this code (level 5 only).
    """

    code: str
    level: int
    title: str
    short_title: str
    skill_level: int | None
    parents: tuple[str, ...]
    example_titles: tuple[str, ...] = ()

    @property
    def skill_level_name(self) -> str | None:
        return SKILL_LEVELS.get(self.skill_level) if self.skill_level else None


@lru_cache(maxsize=1)
def load_kldb(path: Path = KLDB_FILE) -> dict[str, Occupation]:
    """Read the shipped KldB file once; return every position keyed by its code.

    Returns
    -------
    dict of str to Occupation
        2,195 positions (10 / 37 / 144 / 703 / 1,301 at levels 1-5).
    """
    out: dict[str, Occupation] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            code, level = row["code"], int(row["level"])
            examples = tuple(t for t in row["example_titles"].split(" | ") if t)
            out[code] = Occupation(
                code=code,
                level=level,
                title=row["title"],
                short_title=row["short_title"],
                skill_level=int(code[4]) if level == 5 else None,
                parents=tuple(code[:n] for n in range(1, level)),
                example_titles=examples,
            )
    return out


def get_occupation(code: str) -> Occupation | None:
    """Return the KldB position for *code* (1 to 5 digits), or ``None`` if it does not exist.

    Examples
    --------
    >>> get_occupation("62102").skill_level
    2
    """
    if not isinstance(code, str) or not _CODE.match(code):
        return None
    return load_kldb().get(code)


def is_valid_kldb5(code: str) -> bool:
    """True if *code* is an existing 5-digit Berufsgattung (``"81122"`` counts, ``"6210"`` does not)."""
    return isinstance(code, str) and len(code) == 5 and get_occupation(code) is not None


def is_well_formed_kldb(code: str) -> bool:
    """True if *code* looks like a KldB code (1-5 digits), whether or not it exists."""
    return isinstance(code, str) and bool(_CODE.match(code))


@lru_cache(maxsize=8)
def occupations_at_level(level: int) -> tuple[Occupation, ...]:
    """Kept once per level: the advice page asks for the 1,301 Berufsgattungen on every visit."""
    return tuple(occ for occ in load_kldb().values() if occ.level == level)
