"""The diagnostic names obstacles with evidence from the profile."""

from __future__ import annotations

from models.schemas import Profile
from recommender.decide.diagnostic import diagnose
from recommender.decide.features import MarketContext


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


