"""Our Jobcenter's benchlearning figures beside the other Jobcenters' imported ones.

Only Jobcenter-wide rows are compared (team rows stay inside their own Jobcenter). Our figures
are computed live; theirs come from their latest imported file for the quarter.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from recommender.evaluate.kpi import ALL_TEAMS, BY_NAME, Indicator, KpiRow, Period, compute_kpis
from recommender.evaluate.kpi_file import imported_rows


@dataclass(frozen=True)
class Entry:
    jobcenter: str
    own: bool
    value: float | None
    people: int | None
    status: str


@dataclass(frozen=True)
class Comparison:
    indicator: Indicator
    module: str
    entries: list[Entry]

    @property
    def has_figures(self) -> bool:
        return any(e.value is not None for e in self.entries)


def compare(session: Session, *, jobcenter_code: str, period: Period) -> list[Comparison]:
    """One comparison per indicator (and module), ours first, then the others by code."""
    own = [r for r in compute_kpis(session, jobcenter_code=jobcenter_code, period=period) if r.team == ALL_TEAMS]
    others = [r for r in imported_rows(session, period=str(period)) if r.team == ALL_TEAMS]
    cells: dict[tuple[str, str], list[Entry]] = {}
    for row, is_own in [*((r, True) for r in own), *((r, False) for r in others)]:
        cells.setdefault((row.indicator, row.module), []).append(_entry(row, is_own))
    order = {name: n for n, name in enumerate(BY_NAME)}
    keys = sorted(cells, key=lambda key: (order[key[0]], key[1]))
    return [Comparison(BY_NAME[indicator], module, cells[(indicator, module)]) for indicator, module in keys]


def _entry(row: KpiRow, own: bool) -> Entry:
    return Entry(row.jobcenter, own, row.value, row.people, row.status)


def others_known(session: Session, *, period: Period) -> list[str]:
    """Codes of the Jobcenters whose figures for *period* were imported."""
    return sorted({r.jobcenter for r in imported_rows(session, period=str(period))})
