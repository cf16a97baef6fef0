"""Crowding monitor (G17): too many job-seekers of one region and occupation sent the same way.

Altmann, Glenny, Mahlstedt & Sebald (IZA DP 15830, 2022) found that advice which helped when
fewer than half of the job-seekers got it lost its effect near full roll-out: treated people
crowded each other out of the same vacancies. So for the modules that steer people towards the
same jobs, this report counts, per Kreis x occupation group (KldB 3-digit), how many people got
the module among their top suggestions, as a share of the cell and against the cell's vacancies.
Cells with fewer than ``min_people`` people are not reported (aggregate monitoring only).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from data.market import get_market_indicators
from models.tables import Decision, DecisionItem, ProfileSnapshot

# Modules that point people at the same vacancies (generic help such as a CV check does not crowd).
CROWDING_MODULES = frozenset(
    {"broaden_occupations", "broaden_radius", "shortage_occupations", "spontaneous_applications",
     "temporary_agency_work"}
)
CROWDING_CAP = 0.5  # IZA DP 15830: gains held where fewer than half were treated
MIN_PEOPLE = 20
TOP_K = 3


@dataclass(frozen=True)
class CrowdingCell:
    region_ags: str
    occupation_group: str
    module_id: str
    people: int
    suggested: int
    vacancies: int | None
    illustrative_vacancies: bool

    @property
    def share(self) -> float:
        return self.suggested / self.people

    @property
    def alert(self) -> bool:
        """Over the cap, and more people sent than there are vacancies (when vacancies are known)."""
        over_vacancies = self.vacancies is None or self.suggested > self.vacancies
        return self.share > CROWDING_CAP and over_vacancies


def crowding_report(
    session: Session, *, since: datetime, min_people: int = MIN_PEOPLE, top_k: int = TOP_K
) -> list[CrowdingCell]:
    """One row per reported cell and crowding-prone module, most crowded first.

    Parameters
    ----------
    since : datetime
        Only decisions made since then count (e.g. the last 30 days).
    min_people : int, default=20
        Cells with fewer distinct people are suppressed.
    """
    rows = session.exec(
        select(Decision.job_seeker_id, ProfileSnapshot.payload, DecisionItem.module_id, DecisionItem.rank)
        .join(ProfileSnapshot, col(ProfileSnapshot.id) == Decision.snapshot_id)
        .join(DecisionItem, col(DecisionItem.decision_id) == Decision.id)
        .where(col(Decision.created_at) >= since)
    ).all()
    people: dict[tuple[str, str], set[int]] = defaultdict(set)
    suggested: dict[tuple[str, str, str], set[int]] = defaultdict(set)
    for job_seeker_id, payload, module_id, rank in rows:
        region, occupation = payload.get("region_ags"), payload.get("target_occupation")
        if not region or not occupation:
            continue  # purged or unanswered: no cell to count in
        cell = (region, occupation[:3])
        people[cell].add(job_seeker_id)
        if module_id in CROWDING_MODULES and rank <= top_k:
            suggested[(*cell, module_id)].add(job_seeker_id)
    report = []
    for (region, group, module_id), who in suggested.items():
        total = len(people[(region, group)])
        if total < min_people:
            continue
        market = get_market_indicators(session=session, kldb5=group, ags=region)
        if market is not None and market.ags != region:
            market = None  # national figures say nothing about this Kreis's vacancies
        report.append(CrowdingCell(region, group, module_id, total, len(who),
                                   market.vacancies if market else None,
                                   market.illustrative if market else False))
    return sorted(report, key=lambda c: (-c.share, c.region_ags, c.occupation_group, c.module_id))
