"""The register of features that are legally justified although they correlate with origin (G4).

No protected attribute is a feature (G2), but some answers a counsellor rightly asks about
differ between groups: German skills, recognition of a qualification from abroad, school and
driving licence differ by citizenship. Using them is indirect unequal treatment unless it is
objectively justified by a legitimate aim, with appropriate and necessary means (§ 3 Abs. 2
AGG). Each feature listed here names that justification. The proxy gate measures how well the
features reveal a protected attribute with and without them, and blocks only on the rest
(``recommender.evaluate.proxies``); the model card and the explanation page list them in plain
words, so the promise "Herkunft nutzt die KI nie" is never made without this qualification.
"""

from __future__ import annotations

from dataclasses import dataclass

_ = str  # marks the English msgid for extraction; data.languages.localise translates it


@dataclass(frozen=True)
class Justification:
    """Why a feature may be used although it correlates with a protected attribute."""

    feature: str
    correlates_with: str
    legal_reason: str
    plain_de: str
    plain_en: str


_AIM = "§ 3 Abs. 2 AGG: legitimate aim integration into work (§ 1 Abs. 2, § 14 SGB II)"
JUSTIFIED_FEATURES: dict[str, Justification] = {j.feature: j for j in (
    Justification(
        "german_level", "nationality",
        f"{_AIM}; German is needed for most jobs and is the condition of the job German course "
        "(§ 45a AufenthG, DeuFöV); the level is the person's own answer, never inferred",
        "Lotse nutzt Ihre Deutschkenntnisse, um Ihnen einen passenden Sprachkurs und Schritte "
        "vorzuschlagen, die zu Ihrem Deutsch passen.",
        _("Lotse uses your German skills to suggest a fitting language course and steps that suit your German.")),
    Justification(
        "recognition_open", "nationality",
        f"{_AIM}; recognition exists only for qualifications from abroad (BQFG) and is offered "
        "only while it is open",
        "Lotse nutzt, ob Ihr Abschluss aus dem Ausland noch anerkannt werden muss, um Ihnen die "
        "Anerkennung vorzuschlagen.",
        _("Lotse uses whether your qualification from abroad still needs recognition, to suggest getting it "
          "recognised.")),
    Justification(
        "school_level", "nationality",
        f"{_AIM}; a school-leaving certificate is a formal entry condition of training and many "
        "jobs (§ 81 Abs. 3 SGB III); a certificate from abroad counts as unknown, never as lower",
        "Lotse nutzt Ihren Schulabschluss, um Ihnen Schritte vorzuschlagen, für die er zählt, "
        "zum Beispiel einen Abschluss nachzuholen.",
        _("Lotse uses your school-leaving certificate to suggest steps where it counts, such as catching it up.")),
    Justification(
        "driving_licence", "nationality",
        f"{_AIM}; many jobs require a licence, and the placement budget can fund one "
        "(§ 44 SGB III)",
        "Lotse nutzt, ob Sie einen Führerschein haben, weil viele Stellen ihn verlangen und das "
        "Jobcenter ihn fördern kann.",
        _("Lotse uses whether you have a driving licence, because many jobs need one and the Jobcenter can fund it.")),
    Justification(
        "has_car", "nationality",
        f"{_AIM}; which jobs a person can reach decides which search advice helps "
        "(reasonable commute, § 10 SGB II)",
        "Lotse nutzt, ob Sie ein Auto haben, um nur Stellen vorzuschlagen, die Sie erreichen können.",
        _("Lotse uses whether you have a car, so that it only suggests jobs you can reach.")),
)}


def declared_features() -> tuple[str, ...]:
    """Names of the registered features, in register order."""
    return tuple(JUSTIFIED_FEATURES)
