"""The diagnostic: which obstacles stand between this person and a job, and what shows it.

Transparent hand-written checks, not the model: the diagnostic must be explainable to the
job-seeker in one sentence each and must not change when a model is retrained. It names
obstacles of the *search*, never a judgement of the person (G7): there is no overall score.
Every obstacle carries the profile fields that triggered it and a plain de/en sentence.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from models.schemas import Profile
from recommender.decide.features import MarketContext, build_features

_ = str  # marks the English msgid for extraction; data.languages.localise translates it (placeholders too)


@dataclass(frozen=True)
class ObstacleTitle:
    de: str
    en: str


@dataclass(frozen=True)
class Evidence:
    """One fact from the profile or the market that points to the obstacle."""

    field: str
    text_de: str
    text_en: str


@dataclass(frozen=True)
class Obstacle:
    id: str
    title: ObstacleTitle
    evidence: list[Evidence] = field(default_factory=list)
    severity: float = 0.0  # 0..1, only to order the obstacles of one person


OBSTACLE_TITLES: dict[str, ObstacleTitle] = {
    "unclear_goal": ObstacleTitle("Das Berufsziel ist noch offen", _("Your job goal is still open")),
    "stuck_market": ObstacleTitle("Wenige Stellen im Zielberuf", _("Few jobs in your target field")),
    "missing_qualification": ObstacleTitle("Ein Berufsabschluss fehlt", _("A vocational qualification is missing")),
    "search_method": ObstacleTitle("Ihre Suche und Ihre Bewerbungen können stärker werden",
                                    _("Your search and applications can get stronger")),
    "interview_conversion": ObstacleTitle("Gespräche führen noch nicht zur Zusage",
                                          _("Interviews do not lead to offers yet")),
    "practical_barriers": ObstacleTitle("Praktische Hürden", _("Practical barriers")),
    "language_recognition": ObstacleTitle("Sprache oder Anerkennung", _("Language or recognition")),
    "long_search": ObstacleTitle("Die Suche dauert schon lange", _("Your search has taken a long time")),
    "salary_mismatch": ObstacleTitle("Gehaltswunsch über dem üblichen Lohn", _("Salary wish above the usual pay")),
}


# The evidence sentences that state no figure of the person: the same for everyone they apply to,
# so the stored form keeps them once (``recommender.decide.stored_form``).
_NO_GOAL = Evidence("target_occupation", "Sie haben noch keinen Zielberuf angegeben.",
                    _("You have not named a target job yet."))
_ONE_JOB = Evidence("alternative_occupations", "Sie suchen nur in einem Beruf.", _("You search in one job only."))
_NO_QUALIFICATION = Evidence("vocational_qualification", "Sie haben keinen Berufsabschluss angegeben.",
                             _("You have not stated a vocational qualification."))
_ONE_WAY = Evidence("search_channels", "Sie suchen auf nur einem Weg.", _("You use only one way to search."))
_FEW_APPLICATIONS = Evidence("applications_last_3_months", "Sie haben in 3 Monaten wenige Bewerbungen geschrieben.",
                             _("You sent few applications in 3 months."))
_NO_CV = Evidence("has_cv", "Sie haben noch keinen Lebenslauf.", _("You do not have a CV yet."))
_NO_OFFER = Evidence("interviews_last_3_months", "Sie hatten Vorstellungsgespräche, aber noch keine Zusage.",
                     _("You had interviews but no offer yet."))
_NO_LICENCE = Evidence("driving_licence", "Ohne Führerschein erreichen Sie weniger Stellen.",
                       _("Without a driving licence you reach fewer jobs."))
_CHILDCARE = Evidence("constraints.childcare_needed", "Sie brauchen Kinderbetreuung.", _("You need childcare."))
_GERMAN = Evidence("german_level", "Besseres Deutsch öffnet mehr Stellen.", _("Better German opens more jobs."))
_NOT_RECOGNISED = Evidence("recognition_status", "Ihr Abschluss aus dem Ausland ist noch nicht anerkannt.",
                           _("Your qualification from abroad is not recognised yet."))
_SALARY_HIGH = Evidence("salary_expectation_eur", "Ihr Wunschlohn liegt deutlich über dem üblichen Lohn.",
                        _("The pay you want is well above the usual pay."))
FIXED_EVIDENCE = (_NO_GOAL, _ONE_JOB, _NO_QUALIFICATION, _ONE_WAY, _FEW_APPLICATIONS, _NO_CV,
                  _NO_OFFER, _NO_LICENCE, _CHILDCARE, _GERMAN, _NOT_RECOGNISED, _SALARY_HIGH)


def evidence_record(evidence: Evidence) -> dict[str, str]:
    """How one piece of evidence is logged with the decision."""
    return {"field": evidence.field, "de": evidence.text_de, "en": evidence.text_en}


def _known(value: float) -> bool:
    return not math.isnan(value)


def _check_goal(f: dict[str, float], p: Profile) -> list[Evidence]:
    if p.target_occupation is None and not p.target_occupation_text:
        return [_NO_GOAL]
    return []


def _check_market(f: dict[str, float], p: Profile) -> list[Evidence]:
    tension = f["market_unemployed_per_vacancy"]
    out = []
    if tension >= 5:
        out.append(Evidence("target_occupation",
                            f"In Ihrem Beruf kommen etwa {tension:.0f} Arbeitslose auf eine Stelle.",
                            _("In your field about %(n)s unemployed people compete for one job.")
                            % {"n": f"{tension:.0f}"}))
        if f["target_occupations_count"] == 1:
            out.append(_ONE_JOB)
    return out


def _check_qualification(f: dict[str, float], p: Profile) -> list[Evidence]:
    if f["vocational_level"] == 0:
        return [_NO_QUALIFICATION]
    return []


def _check_search(f: dict[str, float], p: Profile) -> list[Evidence]:
    out = []
    if _known(f["search_channel_count"]) and f["search_channel_count"] <= 1:
        out.append(_ONE_WAY)
    if _known(f["applications_3m"]) and f["applications_3m"] < 5:
        out.append(_FEW_APPLICATIONS)
    if f["has_cv"] == 0:
        out.append(_NO_CV)
    return out


def _check_interviews(f: dict[str, float], p: Profile) -> list[Evidence]:
    if _known(f["interviews_3m"]) and f["interviews_3m"] >= 2 and f["months_unemployed"] >= 3:
        return [_NO_OFFER]
    return []


def _check_practical(f: dict[str, float], p: Profile) -> list[Evidence]:
    out = []
    if f["driving_licence"] == 0 and _known(f["max_commute_minutes"]) and f["max_commute_minutes"] < 30:
        out.append(_NO_LICENCE)
    if p.constraints.childcare_needed:
        out.append(_CHILDCARE)
    return out


def _check_language(f: dict[str, float], p: Profile) -> list[Evidence]:
    out = []
    if _known(f["german_level"]) and f["german_level"] <= 3:
        out.append(_GERMAN)
    if f["recognition_open"] == 1:
        out.append(_NOT_RECOGNISED)
    return out


def _check_long(f: dict[str, float], p: Profile) -> list[Evidence]:
    if _known(f["months_unemployed"]) and f["months_unemployed"] >= 12:
        months = int(f["months_unemployed"])
        return [Evidence("months_unemployed", f"Sie suchen seit {months} Monaten.",
                         _("You have been looking for %(months)s months.") % {"months": months})]
    return []


def _check_salary(f: dict[str, float], p: Profile) -> list[Evidence]:
    if _known(f["salary_to_median"]) and f["salary_to_median"] > 1.2:
        return [_SALARY_HIGH]
    return []


_CHECKS: dict[str, tuple[Callable[[dict[str, float], Profile], list[Evidence]], float]] = {
    "unclear_goal": (_check_goal, 0.6),
    "stuck_market": (_check_market, 0.8),
    "missing_qualification": (_check_qualification, 0.6),
    "search_method": (_check_search, 0.5),
    "interview_conversion": (_check_interviews, 0.5),
    "practical_barriers": (_check_practical, 0.6),
    "language_recognition": (_check_language, 0.7),
    "long_search": (_check_long, 0.6),
    "salary_mismatch": (_check_salary, 0.4),
}


def diagnose(profile: Profile, market: MarketContext, *, features: dict[str, float] | None = None) -> list[Obstacle]:
    """The obstacles this profile shows, most pressing first, each with its evidence.

    Parameters
    ----------
    profile : Profile
    market : MarketContext
    features : dict, default=None
        ``build_features(profile, market)`` when the caller has it already (the decision path).

    Returns
    -------
    list of Obstacle
        Empty when nothing in the profile points to an obstacle (e.g. an empty profile).
    """
    features = features if features is not None else build_features(profile, market)
    found = []
    for obstacle_id, (check, weight) in _CHECKS.items():
        evidence = check(features, profile)
        if evidence:
            severity = min(1.0, weight + 0.1 * (len(evidence) - 1))
            found.append(Obstacle(obstacle_id, OBSTACLE_TITLES[obstacle_id], evidence, severity))
    return sorted(found, key=lambda o: -o.severity)
