"""Regions (Kreise by AGS): autocomplete by name or AGS prefix, and one Kreis."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from api.auth.policy import PUBLIC
from api.errors import problem_responses
from api.routes.occupations import QUERY_MAX, field_problem
from api.routes.schemas import RegionSuggestions
from data.regions import Region, get_region, is_well_formed_ags, search_regions
from models.schemas import AGS_PATTERN

router = APIRouter(prefix="/regions", tags=["regions"], dependencies=[PUBLIC], responses=problem_responses(422))

_BLANK_QUERY = "q: the query is blank; type part of a Kreis name or the start of its AGS"
_MALFORMED_AGS = "ags: {value!r} is not a Kreis code; expected 5 digits, e.g. 09362"
_UNKNOWN_AGS = "ags: {value!r} is not a known Kreis"


@router.get("/suggest", response_model=RegionSuggestions)
def suggest_regions(
    request: Request, q: Annotated[str, Query(min_length=1, max_length=QUERY_MAX)]
) -> Any:
    """Up to 10 Kreise whose name starts with or contains *q*, or whose AGS starts with it."""
    if not q.strip():
        return field_problem(422, "q", _BLANK_QUERY, request)
    return {"query": q, "regions": search_regions(q, limit=10)}


@router.get("/{ags}", response_model=Region, responses=problem_responses(404))
def read_region(request: Request, ags: Annotated[str, Path(json_schema_extra={"pattern": AGS_PATTERN})]) -> Any:
    """One Kreis by its 5-digit AGS."""
    if not is_well_formed_ags(ags):
        return field_problem(422, "ags", _MALFORMED_AGS.format(value=ags), request)
    region = get_region(ags)
    if region is None:
        return field_problem(404, "ags", _UNKNOWN_AGS.format(value=ags), request)
    return region
