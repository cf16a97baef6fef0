"""Occupations (KldB 2010): autocomplete for onboarding and one occupation with its context."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from api.auth.policy import PUBLIC
from api.deps import SessionDep, SettingsDep
from api.errors import problem, problem_responses
from api.routes.schemas import OccupationOut, OccupationSuggestions
from data.imported import use_var_dir
from data.isco import isco_codes
from data.kldb import LEVEL_NAMES, get_occupation, is_well_formed_kldb
from data.market import get_market_indicators
from data.regions import get_region, is_well_formed_ags
from data.wages import get_wage
from models.schemas import AGS_PATTERN
from recommender.occupations.classifier import assess_title
from recommender.occupations.title_search import exact_english_title

router = APIRouter(prefix="/occupations", tags=["occupations"], dependencies=[PUBLIC],
                   responses=problem_responses(422))

QUERY_MAX = 200
_BLANK_QUERY = "q: the query is blank; type at least one letter of a job title"
_MALFORMED_KLDB = "kldb: {value!r} is not a KldB 2010 code; expected 1 to 5 digits, e.g. 62102"
_UNKNOWN_KLDB = "kldb: {value!r} does not exist in the KldB 2010 (revised 2020)"
_MALFORMED_AGS = "ags: {value!r} is not a Kreis code; expected 5 digits, e.g. 09362"
_UNKNOWN_AGS = "ags: {value!r} is not a known Kreis"
ILLUSTRATIVE_NOTE = "Illustrative figures, not official statistics; an operator import replaces them."

QueryText = Annotated[str, Query(min_length=1, max_length=QUERY_MAX, description="Job title as typed")]


def field_problem(status: int, field: str, message: str, request: Request) -> JSONResponse:
    return problem(status, message, request=request, errors=[{"field": field, "message": message}])


@router.get("/suggest", response_model=OccupationSuggestions)
def suggest_occupation_codes(request: Request, q: QueryText) -> Any:
    """Top 10 KldB 5-digit occupations for a typed job title (typo- and gender-form tolerant)."""
    if not q.strip():
        return field_problem(422, "q", _BLANK_QUERY, request)
    meant = exact_english_title(q)  # "cashier" -> "Kassierer/in": the classifier knows German titles
    assessment = assess_title(meant or q, k=10)
    suggestions = assessment.suggestions
    return {
        "query": q, "chance_first_right": round(assessment.chance_right, 4), "unsure": assessment.unsure,
        "suggestions": [
            {"code": s.code, "title": s.title, "short_title": s.short_title, "confidence": round(s.confidence, 4),
             "skill_level": int(s.code[4]), "matched_by": s.matched_by}
            for s in suggestions
        ],
    }


def _wage_block(code: str) -> dict[str, Any] | None:
    wage = get_wage(code) if len(code) == 5 else None
    if wage is None:
        return None
    return {"median_eur": wage.median_eur, "q25_eur": wage.q25_eur, "q75_eur": wage.q75_eur,
            "above_ceiling_eur": wage.censored_above, "source": wage.source}


@router.get("/{kldb}", response_model=OccupationOut, response_model_exclude_unset=True,
            responses=problem_responses(404))
def read_occupation(request: Request, session: SessionDep, settings: SettingsDep, kldb: str,
                    ags: Annotated[str | None, Query(json_schema_extra={"pattern": AGS_PATTERN})] = None) -> Any:
    """One KldB position: names, hierarchy, skill level, median wage and market indicators."""
    use_var_dir(settings.var_dir)  # an imported full wage table lives there
    if not is_well_formed_kldb(kldb):
        return field_problem(422, "kldb", _MALFORMED_KLDB.format(value=kldb), request)
    occupation = get_occupation(kldb)
    if occupation is None:
        return field_problem(404, "kldb", _UNKNOWN_KLDB.format(value=kldb), request)
    if ags is not None:
        if not is_well_formed_ags(ags):
            return field_problem(422, "ags", _MALFORMED_AGS.format(value=ags), request)
        if get_region(ags) is None:
            return field_problem(404, "ags", _UNKNOWN_AGS.format(value=ags), request)
    market = None
    if occupation.level in (3, 5):
        indicators = get_market_indicators(session=session, kldb5=occupation.code, ags=ags)
        if indicators is not None:
            market = {
                "kldb": indicators.kldb, "ags": indicators.ags, "period": indicators.period,
                "unemployed": indicators.unemployed, "vacancies": indicators.vacancies,
                "unemployed_per_vacancy": None if indicators.vacancies == 0 else indicators.unemployed_per_vacancy,
                "trend": indicators.trend, "illustrative": indicators.illustrative, "source": indicators.source,
            }
            if indicators.illustrative:
                market["note"] = ILLUSTRATIVE_NOTE
    return {
        "code": occupation.code,
        "level": occupation.level,
        "level_name": LEVEL_NAMES[occupation.level],
        "title": occupation.title,
        "short_title": occupation.short_title,
        "skill_level": occupation.skill_level,
        "skill_level_name": occupation.skill_level_name,
        "parents": [
            {"code": code, "level": len(code), "title": parent.title}
            for code in occupation.parents
            if (parent := get_occupation(code)) is not None
        ],
        "example_titles": list(occupation.example_titles),
        "isco08": list(isco_codes(occupation.code)),  # empty until an operator imports a crosswalk
        "wage": _wage_block(occupation.code),
        "market": market,
        "source": "KldB 2010 (revised 2020), Statistik der Bundesagentur für Arbeit",
    }
