"""Occupations close to a target occupation, read off the KldB 2010 hierarchy.

Used by the advice "Suchen Sie auch in verwandten Berufen", which names a few concrete
occupations instead of only saying that related ones exist. The rule is the classification's
own notion of closeness, so a counsellor can check every suggestion against the KldB:

1. **Same Berufsgruppe.** Candidates are the Berufsgattungen (5 digits) that share the
   target's first three digits: the KldB groups occupations there by similar tasks and
   knowledge ("Berufsfachlichkeit"), so experience counts across them.
2. **Same skill level or one lower** (5th digit: 1 Helfer, 2 Fachkraft, 3 Spezialist,
   4 Experte). Never higher: that needs a qualification the person has not told us about.
3. **No supervisory or management jobs** (4th digit 9, "Aufsichts- und Führungskräfte"):
   they need leadership experience nobody asked about.
4. **Health limits respected.** For a person who must not lift heavy loads, occupations that
   :mod:`data.physical_demand` counts as physically demanding are left out.
5. **Order:** same Berufsuntergruppe (4 digits) first, then same skill level before the one
   below, then by code.
6. **Widening.** If the Berufsgruppe gives fewer than :data:`MIN_RELATED`, the same rules are
   applied to the Berufshauptgruppe (2 digits) and those occupations are added, marked as
   less close.

At most :data:`MAX_RELATED` are returned. ESCO/ISCO neighbours are not used: the only
KldB-ISCO crosswalk at hand may not be shipped (``data/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from data.kldb import Occupation, get_occupation, occupations_at_level
from data.physical_demand import physically_demanding

MIN_RELATED = 3
MAX_RELATED = 5
SUPERVISORY_DIGIT = "9"
Closeness = Literal["berufsuntergruppe", "berufsgruppe", "berufshauptgruppe"]


@dataclass(frozen=True)
class RelatedOccupation:
    """One occupation close to the target, and how close (the KldB level both share)."""

    occupation: Occupation
    closeness: Closeness


def _candidates(target: Occupation, prefix: str, *, avoid_heavy_work: bool) -> list[Occupation]:
    level = target.skill_level or 0
    return [
        occ for occ in occupations_at_level(5)
        if occ.code.startswith(prefix) and occ.code != target.code
        and occ.skill_level in (level, level - 1)
        and occ.code[3] != SUPERVISORY_DIGIT
        and not (avoid_heavy_work and physically_demanding(occ.code))
    ]


def _closeness(target: Occupation, occ: Occupation) -> Closeness:
    if occ.code[:4] == target.code[:4]:
        return "berufsuntergruppe"
    return "berufsgruppe" if occ.code[:3] == target.code[:3] else "berufshauptgruppe"


def related_occupations(kldb5: str, *, avoid_heavy_work: bool = False) -> list[RelatedOccupation]:
    """Up to :data:`MAX_RELATED` occupations close to *kldb5*, by the rule in the module docstring.

    Parameters
    ----------
    kldb5 : str
        The target Berufsgattung (5 digits).
    avoid_heavy_work : bool, default False
        Leave out physically demanding occupations (the person must not lift heavy loads).

    Returns
    -------
    list of RelatedOccupation
        Closest first; empty for an unknown code.

    Examples
    --------
    >>> [r.occupation.code for r in related_occupations("62102")][:2]
    ['62101', '62112']
    """
    return list(_related(kldb5, avoid_heavy_work))


@lru_cache(maxsize=4096)
def _related(kldb5: str, avoid_heavy_work: bool) -> tuple[RelatedOccupation, ...]:
    """The answer depends only on the shipped classification, so each is worked out once per process."""
    target = get_occupation(kldb5)
    if target is None or target.level != 5:
        return ()

    def order(occ: Occupation) -> tuple[int, int, str]:
        return (occ.code[:4] != target.code[:4], occ.skill_level != target.skill_level, occ.code)

    chosen = sorted(_candidates(target, kldb5[:3], avoid_heavy_work=avoid_heavy_work), key=order)
    if len(chosen) < MIN_RELATED:
        wider = [occ for occ in _candidates(target, kldb5[:2], avoid_heavy_work=avoid_heavy_work)
                 if occ.code[:3] != kldb5[:3]]
        chosen += sorted(wider, key=order)
    return tuple(RelatedOccupation(occ, _closeness(target, occ)) for occ in chosen[:MAX_RELATED])
