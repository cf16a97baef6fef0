"""Non-learned rankings: the transparent rules used without AI, and evaluation baselines.

``rules_ranking`` is what the job-seeker gets when the kill switch is on, when they objected
to AI-assisted advice (GDPR Art 21) or when no model is active (G9). It follows the idea of
Bob Emploi's trigger rules (each module scores 0-3 from a few profile facts, zero scores go
to the end) in our own words and code, and never reads protected attributes. The evaluation
also compares the learned policy with it, with a random policy and with "most popular".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from data.catalogue import Catalogue
from models.schemas import Profile
from recommender.decide.features import MarketContext, build_features


def _nz(x: np.ndarray, fill: float = 0.0) -> np.ndarray:
    return np.where(np.isnan(x), fill, x)


def rule_scores(features: Mapping[str, np.ndarray], module_ids: list[str]) -> np.ndarray:
    """Hand-written trigger scores (0-3) per person and module, vectorised.

    Parameters
    ----------
    features : mapping of str to ndarray of shape (n,)
        Allow-listed feature columns.
    module_ids : list of str
        Modules in column order.

    Returns
    -------
    ndarray of shape (n, len(module_ids))
    """
    f = features
    n = len(f["months_unemployed"])
    months = _nz(f["months_unemployed"], 6)
    tension = _nz(f["market_unemployed_per_vacancy"], 3.5)
    apps = _nz(f["applications_3m"], 5)
    interviews = _nz(f["interviews_3m"], 0)
    german = _nz(f["german_level"], 6)
    rules: dict[str, np.ndarray] = {
        "broaden_occupations": 1 + (tension > 4) + (_nz(f["target_occupations_count"], 2) <= 1),
        "broaden_radius": 1 + (_nz(f["max_commute_minutes"], 60) < 30) + (tension > 4),
        "spontaneous_applications": 1 + (_nz(f["uses_spontaneous"], 1) == 0) + (apps < 5),
        "personal_network": 1 + (_nz(f["uses_network"], 1) == 0),
        "cv_documents": np.where(_nz(f["has_cv"], 1) == 0, 3, 0),
        "interview_preparation": 1 + (interviews >= 2) + (_nz(f["interview_rate"], 0) > 0.2),
        "follow_up_applications": 1 + (apps >= 10),
        "online_job_boards": 1 + (apps < 5),
        "career_orientation": np.where(np.isnan(f["target_occupations_count"]), 3, 0),
        "shortage_occupations": 1 + (tension > 4),
        "salary_check": np.where(_nz(f["salary_to_median"], 1) > 1.2, 3, 0),
        "temporary_agency_work": 1 + (months > 12),
        "recognition_foreign_qualification": np.where(_nz(f["recognition_open"], 0) == 1, 3, 0),
        "job_german_course": np.where(german <= 2, 3, np.where(german <= 3, 2, 1)),
        "further_training_voucher": 1 + (_nz(f["vocational_level"], 1) == 0),
        "coaching_voucher_avgs": 1 + (months > 12),
        "driving_licence_budget": 1 + (_nz(f["max_commute_minutes"], 60) < 30),
        "einstiegsgeld": 1 + (months > 24),
        "childcare_support": np.full(n, 2),
        "debt_counselling": np.full(n, 0),
        "addiction_counselling": np.full(n, 0),
        "youth_support": np.full(n, 2),
        # Offered only to people whose answers call for them (the catalogue's eligibility is the
        # trigger: a part-time wish, childcare without a car, a health limit against the target
        # job, no school certificate, five years' search), which the features do not carry.
        "subsidised_employment": np.full(n, 3),
        "part_time_search": np.full(n, 3),
        "commute_and_childcare": np.full(n, 3),
        "health_job_fit": np.full(n, 3),
        "school_certificate": np.full(n, 3),
        "application_costs": np.full(n, 1),
    }
    out = np.zeros((n, len(module_ids)))
    for j, module_id in enumerate(module_ids):
        if module_id in rules:
            out[:, j] = np.broadcast_to(np.asarray(rules[module_id], dtype=float), (n,))
    return out


def rules_ranking(profile: Profile, eligible: list[str], market: MarketContext, catalogue: Catalogue, *,
                  features: Mapping[str, float] | None = None) -> list[str]:
    """Rank the eligible modules by the transparent rules (no model, no protected attributes).

    Parameters
    ----------
    profile : Profile
    eligible : list of str
        Module ids the guardrails allow.
    market : MarketContext
    catalogue : Catalogue
        Gives the tie-break order (catalogue order).
    features : mapping of str to float, optional
        ``build_features(profile, market)`` when the caller has it already (the decision path).

    Returns
    -------
    list of str
        All of *eligible*, highest rule score first; modules scoring 0 go last.
    """
    built = features if features is not None else build_features(profile, market)
    scores = rule_scores({k: np.array([v]) for k, v in built.items()}, eligible)[0]
    order = {module_id: i for i, module_id in enumerate(catalogue.ids)}
    return [m for _, _, m in sorted(zip(-scores, [order.get(m, 999) for m in eligible], eligible, strict=True))]
