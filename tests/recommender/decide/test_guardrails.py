"""Guardrails filter advice by law, name their legal basis and say which answers are missing."""

from __future__ import annotations

import numpy as np
import pytest

from data.catalogue import load_catalogue
from models.schemas import Profile
from recommender.decide.features import (
    MarketContext,
    encode_profile,
)
from recommender.decide.guardrails import check_rule, evaluate_guardrails, missing_fields_message

# An unanswered question is NaN in the rules' columns: comparing it must not warn (check_rule
# has no error-state guard since NumPy 2, which is silent there).
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def test_every_rule_of_the_catalogue_reads_an_unanswered_question_as_unknown() -> None:
    unanswered = {name: np.full(2, np.nan) for name in encode_profile(Profile(), MarketContext())}
    ops = set()
    for module in load_catalogue().modules:
        for rule in module.eligibility:
            holds, unknown = check_rule(rule, unanswered, reference_year=2026)
            ops.add(rule.op)
            if rule.op in ("present", "missing"):
                assert holds.tolist() == [rule.op == "missing"] * 2 and not unknown.any()
            else:
                assert unknown.all() and not holds.any(), rule.id
    assert len(ops) >= 6


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
