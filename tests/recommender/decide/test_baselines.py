"""The rules baseline ranks without a model."""

from __future__ import annotations

from data.catalogue import load_catalogue
from models.schemas import Profile
from recommender.decide.baselines import rules_ranking
from recommender.decide.features import MarketContext
from recommender.decide.guardrails import evaluate_guardrails


def test_rules_ranking_puts_the_triggered_module_first_and_keeps_all_eligible() -> None:
    catalogue = load_catalogue()
    profile = Profile(has_cv=False, german_level="C2", target_occupation="12345")
    eligible = evaluate_guardrails(profile, catalogue, MarketContext(), reference_year=2026).eligible
    ranking = rules_ranking(profile, eligible, MarketContext(), catalogue)
    assert ranking[0] == "cv_documents"
    assert sorted(ranking) == sorted(eligible)
