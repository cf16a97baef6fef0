"""Catalogue rules respect every answer: CV, health limits, part-time, childcare, mobility (issue 15, finding 6)."""

from __future__ import annotations

from typing import Any

import pytest

from data.catalogue import DEFAULT_CATALOGUE_FILE, CatalogueError, load_catalogue, parse_catalogue
from data.physical_demand import physically_demanding
from models.schemas import Profile
from recommender.decide.features import MarketContext, build_features, encode_profile
from recommender.decide.guardrails import eligibility_matrix, evaluate_guardrails
from tests.recommender import simulated_model as sm

CATALOGUE = load_catalogue()
MARKET = MarketContext(unemployed_per_vacancy=4.0, median_wage_eur=2600.0, illustrative=False)
BASE: dict[str, Any] = {
    "target_occupation": "51312", "german_level": "C2", "months_unemployed": 14, "applications_last_3_months": 10,
    "interviews_last_3_months": 1, "search_channels": ["jobcenter"], "has_cv": False, "driving_licence": True,
    "has_car": True, "max_commute_minutes": 30, "salary_expectation_eur": 2500,
}


def _eligible(**changes: Any) -> list[str]:
    profile = Profile.model_validate({**BASE, **changes})
    return evaluate_guardrails(profile, CATALOGUE, MARKET).eligible


def test_cv_advice_is_not_offered_when_the_person_has_a_current_cv() -> None:
    assert "cv_documents" in _eligible(has_cv=False)
    assert "cv_documents" not in _eligible(has_cv=True)


def test_no_heavy_lifting_removes_physical_advice_and_offers_work_that_fits_health() -> None:
    limited = _eligible(constraints={"health_limits": ["no_heavy_lifting"]})
    assert "shortage_occupations" not in limited and "temporary_agency_work" not in limited
    assert "health_job_fit" in limited
    office = _eligible(target_occupation="43104", constraints={"health_limits": ["no_heavy_lifting"]})
    assert "health_job_fit" not in office
    assert "health_job_fit" not in _eligible()


def test_health_limits_only_remove_advice_and_never_reorder_the_rest() -> None:
    model = sm.trained().model
    plain = Profile.model_validate(BASE)
    limits = ["no_heavy_lifting", "no_night_shifts"]
    limited = Profile.model_validate({**BASE, "constraints": {"health_limits": limits}})
    features = build_features(plain, MARKET)
    assert str(features) == str(build_features(limited, MARKET))  # the model never sees the limits

    def order(profile: Profile) -> list[str]:
        eligible = evaluate_guardrails(profile, CATALOGUE, MARKET).eligible
        scores = {s.module_id: s.uplift for s in model.score(features, eligible)}
        return sorted(eligible, key=lambda m: -scores[m])

    removed = set(order(plain)) - set(order(limited))
    assert {"shortage_occupations", "temporary_agency_work"} <= removed
    assert [m for m in order(plain) if m not in removed] == [m for m in order(limited) if m != "health_job_fit"]


@pytest.mark.parametrize(("code", "expected"), [
    ("51312", True), ("81302", True), ("54101", True), ("52122", True),
    ("81313", False), ("43104", False), ("62112", False), (None, None),
])
def test_physically_demanding_occupations_follow_their_kldb_code(code: str | None, expected: bool | None) -> None:
    assert physically_demanding(code) is expected


def test_single_parent_wanting_part_time_gets_part_time_search_and_childcare_help() -> None:
    parent = {"childcare_needed": True, "working_hours": "part_time"}
    eligible = _eligible(target_occupation="62102", constraints=parent)
    assert {"part_time_search", "childcare_support"} <= set(eligible)
    assert "part_time_search" not in _eligible(constraints={"working_hours": "full_time"})


def test_no_car_and_childcare_replaces_wider_area_with_a_plan_for_both() -> None:
    eligible = _eligible(has_car=False, constraints={"childcare_needed": True})
    assert "broaden_radius" not in eligible and "commute_and_childcare" in eligible
    assert "broaden_radius" in _eligible(has_car=False, constraints={"childcare_needed": False})


def test_the_simulator_offers_what_a_real_person_is_offered() -> None:
    profile = Profile.model_validate({**BASE, "has_car": False, "has_cv": True,
                                      "constraints": {"childcare_needed": True, "health_limits": ["no_heavy_lifting"]}})
    row = eligibility_matrix(encode_profile(profile, MARKET), CATALOGUE)[0]
    offered = {m for m, ok in zip(CATALOGUE.ids, row, strict=True) if ok}
    assert offered == set(evaluate_guardrails(profile, CATALOGUE, MARKET).eligible)


def test_young_person_without_school_certificate_is_offered_to_catch_it_up() -> None:
    assert "school_certificate" in _eligible(school_leaving="none")
    assert "school_certificate" not in _eligible(school_leaving="realschule")


def test_new_funded_modules_keep_their_counsellor_review_flag() -> None:
    text = DEFAULT_CATALOGUE_FILE.read_text(encoding="utf-8")
    for module in ("application_costs", "school_certificate", "health_job_fit"):
        assert CATALOGUE.get(module).needs_counsellor_approval
        start = text.index(f"  - id: {module}\n")
        unflagged = text[:start] + text[start:].replace("needs_counsellor_approval: true",
                                                        "needs_counsellor_approval: false", 1)
        with pytest.raises(CatalogueError, match="needs_counsellor_approval must be true"):
            parse_catalogue(unflagged)


def test_every_rule_has_a_name_and_every_telling_eligibility_rule_a_reason_for() -> None:
    for module in CATALOGUE.modules:
        for rule in module.eligibility:
            assert rule.label is not None, (module.id, rule.id)
            if rule.kind == "eligibility" and rule.op != "present":
                assert rule.because is not None, (module.id, rule.id)


def test_simulated_people_can_be_offered_the_new_modules() -> None:
    data = sm.data(5000)
    share = dict(zip(data.module_ids, data.eligible.mean(axis=0), strict=True))
    assert 0.05 < share["part_time_search"] < 0.4
    assert 0.01 < share["health_job_fit"] < 0.08
    assert share["commute_and_childcare"] > 0.01
