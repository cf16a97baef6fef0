"""Features come only from the allow-list; guardrails filter by law and say what is missing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from data.catalogue import load_catalogue
from models.schemas import Profile
from recommender.decide.features import (
    ALLOWED_FEATURES,
    MarketContext,
    build_features,
    check_feature_names,
    encode_profile,
    features_from_columns,
)
from recommender.decide.guardrails import evaluate_guardrails, missing_fields_message
from recommender.errors import ProtectedAttributeError
from recommender.records.protected import denied_names


def test_allow_list_contains_no_protected_name() -> None:
    assert denied_names(ALLOWED_FEATURES) == []


def test_features_never_read_constraints_or_eligibility() -> None:
    base = Profile(german_level="B1", months_unemployed=10)
    other = base.model_copy(update={"constraints": base.constraints.model_copy(update={"childcare_needed": True}),
                                    "eligibility": base.eligibility.model_copy(update={"birth_year": 2004})})
    assert build_features(base, MarketContext()) == pytest.approx(build_features(other, MarketContext()), nan_ok=True)


@pytest.mark.parametrize("name", ["gender", "birth_year", "Staatsangehoerigkeit", "disability_flag", "age_band"])
def test_protected_feature_name_is_refused(name: str) -> None:
    with pytest.raises(ProtectedAttributeError, match="protected"):
        check_feature_names([*ALLOWED_FEATURES, name])


def test_unlisted_feature_name_is_refused() -> None:
    with pytest.raises(ProtectedAttributeError, match="not on the allow-list"):
        check_feature_names(["shoe_size"])


def test_features_have_exactly_the_allowed_names_and_nan_when_unknown() -> None:
    features = build_features(Profile(), MarketContext())
    assert tuple(features) == ALLOWED_FEATURES
    assert math.isnan(features["german_level"])
    assert features["market_unemployed_per_vacancy"] > 0


def test_single_profile_and_vectorised_builder_agree() -> None:
    profile = Profile(german_level="A2", applications_last_3_months=12, interviews_last_3_months=3,
                      search_channels=["personal_network"], target_occupation="12345", has_cv=True)
    market = MarketContext(unemployed_per_vacancy=6.0, median_wage_eur=2800)
    columns = encode_profile(profile, market)
    stacked = {k: np.repeat(v, 3) for k, v in columns.items()}
    vectorised = features_from_columns(stacked)
    single = build_features(profile, market)
    for name in ALLOWED_FEATURES:
        assert vectorised[name][2] == pytest.approx(single[name], nan_ok=True)
    assert single["interview_rate"] == pytest.approx(0.25)


def test_empty_profile_gets_advice_needing_no_answers_and_a_list_of_missing_fields() -> None:
    result = evaluate_guardrails(Profile(), load_catalogue(), MarketContext(), reference_year=2026)
    assert "cv_documents" in result.eligible
    assert "recognition_foreign_qualification" not in result.eligible
    assert "foreign_qualification" in result.missing_fields
    assert "german_level" in result.missing_fields
    message = missing_fields_message(result.missing_fields, "de")
    assert message is not None and "Deutsch-Niveau" in message
    assert "german_level" not in message


def test_contradictory_answers_are_named_and_not_used() -> None:
    profile = Profile(applications_last_3_months=2, interviews_last_3_months=9)
    result = evaluate_guardrails(profile, load_catalogue(), MarketContext(), reference_year=2026)
    assert result.contradictory_fields == ["applications_last_3_months", "interviews_last_3_months"]
    assert "interview_preparation" not in result.eligible


def test_health_limit_filters_driving_advice_and_logs_it() -> None:
    profile = Profile(driving_licence=False, constraints={"health_limits": ["no_driving"]})
    result = evaluate_guardrails(profile, load_catalogue(), MarketContext(), reference_year=2026)
    assert "driving_licence_budget" not in result.eligible
    assert any(o.rule_id == "cannot_drive" and o.outcome == "filtered" for o in result.outcomes)


def test_age_rule_applies_with_its_legal_basis() -> None:
    young = evaluate_guardrails(Profile(eligibility={"birth_year": 2005}), load_catalogue(), MarketContext(),
                                reference_year=2026)
    older = evaluate_guardrails(Profile(eligibility={"birth_year": 1980}), load_catalogue(), MarketContext(),
                                reference_year=2026)
    assert "youth_support" in young.eligible and "youth_support" not in older.eligible
    outcome = next(o for o in young.outcomes if o.rule_id == "under_25")
    assert outcome.legal_basis == "§ 16h Abs. 1 SGB II"


def test_funded_advice_is_marked_for_review() -> None:
    result = evaluate_guardrails(Profile(), load_catalogue(), MarketContext(), reference_year=2026)
    assert "further_training_voucher" in result.needs_review
    assert "cv_documents" not in result.needs_review
    assert result.needs_review <= set(result.eligible)
