"""Plain-language reasons for one advice, from LightGBM ``pred_contrib`` (G12).

The reasons are the features with the largest absolute contribution to the module's advantage
over no advice (module row minus no-advice row), with their sign: faithful by construction.
Each reason states the person's own answer in one sentence and whether it speaks for or
against the advice in a second one (de and en, at most 20 words each, no feature codes).
Compute them only for the items shown: TreeSHAP costs about 1 ms per row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from recommender.decide.ranker import LoadedModel

MAX_WORDS = 20

_FOR = ("Das spricht für diesen Tipp.", "This speaks for this tip.")
_AGAINST = ("Das spricht eher gegen diesen Tipp.", "This speaks rather against this tip.")
_GERMAN_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
_SCHOOL = (
    ("keinen Schulabschluss", "no school-leaving certificate"),
    ("einen Hauptschulabschluss", "a lower secondary certificate"),
    ("einen Realschulabschluss", "an intermediate certificate"),
    ("das Abitur", "the Abitur"),
)
# Name of each feature in plain words, for "... is not known".
_LABELS: dict[str, tuple[str, str]] = {
    "months_unemployed": ("Ihre Suchdauer", "how long you have been looking"),
    "school_level": ("Die Stufe Ihres Schulabschlusses", "the level of your school-leaving certificate"),
    "vocational_level": ("Ihr Berufsabschluss", "your vocational qualification"),
    "recognition_open": ("Der Stand einer Anerkennung", "the status of recognition"),
    "german_level": ("Ihr Deutsch-Niveau", "your level of German"),
    "applications_3m": ("Ihre Zahl an Bewerbungen", "your number of applications"),
    "interviews_3m": ("Ihre Zahl an Vorstellungsgesprächen", "your number of job interviews"),
    "interview_rate": ("Ihre Quote an Einladungen", "your share of invitations"),
    "search_channel_count": ("Ihre Suchwege", "the ways you search"),
    "uses_job_boards": ("Ihre Nutzung von Jobbörsen", "your use of job boards"),
    "uses_network": ("Die Nutzung Ihrer Kontakte", "your use of contacts"),
    "uses_spontaneous": ("Ihre Initiativbewerbungen", "your applications without a job ad"),
    "has_cv": ("Ihr Lebenslauf", "your CV"),
    "driving_licence": ("Ihr Führerschein", "your driving licence"),
    "has_car": ("Ein Auto", "a car"),
    "max_commute_minutes": ("Ihre mögliche Fahrzeit", "how long you can travel"),
    "willing_to_relocate": ("Ein möglicher Umzug", "moving"),
    "target_occupations_count": ("Ihre Zielberufe", "your target jobs"),
    "salary_to_median": ("Ihr Gehaltswunsch", "your salary wish"),
    "market_unemployed_per_vacancy": ("Die Lage in Ihrem Beruf", "the market in your job"),
    "market_vacancy_trend": ("Die Entwicklung der Stellen", "the trend of vacancies"),
    "market_shortage_occupation": ("Der Bedarf in Ihrem Beruf", "the demand in your job"),
}


def _yes_no(value: float, yes: tuple[str, str], no: tuple[str, str]) -> tuple[str, str]:
    return yes if value >= 0.5 else no


def fact(feature: str, value: float) -> tuple[str, str]:
    """One short sentence (de, en) stating the person's own answer behind a feature."""
    if math.isnan(value):
        de, en = _LABELS[feature]
        return f"{de} ist uns nicht bekannt.", f"We do not know {en}."
    n = int(round(value))
    if feature == "months_unemployed":
        return f"Sie suchen seit {n} Monaten Arbeit.", f"You have been looking for work for {n} months."
    if feature == "school_level":
        de, en = _SCHOOL[min(max(n, 0), 3)]
        return f"Sie haben {de}.", f"You have {en}."
    if feature == "vocational_level":
        return _yes_no(
            value,
            ("Sie haben einen Berufsabschluss.", "You have a vocational qualification."),
            ("Sie haben keinen Berufsabschluss angegeben.", "You stated no vocational qualification."),
        )
    if feature == "recognition_open":
        return _yes_no(
            value,
            ("Ihr Abschluss ist noch nicht anerkannt.", "Your qualification is not recognised yet."),
            ("Eine Anerkennung ist für Sie kein offenes Thema.", "Recognition is not an open question for you."),
        )
    if feature == "german_level":
        level = _GERMAN_LEVELS[min(max(n - 1, 0), 5)]
        return f"Ihr Deutsch-Niveau ist {level}.", f"Your level of German is {level}."
    if feature == "applications_3m":
        return f"Sie haben in 3 Monaten {n} Bewerbungen geschrieben.", f"You sent {n} applications in 3 months."
    if feature == "interviews_3m":
        return f"Sie hatten in 3 Monaten {n} Vorstellungsgespräche.", f"You had {n} job interviews in 3 months."
    if feature == "interview_rate":
        pct = int(round(100 * value))
        return (
            f"Etwa {pct} von 100 Bewerbungen führten zu einer Einladung.",
            f"About {pct} in 100 applications led to an invitation.",
        )
    if feature == "search_channel_count":
        return f"Sie suchen auf {n} Wegen.", f"You search in {n} ways."
    if feature == "uses_job_boards":
        return _yes_no(
            value,
            ("Sie nutzen Jobbörsen.", "You use job boards."),
            ("Sie nutzen noch keine Jobbörsen.", "You do not use job boards yet."),
        )
    if feature == "uses_network":
        return _yes_no(
            value,
            ("Sie nutzen Ihre Kontakte für die Suche.", "You use your contacts for your search."),
            ("Sie nutzen Ihre Kontakte noch nicht für die Suche.", "You do not use your contacts yet."),
        )
    if feature == "uses_spontaneous":
        return _yes_no(
            value,
            ("Sie bewerben sich auch ohne Stellenanzeige.", "You also apply without a job ad."),
            ("Sie bewerben sich bisher nur auf Anzeigen.", "So far you only apply to job ads."),
        )
    if feature == "has_cv":
        return _yes_no(
            value,
            ("Sie haben einen Lebenslauf.", "You have a CV."),
            ("Sie haben noch keinen Lebenslauf.", "You do not have a CV yet."),
        )
    if feature == "driving_licence":
        return _yes_no(
            value,
            ("Sie haben einen Führerschein.", "You have a driving licence."),
            ("Sie haben keinen Führerschein.", "You do not have a driving licence."),
        )
    if feature == "has_car":
        return _yes_no(
            value, ("Sie haben ein Auto.", "You have a car."), ("Sie haben kein Auto.", "You do not have a car.")
        )
    if feature == "max_commute_minutes":
        return f"Sie können bis zu {n} Minuten zur Arbeit fahren.", f"You can travel up to {n} minutes to work."
    if feature == "willing_to_relocate":
        return _yes_no(
            value,
            ("Sie würden für eine Stelle umziehen.", "You would move for a job."),
            ("Sie möchten nicht umziehen.", "You do not want to move."),
        )
    if feature == "target_occupations_count":
        return f"Sie suchen in {n} Beruf(en).", f"You search in {n} job(s)."
    if feature == "salary_to_median":
        if value > 1.1:
            return "Ihr Gehaltswunsch liegt über dem üblichen Lohn.", "Your salary wish is above the usual pay."
        if value < 0.9:
            return "Ihr Gehaltswunsch liegt unter dem üblichen Lohn.", "Your salary wish is below the usual pay."
        return "Ihr Gehaltswunsch passt zum üblichen Lohn.", "Your salary wish fits the usual pay."
    if feature == "market_unemployed_per_vacancy":
        x = max(1, n)
        return (
            f"In Ihrem Beruf und Ihrer Region kommen etwa {x} Arbeitslose auf eine Stelle.",
            f"In your job and region about {x} unemployed people compete for each vacancy.",
        )
    if feature == "market_vacancy_trend":
        if value > 0.03:
            return "Die Zahl der Stellen in Ihrem Beruf steigt.", "The number of vacancies in your job is rising."
        if value < -0.03:
            return "Die Zahl der Stellen in Ihrem Beruf sinkt.", "The number of vacancies in your job is falling."
        return "Die Zahl der Stellen in Ihrem Beruf ist stabil.", "The number of vacancies in your job is stable."
    if feature == "market_shortage_occupation":
        return _yes_no(
            value,
            ("In Ihrem Beruf fehlen Arbeitskräfte.", "Your job lacks workers."),
            ("In Ihrem Beruf fehlen keine Arbeitskräfte.", "Your job does not lack workers."),
        )
    raise KeyError(feature)


@dataclass(frozen=True)
class Reason:
    """One reason: which feature, how much it contributed (raw margin), and the sentence."""

    feature: str
    contribution: float
    text_de: str
    text_en: str


def explain(model: LoadedModel, features: dict[str, float], module_id: str, *, top: int = 3) -> list[Reason]:
    """The top reasons why *module_id* is (or is not) more useful than no advice for this person.

    Parameters
    ----------
    model : LoadedModel
    features : dict of str to float
        From :func:`recommender.decide.features.build_features`.
    module_id : str
        A module the model knows.
    top : int, default 3
        How many reasons (fewer if fewer features contribute).

    Returns
    -------
    list of Reason
        Ordered by absolute contribution, largest first; only non-zero contributions.
    """
    if not model.knows(module_id):
        return []
    contributions = model.contributions(features, module_id)
    ranked = sorted(
        ((abs(v), name, v) for name, v in contributions.items() if v != 0 and not math.isnan(v)), reverse=True
    )
    reasons = []
    for _, name, value in ranked[:top]:
        fact_de, fact_en = fact(name, features.get(name, math.nan))
        then_de, then_en = _FOR if value > 0 else _AGAINST
        reasons.append(Reason(name, value, f"{fact_de} {then_de}", f"{fact_en} {then_en}"))
    return reasons
