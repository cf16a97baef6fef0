"""The explanation of one decision, for the person it is about (G12; GDPR Art 13-15, AI Act Art 86).

CJEU C-203/22 (Dun & Bradstreet Austria) asks for "the procedure and principles actually
applied", concise and intelligible. So the page says, per advice item: the main reasons (from
the model's own per-feature contributions, or the rule that applied), which of the person's
answers were used, which legal rules were checked; and, for the whole decision: the model
version, what the AI does and does not do, what the counsellor decides, and how to object.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from data.catalogue import Catalogue, load_catalogue
from data.languages import Locale, localise
from models.hashing import sha256_hex
from models.tables import Decision
from recommender.decide.decision_path import UI_TEXT_VERSION, decision_view
from recommender.decide.guardrails import APPROVAL_RULE_ID
from recommender.records.justified_features import JUSTIFIED_FEATURES

_ = str  # marks the English msgid for extraction; data.languages.localise translates it

# Plain names of the model's inputs: the data used, never the internal codes (G12).
FEATURE_LABELS: dict[str, tuple[str, str]] = {
    "months_unemployed": ("wie lange Sie schon Arbeit suchen", _("how long you have been looking for work")),
    "school_level": ("Ihr Schulabschluss", _("your school-leaving certificate")),
    "vocational_level": ("Ihr Berufsabschluss", _("your vocational qualification")),
    "recognition_open": ("ob die Anerkennung Ihres Abschlusses offen ist",
                         _("whether recognition of your qualification is open")),
    "german_level": ("Ihr Deutsch-Niveau", _("your level of German")),
    "applications_3m": ("Ihre Bewerbungen der letzten 3 Monate", _("your applications in the last 3 months")),
    "interviews_3m": ("Ihre Vorstellungsgespräche der letzten 3 Monate", _("your interviews in the last 3 months")),
    "interview_rate": ("wie oft eine Bewerbung zum Gespräch führt",
                       _("how often an application leads to an interview")),
    "search_channel_count": ("wie viele Suchwege Sie nutzen", _("how many ways of searching you use")),
    "uses_job_boards": ("ob Sie Jobbörsen nutzen", _("whether you use job boards")),
    "uses_network": ("ob Sie Bekannte fragen", _("whether you ask people you know")),
    "uses_spontaneous": ("ob Sie sich initiativ bewerben", _("whether you send speculative applications")),
    "has_cv": ("ob Sie einen Lebenslauf haben", _("whether you have a CV")),
    "driving_licence": ("ob Sie einen Führerschein haben", _("whether you have a driving licence")),
    "has_car": ("ob Sie ein Auto haben", _("whether you have a car")),
    "max_commute_minutes": ("Ihre mögliche Fahrzeit zur Arbeit", _("how long you can travel to work")),
    "willing_to_relocate": ("ob Sie umziehen würden", _("whether you would move")),
    "target_occupations_count": ("wie viele Berufe Sie suchen", _("how many jobs you look for")),
    "salary_to_median": ("Ihr Gehaltswunsch im Vergleich zum üblichen Lohn",
                         _("your salary wish compared with the usual pay")),
    "market_unemployed_per_vacancy": ("wie viele Suchende auf eine Stelle kommen (Ihr Beruf, Ihre Region)",
                                      _("how many job-seekers there are per vacancy (your job, your region)")),
    "market_vacancy_trend": ("ob die Zahl der Stellen steigt oder sinkt", _("whether the number of vacancies rises")),
    "market_shortage_occupation": ("ob Ihr Beruf gesucht wird (Engpassberuf)",
                                   _("whether your job is in short supply")),
}

_OUTCOME_TEXT = {
    "eligible": ("erfüllt", _("met")),
    "ineligible": ("nicht erfüllt", _("not met")),
    "needs_review": ("Ihre Ansprechperson entscheidet", _("your counsellor decides")),
    "filtered": ("passt nicht zu Ihren Angaben, daher nicht angeboten",
                 _("does not fit what you told us, not offered")),
}

_HOW_IT_WORKS: list[tuple[str, str]] = [
    ("Lotse schlägt Ihnen Schritte für Ihre Jobsuche vor.",
     _("Lotse suggests steps for your job search.")),
    ("Ein Computer-Programm (KI) ordnet die Vorschläge. Es hat aus früheren Verläufen gelernt, was oft hilft.",
     _("A computer program (AI) orders the suggestions. It learned from past cases what often helps.")),
    ("Die KI nutzt nur Ihre Antworten zur Jobsuche und Zahlen zum Arbeitsmarkt.",
     _("The AI uses only your answers about your job search and labour-market figures.")),
    ("Geschlecht, Alter, Herkunft, Religion, Gesundheit oder Familie nutzt die KI nie.",
     _("The AI never uses gender, age, origin, religion, health or family.")),
    ("Die KI bewertet nicht Sie als Person. Sie entscheidet nicht über Geld oder Sanktionen.",
     _("The AI does not rate you as a person. It does not decide on money or sanctions.")),
    ("Über Förderungen und Geld-Leistungen entscheidet immer Ihre Ansprechperson im Jobcenter.",
     _("Your counsellor at the Jobcenter always decides on funding and benefits.")),
    ("Sie können der KI widersprechen. Dann bekommen Sie Tipps nach festen Regeln, ohne KI.",
     _("You can object to the AI. Then you get advice from fixed rules, without AI.")),
    ("Lotse will lernen, was wirklich hilft. Darum wählt manchmal der Zufall Ihre Selbsthilfe-Tipps aus.",
     _("Lotse wants to learn what really helps. So sometimes chance picks your self-help tips.")),
    ("Manchmal gelten zum Vergleich auch nur die festen Regeln. Förderungen und Leistungen betrifft das nie.",
     _("Sometimes only the fixed rules apply, for comparison. This never affects funding or benefits.")),
]
_RANDOMISED = ("Bei diesen Vorschlägen hat der Zufall mitbestimmt. Mehr dazu steht unten.",
               _("Chance helped choose these suggestions. More about this below."))
# The promise above is only true with this qualification (register: recommender.records.justified_features).
_JUSTIFIED_INTRO = (
    "Einige Ihrer Antworten hängen oft mit der Herkunft zusammen. Lotse nutzt sie nur, wo das Gesetz es "
    "erlaubt (§ 3 Abs. 2 AGG), und sagt hier, wofür:",
    _("Some of your answers often go along with origin. Lotse uses them only where the law allows it "
      "(§ 3 (2) AGG), and says here what for:"))
_RULES_MODE = ("Diese Tipps wurden ohne KI nach festen, offen gelegten Regeln geordnet.",
               _("These tips were ordered without AI, by fixed and published rules."))
_OBJECT = ("Widerspruch: Unter „Meine Daten“ können Sie Tipps ohne KI wählen (Art. 21 DSGVO).",
           _("Objection: under \u201cMy data\u201d you can choose advice without AI (GDPR Art 21)."))


# A rule with no legal basis of its own is one of Lotse's practical rules; it says so.
OWN_RULE = ("Regel von Lotse, keine gesetzliche Vorschrift", _("a Lotse rule, not a legal provision"))
APPROVAL_LABEL = ("Prüfung durch Ihre Ansprechperson", _("Check by your counsellor"))


class RuleApplied(BaseModel):
    rule_id: str
    name: str
    legal_basis: str
    outcome: str


class ItemExplanation(BaseModel):
    module_id: str
    rank: int
    title: str
    main_reasons: list[str]
    data_used: list[str]
    rules_applied: list[RuleApplied]


class ExplanationView(BaseModel):
    explanation_id: str
    decision_id: str
    locale: Locale
    mode: str
    model_version: str
    how_it_works: list[str]
    how_to_object: str
    items: list[ItemExplanation]
    ui_text_version: str


def feature_label(feature: str, locale: Locale) -> str:
    de, en = FEATURE_LABELS.get(feature, (feature, feature))
    return localise(de, en, locale)


def _rule(rule: dict[str, Any], locale: Locale, catalogue: Catalogue) -> RuleApplied:
    """A checked rule as the person reads it: its name, its legal basis and what it found."""
    de, en = _OUTCOME_TEXT.get(rule.get("outcome", ""), (rule.get("outcome", ""),) * 2)
    module = next((m for m in catalogue.modules if m.id == rule.get("module_id")), None)
    spec = next((r for r in module.eligibility if r.id == rule["rule_id"]), None) if module else None
    if rule["rule_id"] == APPROVAL_RULE_ID:
        name = localise(*APPROVAL_LABEL, locale)
    elif spec is not None and spec.label is not None:
        name = spec.label.get(locale)
    else:  # a rule of an older catalogue version: its id is all that is left
        name = rule["rule_id"].replace("_", " ")
    basis = rule.get("legal_basis") or (module.legal_basis if module else None) or localise(*OWN_RULE, locale)
    return RuleApplied(rule_id=rule["rule_id"], name=name, legal_basis=basis, outcome=localise(de, en, locale))


def explanation_view(session: Session, *, decision: Decision, locale: Locale) -> ExplanationView:
    """Everything the person may know about how their advice came about, in *locale*."""
    catalogue = load_catalogue()
    view = decision_view(session, decision=decision, locale=locale, audience="job_seeker", catalogue=catalogue)
    items = [
        ItemExplanation(
            module_id=item.module_id,
            rank=item.rank,
            title=item.title,
            main_reasons=item.reasons,
            data_used=[feature_label(f, locale) for f in item.data_used],
            rules_applied=[_rule(r, locale, catalogue) for r in item.rules_applied],
        )
        for item in view.items
        if item.visible
    ]
    how = [*(localise(de, en, locale) for de, en in _HOW_IT_WORKS), localise(*_JUSTIFIED_INTRO, locale),
           *(localise(j.plain_de, j.plain_en, locale) for j in JUSTIFIED_FEATURES.values())]
    if view.mode == "rules":
        how.insert(0, localise(*_RULES_MODE, locale))
    if decision.exploration:
        how.insert(0, localise(*_RANDOMISED, locale))
    return ExplanationView(
        explanation_id=sha256_hex({"decision": decision.id, "locale": locale, "ui": UI_TEXT_VERSION})[:16],
        decision_id=decision.id,
        locale=locale,
        mode=view.mode,
        model_version=view.model_version,
        how_it_works=how,
        how_to_object=localise(*_OBJECT, locale),
        items=items,
        ui_text_version=UI_TEXT_VERSION,
    )
