"""Find occupations and skills mentioned in a short free text (a CV paragraph, a wish).

An EntityRuler over the official KldB job titles (OCCUPATION, with the 5-digit code as
entity id) and a small hand-written skills list (SKILL). Tokens are matched on a folded
``NORM`` (gender forms and plurals removed), so ``Staplerfahrerin`` and ``Staplerfahrer*innen``
find the same pattern as ``Staplerfahrer/in``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from recommender.occupations.classifier import get_classifier
from recommender.occupations.normalise import base_form, strip_gender_markers

# Written for Lotse: skills that Jobcenter job-seekers and postings mention often.
SKILLS: dict[str, tuple[str, ...]] = {
    "driving_licence_b": ("führerschein klasse b", "führerschein b", "pkw führerschein", "führerschein"),
    "driving_licence_ce": ("führerschein ce", "führerschein klasse ce", "lkw führerschein", "c ce"),
    "forklift_licence": ("staplerschein", "gabelstaplerschein", "flurförderzeugschein"),
    "ms_office": ("ms office", "microsoft office", "office kenntnisse"),
    "excel": ("excel",),
    "word": ("word",),
    "sap": ("sap",),
    "english": ("englisch", "englischkenntnisse"),
    "german": ("deutsch", "deutschkenntnisse"),
    "bookkeeping": ("buchhaltung", "finanzbuchhaltung", "lohnbuchhaltung"),
    "cash_register": ("kasse", "kassieren", "kassenabrechnung"),
    "customer_advice": ("kundenberatung", "kundenservice", "beratung"),
    "order_picking": ("kommissionierung", "kommissionieren"),
    "warehouse": ("lagerverwaltung", "wareneingang", "warenausgang", "inventur"),
    "welding": ("schweißen", "wig schweißen", "mag schweißen"),
    "cnc": ("cnc", "cnc programmierung"),
    "first_aid": ("erste hilfe", "ersthelfer"),
    "haccp": ("haccp", "hygieneschulung"),
    "care": ("grundpflege", "behandlungspflege"),
    "cleaning": ("reinigung", "unterhaltsreinigung", "glasreinigung"),
    "python": ("python",),
    "java": ("java",),
    "sql": ("sql",),
    "project_management": ("projektmanagement",),
    "sales": ("verkauf", "vertrieb"),
    "cooking": ("kochen",),
    "childcare": ("kinderbetreuung",),
    "security_34a": ("sachkundeprüfung", "34a"),
}
_MAX_PATTERN_WORDS = 4


@dataclass(frozen=True)
class ExtractedEntity:
    """One mention: ``label`` is OCCUPATION or SKILL; ``code`` the KldB code or skill id."""

    label: str
    text: str
    start_char: int
    end_char: int
    code: str


@Language.component("lotse_fold_norms")
def _fold_norms(doc: Doc) -> Doc:
    for token in doc:
        lemma = token.lemma_ or token.text
        folded = strip_gender_markers(lemma) or lemma
        token.norm_ = base_form(folded)
    return doc


def _patterns() -> list[dict[str, object]]:
    patterns: list[dict[str, object]] = []
    seen: set[tuple[str, ...]] = set()
    # The classifier's gazetteer already holds every official title in normalised form.
    for normalised, codes in get_classifier().gazetteer_.items():
        words = tuple(normalised.split())
        if not words or len(words) > _MAX_PATTERN_WORDS or words in seen or any(ch.isdigit() for ch in normalised):
            continue
        if len(words) == 1 and len(words[0]) < 5:
            continue
        seen.add(words)
        patterns.append({"label": "OCCUPATION", "id": codes[0], "pattern": [{"NORM": word} for word in words]})
    for skill, phrases in SKILLS.items():
        for phrase in phrases:
            forms = [base_form(word) for word in phrase.split()]
            if len(forms) == 1:  # also "Excel-Kenntnisse", "SAP-Erfahrung" (one token)
                pattern: list[dict[str, object]] = [{"NORM": {"REGEX": f"^{re.escape(forms[0])}(-[\\w-]+)?$"}}]
            else:
                pattern = [{"NORM": word} for word in forms]
            patterns.append({"label": "SKILL", "id": skill, "pattern": pattern})
    return patterns


@lru_cache(maxsize=1)
def extraction_pipeline() -> Language:
    """Blank German pipeline + lookup lemmatizer + norm folding + EntityRuler (built once)."""
    nlp = spacy.blank("de")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("lotse_fold_norms")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    nlp.initialize()
    # spaCy types add_pipe as returning any pipe callable; "entity_ruler" gives an EntityRuler.
    ruler.add_patterns(_patterns())  # type: ignore[attr-defined]
    return nlp


def extract_entities(text: str) -> list[ExtractedEntity]:
    """Occupations and skills mentioned in *text* (at most 5,000 characters are read).

    Examples
    --------
    >>> [e.label for e in extract_entities("Ich war Staplerfahrer und habe einen Staplerschein.")]
    ['OCCUPATION', 'SKILL']
    """
    doc = extraction_pipeline()(text[:5000])
    return [ExtractedEntity(ent.label_, ent.text, ent.start_char, ent.end_char, ent.ent_id_) for ent in doc.ents]
