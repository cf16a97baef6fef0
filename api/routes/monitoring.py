"""Team-level review statistics for team leads (never per counsellor, small groups suppressed)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from api.auth.deps import TeamLeadUser
from api.deps import SessionDep
from api.errors import problem, problem_responses
from api.routes.schemas import TeamReportOut
from recommender.evaluate.monitoring import GROUPINGS, team_report

router = APIRouter(prefix="/monitoring", tags=["monitoring"], responses=problem_responses(401, 403, 404, 422))
NO_TEAM = "Your account belongs to no team, so there are no team statistics."


@router.get("/team", response_model=TeamReportOut)
def read_team_statistics(
    user: TeamLeadUser,
    session: SessionDep,
    request: Request,
    # Declared as an enum in OpenAPI; "counsellor" and the like get the explaining 422.
    group_by: Annotated[str, Query(max_length=40, json_schema_extra={"enum": list(GROUPINGS)})] = "module",
    days: Annotated[int, Query(ge=1, le=730)] = 90,
) -> Any:
    """Approval, edit and rejection rates, time to review and volume by module or model version."""
    if user.team_id is None:
        return problem(404, NO_TEAM, request=request)
    report = team_report(session, team_id=user.team_id, group_by=group_by, days=days)
    data = asdict(report)
    data["since"] = report.since.isoformat()
    return data
