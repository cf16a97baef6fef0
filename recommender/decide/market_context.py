"""Turn the reference data for a profile's occupation and region into the model's market context.

The recommender sees the labour market only through :class:`recommender.decide.features.MarketContext`;
this module is the one place that maps the stored indicators (official or illustrative) and
the Entgeltatlas median wage into it, so the decision path and the pages agree on the figures.
"""

from __future__ import annotations

from sqlmodel import Session

from data.market import get_market_indicators
from data.wages import median_wage
from models.schemas import Profile
from recommender.decide.features import MarketContext

MAX_UNEMPLOYED_PER_VACANCY = 50.0


def market_context_for(session: Session, profile: Profile) -> MarketContext:
    """The market context of the profile's target occupation and region (defaults when unknown)."""
    if not profile.target_occupation:
        return MarketContext()
    indicators = get_market_indicators(session=session, kldb5=profile.target_occupation, ags=profile.region_ags)
    wage = median_wage(profile.target_occupation)
    if indicators is None:
        return MarketContext(median_wage_eur=wage)
    return MarketContext(
        # No vacancies at all is the slackest market there is; the model saw nothing beyond the cap.
        unemployed_per_vacancy=min(indicators.unemployed_per_vacancy, MAX_UNEMPLOYED_PER_VACANCY),
        vacancy_trend=indicators.trend,
        median_wage_eur=wage,
        illustrative=indicators.illustrative,
    )
