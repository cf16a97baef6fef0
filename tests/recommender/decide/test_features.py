"""Features come only from the allow-list; protected attributes never become features (G2)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from models.schemas import Profile
from recommender.decide.features import (
    ALLOWED_FEATURES,
    MarketContext,
    build_features,
    check_feature_names,
    encode_profile,
    features_from_columns,
)
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


