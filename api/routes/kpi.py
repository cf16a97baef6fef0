"""``GET /api/v1/kpi?period=2026-Q3``: the benchlearning figures of the token's Jobcenter (issue 20).

The same cells as ``lotse kpi export`` (docs/benchlearning.md): anonymous, cells under 10
people suppressed, Lotse's own figures and never the official § 48a SGB II indicators. For
an API token with ``kpi:read``; every call is in the decision log like every token use.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from api.auth.scopes import MachineClient, require_scope
from api.deps import SessionDep
from api.errors import problem_responses
from api.routes.schemas import KpiFigureOut, KpiReportOut
from models.errors import NotFoundError
from models.tables import Jobcenter
from recommender.evaluate.kpi import SCHEMA_VERSION, Period, compute_kpis

router = APIRouter(tags=["integration"], responses=problem_responses(401, 403, 422, 429))
KpiClient = Annotated[MachineClient, require_scope("kpi:read")]


@router.get("/kpi", response_model=KpiReportOut)
def read_kpi(
    client: KpiClient,
    session: SessionDep,
    period: Annotated[str | None, Query(pattern=r"^\d{4}-Q[1-4]$", examples=["2026-Q3"],
                                        description="A quarter; none: the last complete quarter.")] = None,
) -> KpiReportOut:
    """Every benchlearning figure of the token's Jobcenter for the quarter."""
    quarter = Period.parse(period) if period else Period.last_complete()
    center = session.get(Jobcenter, client.jobcenter_id)
    if center is None:  # a token outlives no Jobcenter (foreign key); kept for the type checker
        raise NotFoundError("the token's Jobcenter does not exist")
    code = center.code
    rows = compute_kpis(session, jobcenter_code=code, period=quarter)
    return KpiReportOut(schema_version=SCHEMA_VERSION, jobcenter=code, period=str(quarter),
                        figures=[KpiFigureOut(team=r.team, indicator=r.indicator, module=r.module, value=r.value,
                                              people=r.people, status=r.status) for r in rows])
