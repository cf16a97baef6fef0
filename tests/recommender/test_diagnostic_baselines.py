"""The diagnostic names obstacles with evidence; the rules baseline ranks without a model."""

from __future__ import annotations

from data.catalogue import load_catalogue
from models.schemas import Profile
from recommender.decide.baselines import rules_ranking
from recommender.decide.diagnostic import diagnose
from recommender.decide.features import MarketContext
from recommender.decide.guardrails import evaluate_guardrails


def test_diagnostic_names_obstacles_with_profile_evidence() -> None:
    profile = Profile(german_level="A2", months_unemployed=20, has_cv=False, search_channels=["job_boards"])
    obstacles = diagnose(profile, MarketContext(unemployed_per_vacancy=7.0))
    ids = [o.id for o in obstacles]
    assert {"language_recognition", "long_search", "stuck_market", "search_method"} <= set(ids)
    language = next(o for o in obstacles if o.id == "language_recognition")
    assert language.evidence[0].field == "german_level"
    assert language.title.de and language.title.en


def test_diagnostic_of_empty_profile_only_asks_for_a_goal() -> None:
    assert [o.id for o in diagnose(Profile(), MarketContext())] == ["unclear_goal"]


def test_rules_ranking_puts_the_triggered_module_first_and_keeps_all_eligible() -> None:
    catalogue = load_catalogue()
    profile = Profile(has_cv=False, german_level="C2", target_occupation="12345")
    eligible = evaluate_guardrails(profile, catalogue, MarketContext(), reference_year=2026).eligible
    ranking = rules_ranking(profile, eligible, MarketContext(), catalogue)
    assert ranking[0] == "cv_documents"
    assert sorted(ranking) == sorted(eligible)
