"""Plain-language reasons for one advice, from LightGBM ``pred_contrib`` (G12).

A reason shown beside an advice must argue *for* it, for this person, and be true. So a
model reason is a feature whose contribution to the module's advantage over no advice is
positive (faithful: it is the model's own decomposition) *and* whose fact is one that, read
by a person, speaks for this advice (:data:`SUPPORTING`): "Sie haben noch keinen Lebenslauf"
may explain CV advice, never "Sie haben einen Lebenslauf", whatever the trees learned.
Facts that carry no information are dropped: unknown answers, an invitation rate from fewer
than :data:`MIN_APPLICATIONS_FOR_RATE` applications, market figures when no occupation was
given. Where the model gives no such reason (or did not rank the item), the eligibility
rules that let the advice through say why, in their ``because`` sentence; never the text a
rule shows when it excludes advice, and never the counsellor-review note.
TreeSHAP costs about 1 ms per row, so all shown items can be explained.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from data.catalogue import ModuleSpec
from recommender.decide.ranker import LoadedModel

_ = str  # marks the English msgid for extraction; data.languages.localise translates it (placeholders too)

MAX_WORDS = 20
MIN_APPLICATIONS_FOR_RATE = 5
MARKET_FEATURES = frozenset({"market_unemployed_per_vacancy", "market_vacancy_trend", "market_shortage_occupation"})
GENERAL_REASON = ("Ein allgemeiner Tipp für die Stellensuche, unabhängig von Ihren Antworten.",
                  _("A general tip for the job search that does not depend on your answers."))
# The model's estimate when no single answer stands out: the sum of its pred_contrib (the uplift).
MODEL_HELPS = ("Lotse hat aus all Ihren Antworten zusammen berechnet, dass dieser Tipp Ihre Chance auf Arbeit erhöht.",
               _("From all your answers taken together, Lotse calculated that this tip raises your chance of work."))
MODEL_EXPECTS_LITTLE = (
    "Lotse erwartet nach Ihren Antworten von diesem Tipp für Sie nur wenig. Sie entscheiden, ob er Ihnen hilft.",
    _("From your answers, Lotse expects little from this tip for you. You decide whether it helps."))

_FOR = ("Das spricht für diesen Tipp.", _("This speaks for this tip."))
_OPS: dict[str, Callable[[float, float], bool]] = {
    "eq": operator.eq, "le": operator.le, "lt": operator.lt, "ge": operator.ge, "gt": operator.gt,
}
# Which facts speak for each advice, read as a person would: feature -> (op, threshold).
# A model contribution is only shown as a reason when its feature's value passes this test.
SUPPORTING: dict[str, dict[str, tuple[str, float]]] = {
    "broaden_occupations": {"market_unemployed_per_vacancy": ("ge", 3.0), "target_occupations_count": ("le", 1),
                            "market_vacancy_trend": ("lt", -0.03), "market_shortage_occupation": ("eq", 0),
                            "months_unemployed": ("ge", 6)},
    "broaden_radius": {"max_commute_minutes": ("le", 45), "has_car": ("eq", 1), "driving_licence": ("eq", 1),
                       "market_unemployed_per_vacancy": ("ge", 3.0), "market_vacancy_trend": ("lt", -0.03)},
    "spontaneous_applications": {"uses_spontaneous": ("eq", 0), "search_channel_count": ("le", 1),
                                 "has_cv": ("eq", 1), "market_unemployed_per_vacancy": ("ge", 3.0)},
    "personal_network": {"uses_network": ("eq", 0), "search_channel_count": ("le", 1)},
    "cv_documents": {"has_cv": ("eq", 0), "interview_rate": ("lt", 0.1)},
    "interview_preparation": {"interviews_3m": ("ge", 1), "months_unemployed": ("ge", 3)},
    "follow_up_applications": {"applications_3m": ("ge", 1), "interview_rate": ("lt", 0.2)},
    "online_job_boards": {"uses_job_boards": ("eq", 0), "search_channel_count": ("le", 1)},
    "career_orientation": {"vocational_level": ("eq", 0), "months_unemployed": ("ge", 12),
                           "target_occupations_count": ("le", 1)},
    "shortage_occupations": {"market_shortage_occupation": ("eq", 0), "market_unemployed_per_vacancy": ("ge", 3.0),
                             "market_vacancy_trend": ("lt", -0.03)},
    "salary_check": {"salary_to_median": ("gt", 1.1)},
    "temporary_agency_work": {"months_unemployed": ("ge", 6), "vocational_level": ("eq", 0),
                              "interview_rate": ("lt", 0.1)},
    "recognition_foreign_qualification": {"recognition_open": ("eq", 1)},
    "job_german_course": {"german_level": ("le", 4)},
    "further_training_voucher": {"vocational_level": ("eq", 0), "months_unemployed": ("ge", 12),
                                 "market_unemployed_per_vacancy": ("ge", 3.0)},
    "coaching_voucher_avgs": {"months_unemployed": ("ge", 6), "interview_rate": ("lt", 0.1),
                              "search_channel_count": ("le", 1)},
    "driving_licence_budget": {"driving_licence": ("eq", 0)},
    "einstiegsgeld": {"months_unemployed": ("ge", 12)},
    "subsidised_employment": {"months_unemployed": ("ge", 60)},
    "commute_and_childcare": {"has_car": ("eq", 0), "max_commute_minutes": ("le", 45)},
    "school_certificate": {"school_level": ("eq", 0)},
    "application_costs": {"applications_3m": ("ge", 5)},
}
_GERMAN_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")
_SCHOOL = (
    ("keinen Schulabschluss", _("no school-leaving certificate")),
    ("einen Hauptschulabschluss", _("a lower secondary certificate")),
    ("einen Realschulabschluss", _("an intermediate certificate")),
    ("das Abitur", _("the Abitur")),
)
# Name of each feature in plain words, for "... is not known".
_LABELS: dict[str, tuple[str, str]] = {
    "months_unemployed": ("Ihre Suchdauer", _("how long you have been looking")),
    "school_level": ("Die Stufe Ihres Schulabschlusses", _("the level of your school-leaving certificate")),
    "vocational_level": ("Ihr Berufsabschluss", _("your vocational qualification")),
    "recognition_open": ("Der Stand einer Anerkennung", _("the status of recognition")),
    "german_level": ("Ihr Deutsch-Niveau", _("your level of German")),
    "applications_3m": ("Ihre Zahl an Bewerbungen", _("your number of applications")),
    "interviews_3m": ("Ihre Zahl an Vorstellungsgesprächen", _("your number of job interviews")),
    "interview_rate": ("Ihre Quote an Einladungen", _("your share of invitations")),
    "search_channel_count": ("Ihre Suchwege", _("the ways you search")),
    "uses_job_boards": ("Ihre Nutzung von Jobbörsen", _("your use of job boards")),
    "uses_network": ("Die Nutzung Ihrer Kontakte", _("your use of contacts")),
    "uses_spontaneous": ("Ihre Initiativbewerbungen", _("your applications without a job ad")),
    "has_cv": ("Ihr Lebenslauf", _("your CV")),
    "driving_licence": ("Ihr Führerschein", _("your driving licence")),
    "has_car": ("Ein Auto", _("a car")),
    "max_commute_minutes": ("Ihre mögliche Fahrzeit", _("how long you can travel")),
    "willing_to_relocate": ("Ein möglicher Umzug", _("moving")),
    "target_occupations_count": ("Ihre Zielberufe", _("your target jobs")),
    "salary_to_median": ("Ihr Gehaltswunsch", _("your salary wish")),
    "market_unemployed_per_vacancy": ("Die Lage in Ihrem Beruf", _("the market in your job")),
    "market_vacancy_trend": ("Die Entwicklung der Stellen", _("the trend of vacancies")),
    "market_shortage_occupation": ("Der Bedarf in Ihrem Beruf", _("the demand in your job")),
}


def _yes_no(value: float, yes: tuple[str, str], no: tuple[str, str]) -> tuple[str, str]:
    return yes if value >= 0.5 else no


def _counted(n: int, one: tuple[str, str], other: tuple[str, str]) -> tuple[str, str]:
    """The sentence (de, en) for a count: German and English take the singular for exactly one.

    The other languages translate either English sentence; their texts say the number without a
    noun that would have to agree with it (Arabic alone has six plural forms).
    """
    de, en = one if n == 1 else other
    return de, en % {"n": n}


def fact(feature: str, value: float) -> tuple[str, str]:
    """One short sentence (de, en) stating the person's own answer behind a feature."""
    if math.isnan(value):
        de, en = _LABELS[feature]
        return f"{de} ist uns nicht bekannt.", _("We do not know %(what)s.") % {"what": en}
    n = int(round(value))
    if feature == "months_unemployed":
        return _counted(n, ("Sie suchen seit 1 Monat Arbeit.", _("You have been looking for work for %(n)s month.")),
                        (f"Sie suchen seit {n} Monaten Arbeit.", _("You have been looking for work for %(n)s months.")))
    if feature == "school_level":
        de, en = _SCHOOL[min(max(n, 0), 3)]
        return f"Sie haben {de}.", _("You have %(certificate)s.") % {"certificate": en}
    if feature == "vocational_level":
        return _yes_no(
            value,
            ("Sie haben einen Berufsabschluss.", _("You have a vocational qualification.")),
            ("Sie haben keinen Berufsabschluss angegeben.", _("You stated no vocational qualification.")),
        )
    if feature == "recognition_open":
        return _yes_no(
            value,
            ("Ihr Abschluss ist noch nicht anerkannt.", _("Your qualification is not recognised yet.")),
            ("Eine Anerkennung ist für Sie kein offenes Thema.", _("Recognition is not an open question for you.")),
        )
    if feature == "german_level":
        level = _GERMAN_LEVELS[min(max(n - 1, 0), 5)]
        return f"Ihr Deutsch-Niveau ist {level}.", _("Your level of German is %(level)s.") % {"level": level}
    if feature == "applications_3m":
        return _counted(n, ("Sie haben in 3 Monaten 1 Bewerbung geschrieben.",
                            _("You sent %(n)s application in 3 months.")),
                        (f"Sie haben in 3 Monaten {n} Bewerbungen geschrieben.",
                         _("You sent %(n)s applications in 3 months.")))
    if feature == "interviews_3m":
        return _counted(n, ("Sie hatten in 3 Monaten 1 Vorstellungsgespräch.",
                            _("You had %(n)s job interview in 3 months.")),
                        (f"Sie hatten in 3 Monaten {n} Vorstellungsgespräche.",
                         _("You had %(n)s job interviews in 3 months.")))
    if feature == "interview_rate":
        pct = int(round(100 * value))
        if pct == 0:
            return ("Ihre Bewerbungen führten noch zu keiner Einladung.",
                    _("Your applications have not led to an invitation yet."))
        return (
            f"Etwa {pct} von 100 Bewerbungen führten zu einer Einladung.",
            _("About %(pct)s in 100 applications led to an invitation.") % {"pct": pct},
        )
    if feature == "search_channel_count":
        return _counted(n, ("Sie suchen auf 1 Weg.", _("You search in %(n)s way.")),
                        (f"Sie suchen auf {n} Wegen.", _("You search in %(n)s ways.")))
    if feature == "uses_job_boards":
        return _yes_no(
            value,
            ("Sie nutzen Jobbörsen.", _("You use job boards.")),
            ("Sie nutzen noch keine Jobbörsen.", _("You do not use job boards yet.")),
        )
    if feature == "uses_network":
        return _yes_no(
            value,
            ("Sie nutzen Ihre Kontakte für die Suche.", _("You use your contacts for your search.")),
            ("Sie nutzen Ihre Kontakte noch nicht für die Suche.", _("You do not use your contacts yet.")),
        )
    if feature == "uses_spontaneous":
        return _yes_no(
            value,
            ("Sie bewerben sich auch ohne Stellenanzeige.", _("You also apply without a job ad.")),
            ("Sie bewerben sich bisher nur auf Anzeigen.", _("So far you only apply to job ads.")),
        )
    if feature == "has_cv":
        return _yes_no(
            value,
            ("Sie haben einen Lebenslauf.", _("You have a CV.")),
            ("Sie haben noch keinen Lebenslauf.", _("You do not have a CV yet.")),
        )
    if feature == "driving_licence":
        return _yes_no(
            value,
            ("Sie haben einen Führerschein.", _("You have a driving licence.")),
            ("Sie haben keinen Führerschein.", _("You do not have a driving licence.")),
        )
    if feature == "has_car":
        return _yes_no(
            value, ("Sie haben ein Auto.", _("You have a car.")), ("Sie haben kein Auto.", _("You do not have a car."))
        )
    if feature == "max_commute_minutes":
        return (f"Sie können bis zu {n} Minuten zur Arbeit fahren.",
                _("You can travel up to %(n)s minutes to work.") % {"n": n})
    if feature == "willing_to_relocate":
        return _yes_no(
            value,
            ("Sie würden für eine Stelle umziehen.", _("You would move for a job.")),
            ("Sie möchten nicht umziehen.", _("You do not want to move.")),
        )
    if feature == "target_occupations_count":
        return _counted(n, ("Sie suchen in 1 Beruf.", _("You search in %(n)s job.")),
                        (f"Sie suchen in {n} Berufen.", _("You search in %(n)s job(s).")))
    if feature == "salary_to_median":
        if value > 1.1:
            return "Ihr Gehaltswunsch liegt über dem üblichen Lohn.", _("Your salary wish is above the usual pay.")
        if value < 0.9:
            return "Ihr Gehaltswunsch liegt unter dem üblichen Lohn.", _("Your salary wish is below the usual pay.")
        return "Ihr Gehaltswunsch passt zum üblichen Lohn.", _("Your salary wish fits the usual pay.")
    if feature == "market_unemployed_per_vacancy":
        x = max(1, n)
        return (
            f"In Ihrem Beruf und Ihrer Region kommen etwa {x} Arbeitslose auf eine Stelle.",
            _("In your job and region about %(x)s unemployed people compete for each vacancy.") % {"x": x},
        )
    if feature == "market_vacancy_trend":
        if value > 0.03:
            return "Die Zahl der Stellen in Ihrem Beruf steigt.", _("The number of vacancies in your job is rising.")
        if value < -0.03:
            return "Die Zahl der Stellen in Ihrem Beruf sinkt.", _("The number of vacancies in your job is falling.")
        return "Die Zahl der Stellen in Ihrem Beruf ist stabil.", _("The number of vacancies in your job is stable.")
    if feature == "market_shortage_occupation":
        return _yes_no(
            value,
            ("In Ihrem Beruf fehlen Arbeitskräfte.", _("Your job lacks workers.")),
            ("In Ihrem Beruf fehlen keine Arbeitskräfte.", _("Your job does not lack workers.")),
        )
    raise KeyError(feature)


@dataclass(frozen=True)
class Reason:
    """One reason: which feature, how much it contributed (raw margin), and the sentence."""

    feature: str
    contribution: float
    text_de: str
    text_en: str


def reason_sentence(feature: str, value: float) -> tuple[str, str]:
    """The logged reason (de, en): the person's own answer, then that it speaks for the tip."""
    fact_de, fact_en = fact(feature, value)
    return f"{fact_de} {_FOR[0]}", f"{fact_en} {_FOR[1]}"


def informative(feature: str, features: dict[str, float]) -> bool:
    """Whether the fact behind *feature* tells the person anything (see the module docstring)."""
    value = features.get(feature, math.nan)
    if math.isnan(value):
        return False
    if feature == "interview_rate":
        return features.get("applications_3m", 0.0) >= MIN_APPLICATIONS_FOR_RATE
    if feature in MARKET_FEATURES:
        return not math.isnan(features.get("target_occupations_count", math.nan))
    return True


def argues_for(module_id: str, feature: str, features: dict[str, float]) -> bool:
    """Whether this person's value of *feature* is, in plain reading, a reason for *module_id*."""
    test = SUPPORTING.get(module_id, {}).get(feature)
    if test is None or not informative(feature, features):
        return False
    op, threshold = test
    return _OPS[op](features[feature], threshold)


def explain(model: LoadedModel, features: dict[str, float], module_id: str, *, top: int = 3) -> list[Reason]:
    """The model's top reasons *for* *module_id* compared with no advice, for this person.

    Parameters
    ----------
    model : LoadedModel
    features : dict of str to float
        From :func:`recommender.decide.features.build_features`.
    module_id : str
        A module the model knows.
    top : int, default 3
        How many reasons (fewer if fewer facts speak for the advice).

    Returns
    -------
    list of Reason
        Positive contributions whose fact argues for the advice, largest first.
    """
    if not model.knows(module_id):
        return []
    contributions = model.contributions(features, module_id)
    ranked = sorted(
        ((v, name) for name, v in contributions.items() if v > 0 and argues_for(module_id, name, features)),
        reverse=True,
    )
    reasons = []
    for value, name in ranked[:top]:
        reasons.append(Reason(name, value, *reason_sentence(name, features[name])))
    return reasons


def rule_reasons(module: ModuleSpec, held: Iterable[str]) -> list[dict[str, Any]]:
    """The ``because`` sentences of the module's eligibility rules that held for this person."""
    held_ids = set(held)
    return [
        {"rule_id": rule.id, "field": rule.field, "de": rule.because.de, "en": rule.because.en}
        for rule in module.eligibility
        if rule.kind == "eligibility" and rule.because is not None and rule.id in held_ids
    ]


def item_reasons(
    model: LoadedModel | None, features: dict[str, float], module: ModuleSpec, held_rules: Iterable[str],
    *, uplift: float | None = None,
) -> list[dict[str, Any]]:
    """What is stored and shown as the reasons for one offered item (each a dict with de and en).

    The model's supporting contributions where the model ranked the item; otherwise the
    eligibility rules that held (*held_rules*: their ids). An item the model ranked (it scored
    it: *uplift* is its estimate) and that has neither gets the model's estimate in words, by
    its sign; only an item ranked by rules and without a rule gets the general sentence.
    """
    if model is not None:
        found = [
            {"feature": r.feature, "contribution": round(float(r.contribution), 6), "de": r.text_de, "en": r.text_en}
            for r in explain(model, features, module.id)
        ]
        if found:
            return found
    by_rule = rule_reasons(module, held_rules)
    if by_rule:
        return by_rule
    if model is not None and uplift is not None:  # the model scored this item: it ranked it
        de, en = MODEL_HELPS if uplift > 0 else MODEL_EXPECTS_LITTLE
        return [{"source": "model", "uplift": round(float(uplift), 6), "de": de, "en": en}]
    return [general_reason()]


def general_reason() -> dict[str, Any]:
    """The reason of an item ranked by the fixed rules with no rule that held."""
    return {"rule_id": "general", "de": GENERAL_REASON[0], "en": GENERAL_REASON[1]}
