"""Persona sweep: realistic people and the advice that must and must not be in their top 5 (issue 15).

Runs against the model ``make run`` trains: the quick first-start training (``lotse train
--if-missing --quick``: QUICK_ROWS simulated people, seed 42, ``TrainConfig.quick()``), trained
once per module; it serves once its promotion gates pass. The top 5 is what the decision path
shows: eligible modules (guardrails) ordered by the model's uplift. Every person and figure here is SYNTHETIC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from api.cli.recommender import QUICK_ROWS
from data.catalogue import load_catalogue
from models.schemas import Profile
from recommender.decide.baselines import rules_ranking
from recommender.decide.features import MarketContext, build_features
from recommender.decide.guardrails import evaluate_guardrails
from recommender.decide.ranker import LoadedModel
from recommender.evaluate.experiment import run
from recommender.learn.train import TrainConfig

TOP = 5
CATALOGUE = load_catalogue()
TIGHT = MarketContext(unemployed_per_vacancy=6.0, vacancy_trend=-0.05, median_wage_eur=2500.0, illustrative=False)
SHORTAGE = MarketContext(unemployed_per_vacancy=1.0, vacancy_trend=0.06, median_wage_eur=3600.0, illustrative=False)
MUNICH_IT = MarketContext(unemployed_per_vacancy=1.2, vacancy_trend=0.02, median_wage_eur=5200.0, illustrative=False)
AVERAGE = MarketContext(unemployed_per_vacancy=3.5, median_wage_eur=2800.0, illustrative=False)


@dataclass(frozen=True)
class Persona:
    name: str
    answers: dict[str, Any]
    market: MarketContext
    must: frozenset[str] = field(default_factory=frozenset)
    must_not: frozenset[str] = field(default_factory=frozenset)


def _p(name: str, answers: dict[str, Any], market: MarketContext = AVERAGE, must: tuple[str, ...] = (),
       must_not: tuple[str, ...] = ()) -> Persona:
    return Persona(name, answers, market, frozenset(must), frozenset(must_not))


# Never in anyone's automatic top 5: Lotse cannot know a need for them (counsellor adds them).
NEVER_AUTOMATIC = ("addiction_counselling", "debt_counselling")
PERSONAS = [
    _p("it_specialist_munich_high_salary", {
        "target_occupation": "43104", "region_ags": "09162", "german_level": "C2", "school_leaving": "abitur",
        "vocational_qualification": "master_or_higher", "months_unemployed": 3, "applications_last_3_months": 15,
        "interviews_last_3_months": 3, "search_channels": ["job_boards", "personal_network"], "has_cv": True,
        "driving_licence": True, "has_car": True, "max_commute_minutes": 45, "salary_expectation_eur": 6500},
       MUNICH_IT,
       must_not=(*NEVER_AUTOMATIC, "einstiegsgeld", "cv_documents", "online_job_boards", "subsidised_employment",
                 "further_training_voucher", "school_certificate")),
    _p("engineer_recognised_qualification", {
        "target_occupation": "25104", "german_level": "C1", "foreign_qualification": True,
        "recognition_status": "recognised", "vocational_qualification": "master_or_higher", "months_unemployed": 5,
        "applications_last_3_months": 10, "interviews_last_3_months": 1, "search_channels": ["job_boards"],
        "has_cv": True, "driving_licence": True, "max_commute_minutes": 60},
       SHORTAGE, must_not=(*NEVER_AUTOMATIC, "recognition_foreign_qualification", "cv_documents", "einstiegsgeld")),
    _p("engineer_recognition_not_started", {
        "target_occupation": "25104", "german_level": "B2", "foreign_qualification": True,
        "recognition_status": "not_started", "vocational_qualification": "bachelor", "months_unemployed": 8,
        "applications_last_3_months": 6, "interviews_last_3_months": 0, "search_channels": ["job_boards"],
        "has_cv": True, "max_commute_minutes": 45},
       SHORTAGE, must=("recognition_foreign_qualification",), must_not=NEVER_AUTOMATIC),
    _p("long_term_unemployed_warehouse_worker_bad_back", {
        "target_occupation": "51311", "german_level": "C2", "school_leaving": "hauptschule",
        "vocational_qualification": "none", "months_unemployed": 40, "applications_last_3_months": 2,
        "interviews_last_3_months": 0, "search_channels": ["jobcenter"], "has_cv": False, "driving_licence": False,
        "has_car": False, "max_commute_minutes": 30, "constraints": {"health_limits": ["no_heavy_lifting"]}},
       TIGHT, must=("health_job_fit",),
       must_not=(*NEVER_AUTOMATIC, "shortage_occupations", "temporary_agency_work", "salary_check")),
    _p("single_parent_part_time_no_car", {
        "target_occupation": "62102", "german_level": "C2", "school_leaving": "realschule",
        "vocational_qualification": "apprenticeship", "months_unemployed": 14, "applications_last_3_months": 8,
        "interviews_last_3_months": 1, "search_channels": ["job_boards"], "has_cv": True, "driving_licence": True,
        "has_car": False, "max_commute_minutes": 30,
        "constraints": {"childcare_needed": True, "working_hours": "part_time"}},
       AVERAGE, must=("part_time_search",),
       must_not=(*NEVER_AUTOMATIC, "broaden_radius", "cv_documents", "temporary_agency_work")),
    _p("young_person_without_school_certificate", {
        "german_level": "C2", "school_leaving": "none", "vocational_qualification": "none", "months_unemployed": 6,
        "applications_last_3_months": 3, "interviews_last_3_months": 0, "search_channels": ["social_media"],
        "has_cv": False, "driving_licence": False, "max_commute_minutes": 30,
        "eligibility": {"birth_year": 2006}},
       AVERAGE, must=("school_certificate",),
       must_not=(*NEVER_AUTOMATIC, "subsidised_employment", "salary_check", "broaden_occupations")),
    _p("nurse_with_cv_short_search", {
        "target_occupation": "81302", "german_level": "C2", "vocational_qualification": "apprenticeship",
        "months_unemployed": 2, "applications_last_3_months": 12, "interviews_last_3_months": 4,
        "search_channels": ["job_boards", "personal_network"], "has_cv": True, "driving_licence": True,
        "has_car": True, "max_commute_minutes": 40},
       SHORTAGE, must_not=(*NEVER_AUTOMATIC, "einstiegsgeld", "cv_documents", "subsidised_employment",
                           "further_training_voucher")),
    _p("refugee_a2_no_recognition_started", {
        "target_occupation": "29302", "german_level": "A2", "foreign_qualification": True,
        "recognition_status": "not_started", "school_leaving": "foreign", "vocational_qualification": "apprenticeship",
        "months_unemployed": 18, "applications_last_3_months": 4, "interviews_last_3_months": 0,
        "search_channels": ["jobcenter"], "has_cv": False, "driving_licence": False, "max_commute_minutes": 45},
       TIGHT, must=("job_german_course",), must_not=NEVER_AUTOMATIC),
    _p("very_long_unemployed_over_25", {
        "target_occupation": "54101", "german_level": "C2", "school_leaving": "hauptschule",
        "vocational_qualification": "none", "months_unemployed": 72, "applications_last_3_months": 1,
        "interviews_last_3_months": 0, "search_channels": ["jobcenter"], "has_cv": False, "max_commute_minutes": 30,
        "eligibility": {"birth_year": 1975}},
       TIGHT, must=("subsidised_employment",), must_not=NEVER_AUTOMATIC),
    _p("many_interviews_no_offer", {
        "target_occupation": "72112", "german_level": "C2", "vocational_qualification": "apprenticeship",
        "months_unemployed": 7, "applications_last_3_months": 25, "interviews_last_3_months": 6,
        "search_channels": ["job_boards", "personal_network", "spontaneous"], "has_cv": True,
        "driving_licence": True, "has_car": True, "max_commute_minutes": 45},
       AVERAGE, must=("interview_preparation",), must_not=(*NEVER_AUTOMATIC, "cv_documents", "online_job_boards")),
    _p("no_cv_no_boards_cashier", {
        "target_occupation": "62112", "german_level": "C2", "vocational_qualification": "none",
        "months_unemployed": 10, "applications_last_3_months": 2, "interviews_last_3_months": 0,
        "search_channels": ["newspaper"], "has_cv": False, "max_commute_minutes": 30},
       TIGHT, must=("cv_documents",), must_not=(*NEVER_AUTOMATIC, "interview_preparation")),
    _p("driver_without_licence_rural", {
        "target_occupation": "52122", "german_level": "C2", "vocational_qualification": "none",
        "months_unemployed": 12, "applications_last_3_months": 5, "interviews_last_3_months": 0,
        "search_channels": ["jobcenter"], "has_cv": True, "driving_licence": False, "has_car": False,
        "max_commute_minutes": 20},
       AVERAGE, must=("driving_licence_budget",), must_not=(*NEVER_AUTOMATIC, "cv_documents")),
    _p("driver_who_cannot_drive_for_health", {
        "target_occupation": "51311", "german_level": "C2", "months_unemployed": 12, "applications_last_3_months": 5,
        "interviews_last_3_months": 0, "search_channels": ["jobcenter"], "has_cv": True, "driving_licence": False,
        "max_commute_minutes": 20, "constraints": {"health_limits": ["no_driving"]}},
       AVERAGE, must_not=(*NEVER_AUTOMATIC, "driving_licence_budget", "cv_documents")),
    _p("salary_far_above_market", {
        "target_occupation": "62102", "german_level": "C2", "vocational_qualification": "apprenticeship",
        "months_unemployed": 9, "applications_last_3_months": 10, "interviews_last_3_months": 1,
        "search_channels": ["job_boards"], "has_cv": True, "max_commute_minutes": 40, "salary_expectation_eur": 4200},
       AVERAGE, must_not=(*NEVER_AUTOMATIC, "cv_documents")),
    _p("unknown_occupation_typed_in_other_words", {
        "target_occupation_text": "irgendwas mit Menschen", "german_level": "C2", "months_unemployed": 4,
        "applications_last_3_months": 3, "interviews_last_3_months": 0, "has_cv": True,
        "search_channels": ["job_boards"], "max_commute_minutes": 30},
       AVERAGE, must_not=(*NEVER_AUTOMATIC, "broaden_occupations", "salary_check", "cv_documents")),
    _p("parent_needing_childcare_full_time_with_car", {
        "target_occupation": "71302", "german_level": "C2", "vocational_qualification": "apprenticeship",
        "months_unemployed": 8, "applications_last_3_months": 6, "interviews_last_3_months": 1,
        "search_channels": ["job_boards"], "has_cv": True, "driving_licence": True, "has_car": True,
        "max_commute_minutes": 30, "constraints": {"childcare_needed": True, "working_hours": "full_time"}},
       AVERAGE, must_not=(*NEVER_AUTOMATIC, "part_time_search", "commute_and_childcare", "cv_documents")),
    _p("cook_no_night_shifts", {
        "target_occupation": "29302", "german_level": "C1", "vocational_qualification": "apprenticeship",
        "months_unemployed": 9, "applications_last_3_months": 8, "interviews_last_3_months": 1,
        "search_channels": ["job_boards"], "has_cv": True, "max_commute_minutes": 30,
        "constraints": {"health_limits": ["no_night_shifts"]}},
       AVERAGE, must_not=(*NEVER_AUTOMATIC, "temporary_agency_work", "cv_documents")),
    _p("older_office_clerk_long_search", {
        "target_occupation": "71402", "german_level": "C2", "vocational_qualification": "apprenticeship",
        "months_unemployed": 20, "applications_last_3_months": 30, "interviews_last_3_months": 1,
        "search_channels": ["job_boards", "jobcenter"], "has_cv": True, "driving_licence": True, "has_car": True,
        "max_commute_minutes": 45, "eligibility": {"birth_year": 1964}},
       TIGHT, must_not=(*NEVER_AUTOMATIC, "cv_documents", "youth_support", "subsidised_employment")),
    _p("young_apprentice_short_search", {
        "target_occupation": "26212", "german_level": "C2", "school_leaving": "realschule",
        "vocational_qualification": "apprenticeship", "months_unemployed": 2, "applications_last_3_months": 10,
        "interviews_last_3_months": 2, "search_channels": ["job_boards"], "has_cv": True, "max_commute_minutes": 40,
        "eligibility": {"birth_year": 2003}},
       SHORTAGE, must_not=(*NEVER_AUTOMATIC, "einstiegsgeld", "subsidised_employment", "school_certificate",
                           "cv_documents")),
    _p("no_benefit_recipient_engineer", {
        "target_occupation": "25104", "german_level": "C2", "vocational_qualification": "master_or_higher",
        "months_unemployed": 4, "applications_last_3_months": 8, "interviews_last_3_months": 2,
        "search_channels": ["job_boards"], "has_cv": True, "max_commute_minutes": 45,
        "eligibility": {"receives_citizens_benefit": False}},
       SHORTAGE, must_not=(*NEVER_AUTOMATIC, "further_training_voucher", "coaching_voucher_avgs", "einstiegsgeld",
                           "application_costs", "driving_licence_budget")),
    _p("no_car_childcare_wants_full_time", {
        "target_occupation": "62102", "german_level": "C2", "vocational_qualification": "apprenticeship",
        "months_unemployed": 6, "applications_last_3_months": 4, "interviews_last_3_months": 0,
        "search_channels": ["job_boards"], "has_cv": True, "has_car": False, "max_commute_minutes": 25,
        "constraints": {"childcare_needed": True, "working_hours": "full_time"}},
       AVERAGE, must_not=(*NEVER_AUTOMATIC, "broaden_radius", "part_time_search")),
]


@pytest.fixture(scope="module")
def served_model() -> LoadedModel:
    """The model the first start trains and activates (same rows, seed and settings as the CLI)."""
    result = run(rows=QUICK_ROWS, seed=42, config=TrainConfig.quick(), catalogue=CATALOGUE, test_rows=0)
    return result.train.model


def ranked(model: LoadedModel, persona: Persona) -> list[str]:
    """Eligible advice in the order the decision path shows it (by the model's uplift)."""
    profile = Profile.model_validate(persona.answers)
    guard = evaluate_guardrails(profile, CATALOGUE, persona.market)
    uplift = {s.module_id: s.uplift for s in model.score(build_features(profile, persona.market), guard.eligible)}
    return sorted(guard.eligible, key=lambda m: -uplift[m])


def top5(model: LoadedModel, persona: Persona) -> list[str]:
    return ranked(model, persona)[:TOP]


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.name for p in PERSONAS])
def test_persona_gets_the_advice_it_needs_and_none_that_ignores_its_answers(served_model: LoadedModel,
                                                                             persona: Persona) -> None:
    shown = top5(served_model, persona)
    assert persona.must <= set(shown), (persona.name, shown)
    assert not persona.must_not & set(shown), (persona.name, shown)


# The rules read only the model's features: none says that the target job needs a driving licence.
WITHOUT_AI = [pytest.param(p, marks=pytest.mark.xfail(strict=True, reason=(
    "the rules cannot tell that a driver's job needs the licence; ranked first for anyone without one, the "
    "licence budget would come before the advice an IT specialist in a city needs"))) if p.name ==
    "driver_without_licence_rural" else p for p in PERSONAS]


@pytest.mark.parametrize("persona", WITHOUT_AI, ids=[p.name for p in PERSONAS])
def test_persona_without_ai_gets_the_advice_it_needs_and_none_that_ignores_its_answers(persona: Persona) -> None:
    """The rules baseline is what a person gets who objected to AI, or under the kill switch (G9):
    the same answers must lead to the same essential advice (a part-time wish to the part-time
    search, a health limit against the target job to the advice on it)."""
    profile = Profile.model_validate(persona.answers)
    eligible = evaluate_guardrails(profile, CATALOGUE, persona.market).eligible
    shown = rules_ranking(profile, eligible, persona.market, CATALOGUE)[:TOP]
    assert persona.must <= set(shown), (persona.name, shown)
    assert not persona.must_not & set(shown), (persona.name, shown)


def test_it_specialist_in_munich_does_not_get_addiction_counselling_first(served_model: LoadedModel) -> None:
    persona = next(p for p in PERSONAS if p.name == "it_specialist_munich_high_salary")
    assert top5(served_model, persona)[0] != "addiction_counselling"


def test_einstiegsgeld_is_not_in_every_top5(served_model: LoadedModel) -> None:
    with_it = [p.name for p in PERSONAS if "einstiegsgeld" in top5(served_model, p)]
    assert len(with_it) < len(PERSONAS) / 2, with_it


@pytest.mark.xfail(strict=True, reason=(
    "known limit of the first-start model: with 200k SYNTHETIC rows and the quick settings it learns no "
    "split on salary_to_median, so salary_check stays below rank 8 (the simulated effect is at most +4 points)"))
@pytest.mark.parametrize("name", ["it_specialist_munich_high_salary", "salary_far_above_market"])
def test_salary_advice_reaches_the_top5_for_a_wish_far_above_the_median(served_model: LoadedModel,
                                                                        name: str) -> None:
    persona = next(p for p in PERSONAS if p.name == name)
    assert "salary_check" in top5(served_model, persona)


def test_sweep_has_at_least_twenty_realistic_cases() -> None:
    assert len(PERSONAS) >= 20 and len({p.name for p in PERSONAS}) == len(PERSONAS)
