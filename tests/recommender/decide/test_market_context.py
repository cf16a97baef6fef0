"""The market context the model sees for a profile's occupation and region."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from data.market import MarketIndicators
from models.db import session_scope
from models.schemas import Profile
from recommender.decide import market_context
from recommender.decide.market_context import MAX_UNEMPLOYED_PER_VACANCY, market_context_for


def test_no_target_occupation_gives_defaults(engine: Engine) -> None:
    with session_scope(engine) as session:
        context = market_context_for(session, Profile())
    assert context == market_context.MarketContext()


def test_occupation_without_vacancies_is_capped_not_infinite(engine: Engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    figures = MarketIndicators(kldb="62102", ags="09362", unemployed=40, vacancies=0,
                               unemployed_per_vacancy=float("inf"), trend=-0.1, illustrative=True, source="test")
    monkeypatch.setattr(market_context, "get_market_indicators", lambda **_: figures)
    with session_scope(engine) as session:
        context = market_context_for(session, Profile(target_occupation="62102", region_ags="09362"))
    assert context.unemployed_per_vacancy == MAX_UNEMPLOYED_PER_VACANCY
    assert context.illustrative and context.vacancy_trend == -0.1
