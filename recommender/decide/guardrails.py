"""Legal eligibility and hard filters: which advice may be offered at all, and which waits
for a counsellor (G3, G8).

Guardrails run before the model and never depend on it. Each catalogue rule is checked with
three outcomes per person - holds, fails, unknown - so that a profile with a missing answer
still gets every advice that does not depend on it, plus a list of the answers that would
unlock more (``missing_fields``). The same vectorised checks build the eligibility matrix of
the simulator, so simulated people are offered exactly what real people would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from data.catalogue import Catalogue, ModuleSpec, Rule
from data.languages import localise
from models.schemas import Profile
from models.tables import jobcenter_today
from recommender.decide.features import MarketContext, contradictory_fields, encode_profile, literal_code

Outcome = str  # "eligible" | "ineligible" | "needs_review" | "filtered"

# Plain-language names of the profile fields, for "these answers would improve your advice".
_ = str  # marks the English msgid for extraction; data.languages.localise translates it

FIELD_LABELS: dict[str, tuple[str, str]] = {
    "target_occupation": ("Ihr Zielberuf", _("your target job")),
    "alternative_occupations": ("weitere Berufe", _("other jobs you would take")),
    "region_ags": ("Ihre Region", _("your region")),
    "school_leaving": ("Ihr Schulabschluss", _("your school-leaving certificate")),
    "vocational_qualification": ("Ihr Berufsabschluss", _("your vocational qualification")),
    "foreign_qualification": ("ob Sie einen Abschluss aus dem Ausland haben",
                              _("whether you have a qualification from abroad")),
    "recognition_status": ("der Stand der Anerkennung", _("the status of recognition")),
    "german_level": ("Ihr Deutsch-Niveau", _("your level of German")),
    "months_unemployed": ("wie lange Sie schon suchen", _("how long you have been looking")),
    "applications_last_3_months": ("Ihre Bewerbungen der letzten 3 Monate",
                                   _("your applications in the last 3 months")),
    "interviews_last_3_months": ("Ihre Vorstellungsgespräche der letzten 3 Monate",
                                 _("your interviews in the last 3 months")),
    "search_channels": ("wie Sie suchen", _("how you search")),
    "has_cv": ("ob Sie einen Lebenslauf haben", _("whether you have a CV")),
    "driving_licence": ("ob Sie einen Führerschein haben", _("whether you have a driving licence")),
    "has_car": ("ob Sie ein Auto haben", _("whether you have a car")),
    "max_commute_minutes": ("Ihre mögliche Fahrzeit", _("how long you can travel to work")),
    "willing_to_relocate": ("ob Sie umziehen würden", _("whether you would move")),
    "salary_expectation_eur": ("Ihre Gehaltsvorstellung", _("your salary expectation")),
    "constraints.childcare_needed": ("ob Sie Kinderbetreuung brauchen", _("whether you need childcare")),
    "constraints.working_hours": ("Ihre gewünschte Arbeitszeit", _("the working hours you want")),
    "eligibility.birth_year": ("Ihr Geburtsjahr (nur für gesetzliche Altersregeln)",
                               _("your year of birth (only for legal age rules)")),
}
# Answers that improve any advice, even if no rule needs them: they feed the model.
CORE_FIELDS = ("target_occupation", "months_unemployed", "german_level", "applications_last_3_months",
               "vocational_qualification", "max_commute_minutes")
_CORE_COLUMNS = {"target_occupation": "target_occupation"}
APPROVAL_RULE_ID = "counsellor_approval"
EXCLUDED_RULE_ID = "replaced_by_better_fit"
COUNSELLOR_ONLY_RULE_ID = "counsellor_only"


@dataclass(frozen=True)
class RuleOutcome:
    """One rule evaluated for one module: what it found and on which legal basis."""

    rule_id: str
    module_id: str | None
    legal_basis: str | None
    outcome: Outcome
    reason_de: str
    reason_en: str
    kind: str = "eligibility"

    def as_log(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "module_id": self.module_id, "legal_basis": self.legal_basis,
                "outcome": self.outcome}


@dataclass(frozen=True)
class GuardrailResult:
    """Eligible advice (in catalogue order), which of it needs review, and why."""

    eligible: list[str]
    needs_review: frozenset[str]
    outcomes: list[RuleOutcome]
    missing_fields: list[str]
    contradictory_fields: list[str]

    def held_rules(self, module_id: str) -> list[str]:
        """Ids of the module's eligibility rules that held for this person (not its filters)."""
        return [o.rule_id for o in self.outcomes
                if o.module_id == module_id and o.outcome == "eligible" and o.kind == "eligibility"]


def missing_fields_message(fields: list[str], locale: str = "de") -> str | None:
    """One sentence naming the answers that would improve the advice, or None if none are missing."""
    if not fields:
        return None
    names = ", ".join(localise(*FIELD_LABELS.get(f, (f, f)), locale) for f in fields)
    sentence = localise("Ihre Tipps werden besser, wenn Sie uns das sagen: %(names)s.",
                        _("Your advice gets better if you tell us: %(names)s."), locale)
    return sentence % {"names": names}


def _encoded_value(rule: Rule) -> Any:
    if rule.op in ("in", "not_in"):
        return [literal_code(rule.field, v) for v in rule.value]
    if rule.op in ("contains", "not_contains", "age_under", "age_at_least"):
        return rule.value
    return literal_code(rule.field, rule.value)


def check_rule(rule: Rule, columns: Mapping[str, np.ndarray], *, reference_year: int) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised check of one rule: ``(holds, unknown)`` boolean arrays of shape (n,).

    Parameters
    ----------
    rule : Rule
    columns : mapping of str to ndarray of shape (n,)
        Encoded columns (:func:`recommender.decide.features.encode_profile` or the simulator).
    reference_year : int
        The year ages are computed in (year difference; documented in docs/recommender.md).
    """
    op = rule.op
    x = columns[f"{rule.field}={rule.value}"] if op in ("contains", "not_contains") else columns[rule.field]
    unknown = np.isnan(x)
    if op == "present":
        return ~unknown, np.zeros_like(unknown)
    if op == "missing":
        return unknown, np.zeros_like(unknown)
    value = _encoded_value(rule)
    # Comparisons with NaN (an unknown answer) are False, and NumPy 2 does not warn; ``unknown`` says which.
    if op == "eq":
        holds = x == value
    elif op == "ne":
        holds = x != value
    elif op == "lt":
        holds = x < value
    elif op == "le":
        holds = x <= value
    elif op == "gt":
        holds = x > value
    elif op == "ge":
        holds = x >= value
    elif op == "in":
        holds = np.isin(x, value)
    elif op == "not_in":
        holds = ~np.isin(x, value)
    elif op == "contains":
        holds = x == 1.0
    elif op == "not_contains":
        holds = x == 0.0
    elif op == "age_under":
        holds = (reference_year - x) < value
    else:  # age_at_least
        holds = (reference_year - x) >= value
    return holds & ~unknown, unknown


def eligibility_matrix(columns: Mapping[str, np.ndarray], catalogue: Catalogue, *,
                       reference_year: int | None = None) -> np.ndarray:
    """Boolean matrix (n people x modules in catalogue order): may the module be offered?

    Unknown answers make a module ineligible (it needs them), never eligible.
    """
    year = reference_year or jobcenter_today().year
    n = len(next(iter(columns.values())))
    out = np.ones((n, len(catalogue.modules)), dtype=bool)
    for j, module in enumerate(catalogue.modules):
        out[:, j] &= not module.counsellor_only
        for rule in module.eligibility:
            holds, unknown = check_rule(rule, columns, reference_year=year)
            if rule.kind == "filter":
                out[:, j] &= ~holds
            else:
                out[:, j] &= holds & ~unknown
    position = {module_id: j for j, module_id in enumerate(catalogue.ids)}
    offered = out.copy()
    for j, module in enumerate(catalogue.modules):
        for other in module.excludes:
            out[:, position[other]] &= ~offered[:, j]
    return out


def _module_outcomes(module: ModuleSpec, columns: Mapping[str, np.ndarray], year: int
                     ) -> tuple[str, list[RuleOutcome], list[str]]:
    outcomes: list[RuleOutcome] = []
    missing: list[str] = []
    state = "eligible"
    if module.counsellor_only:
        state = "ineligible"
        outcomes.append(RuleOutcome(COUNSELLOR_ONLY_RULE_ID, module.id, module.legal_basis, "ineligible",
                                    "Nur wenn Ihre Ansprechperson das mit Ihnen bespricht.",
                                    "Only if your counsellor discusses it with you."))
    for rule in module.eligibility:
        holds, unknown = check_rule(rule, columns, reference_year=year)
        if rule.kind == "filter":
            outcome = "filtered" if holds[0] else "eligible"
            reason_de, reason_en = rule.reason_de, rule.reason_en
            if holds[0]:
                state = "filtered"
        elif unknown[0]:
            outcome = "ineligible"
            label_de, label_en = FIELD_LABELS.get(rule.field, (rule.field, rule.field))
            reason_de, reason_en = f"Dafür fehlt uns: {label_de}.", f"For this we need: {label_en}."
            missing.append(rule.field)
            if state == "eligible":
                state = "ineligible"
        else:
            outcome = "eligible" if holds[0] else "ineligible"
            reason_de, reason_en = rule.reason_de, rule.reason_en
            if not holds[0] and state == "eligible":
                state = "ineligible"
        outcomes.append(RuleOutcome(rule.id, module.id, rule.legal_basis, outcome, reason_de, reason_en, rule.kind))
    return state, outcomes, missing


def evaluate_guardrails(profile: Profile, catalogue: Catalogue, market: MarketContext, *,
                        reference_year: int | None = None) -> GuardrailResult:
    """Check every module's rules for one profile.

    Parameters
    ----------
    profile : Profile
    catalogue : Catalogue
    market : MarketContext
    reference_year : int, optional
        Year for age rules; defaults to the current year.

    Returns
    -------
    GuardrailResult
        ``eligible`` includes the modules in ``needs_review`` (they may be proposed, but a
        counsellor must approve them before the job-seeker sees them, G8). A module that needs
        an unanswered field is left out and the field is listed in ``missing_fields``.
    """
    year = reference_year or jobcenter_today().year
    columns = encode_profile(profile, market)
    eligible: list[str] = []
    review: set[str] = set()
    outcomes: list[RuleOutcome] = []
    blocked: dict[str, int] = {}
    for module in catalogue.modules:
        state, module_outcomes, missing = _module_outcomes(module, columns, year)
        outcomes.extend(module_outcomes)
        if state == "ineligible" and missing:
            only_missing = all(o.outcome != "ineligible" or o.reason_en.startswith("For this we need")
                               for o in module_outcomes)
            if only_missing:
                for field in missing:
                    blocked[field] = blocked.get(field, 0) + 1
        if state != "eligible":
            continue
        eligible.append(module.id)
        if module.needs_counsellor_approval:
            review.add(module.id)
            outcomes.append(RuleOutcome(
                APPROVAL_RULE_ID, module.id, module.legal_basis, "needs_review",
                "Eine Beraterin oder ein Berater prüft diesen Vorschlag, bevor Sie ihn sehen.",
                "A counsellor checks this suggestion before you see it."))
    replaced = _replaced_modules(catalogue, eligible)
    if replaced:
        eligible = [m for m in eligible if m not in replaced]
        review -= set(replaced)
        outcomes.extend(RuleOutcome(EXCLUDED_RULE_ID, m, None, "filtered", de, en, "filter")
                        for m, (de, en) in replaced.items())
    contradictions = contradictory_fields(encode_profile_raw_for_contradictions(profile, market))
    missing_fields = sorted(blocked, key=lambda f: (-blocked[f], f))
    for field in CORE_FIELDS:
        if np.isnan(columns[_CORE_COLUMNS.get(field, field)][0]) and field not in missing_fields:
            missing_fields.append(field)
    for field in contradictions:
        if field not in missing_fields:
            missing_fields.append(field)
    return GuardrailResult(eligible, frozenset(review), outcomes, missing_fields, contradictions)


def _replaced_modules(catalogue: Catalogue, eligible: list[str]) -> dict[str, tuple[str, str]]:
    """Offered modules that another offered module replaces (its ``excludes``), with why."""
    replaced: dict[str, tuple[str, str]] = {}
    for module_id in eligible:
        module = catalogue.get(module_id)
        for other in module.excludes:
            if other in eligible:
                replaced[other] = (f"Ersetzt durch: {module.title.de}.", f"Replaced by: {module.title.en}.")
    return replaced


def encode_profile_raw_for_contradictions(profile: Profile, market: MarketContext) -> dict[str, np.ndarray]:
    """The profile's columns before contradictions are cleared, to name the contradicting fields."""
    data = profile.model_dump()
    return {
        "applications_last_3_months": np.array([literal_code("applications_last_3_months",
                                                             data["applications_last_3_months"])]),
        "interviews_last_3_months": np.array([literal_code("interviews_last_3_months",
                                                           data["interviews_last_3_months"])]),
        "recognition_status": np.array([literal_code("recognition_status", data["recognition_status"])]),
        "foreign_qualification": np.array([literal_code("foreign_qualification", data["foreign_qualification"])]),
    }
