"""The onboarding questions: one topic per screen, each field saying why it is asked.

Labels are msgids (English) translated when rendered. Bounds come from ``models.schemas.Profile``
so the page and the schema cannot disagree about what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from api.i18n import lazy_gettext as _
from models.schemas import Profile

YES_NO = (("yes", _("Yes")), ("no", _("No")))


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str  # text | int | choice | bool | multi
    label: str
    why: str
    options: tuple[tuple[str, str], ...] = ()
    unit: str = ""
    maxlength: int = 200
    autocomplete: str = ""
    minimum: int | None = None
    maximum: int | None = None

    @property
    def html_id(self) -> str:
        return "f-" + self.name.replace(".", "-").replace("_", "-")


@dataclass(frozen=True)
class StepSpec:
    slug: str
    title: str
    intro: str
    fields: tuple[FieldSpec, ...] = field(default_factory=tuple)


def _bounds(name: str) -> tuple[int | None, int | None]:
    info = Profile.model_fields[name]
    low = high = None
    for meta in info.metadata:
        low = getattr(meta, "ge", low) if getattr(meta, "ge", None) is not None else low
        high = getattr(meta, "le", high) if getattr(meta, "le", None) is not None else high
    return low, high


def _int(name: str, label: str, why: str, unit: str = "") -> FieldSpec:
    low, high = _bounds(name)
    return FieldSpec(name, "int", label, why, unit=unit, minimum=low, maximum=high)


STEPS: tuple[StepSpec, ...] = (
    StepSpec("occupation", _("What work are you looking for?"),
             _("Name the job you would most like to do. Your own words are fine."),
             (FieldSpec("target_occupation_text", "text", _("Job you are looking for"),
                        _("We use it to find advice and labour-market figures for this job."),
                        autocomplete="off"),)),
    StepSpec("region", _("Where are you looking for work?"),
             _("The town or district (Kreis) where you want to work, or your postcode."),
             (FieldSpec("region_query", "text", _("Town or district"),
                        _("Labour-market figures differ between regions."), maxlength=100,
                        autocomplete="address-level2"),
              FieldSpec("postcode", "text", _("Postcode (optional)"),
                        _("Only needed if you do not know your district."), maxlength=5,
                        autocomplete="postal-code"))),
    StepSpec("education", _("School and training"),
             _("Your highest school-leaving certificate and vocational qualification."),
             (FieldSpec("school_leaving", "choice", _("School-leaving certificate"),
                        _("Some advice, such as further training, depends on it."),
                        options=(("none", _("None")), ("hauptschule", _("Hauptschulabschluss")),
                                 ("realschule", _("Realschulabschluss (Mittlere Reife)")),
                                 ("abitur", _("Abitur or Fachabitur")), ("foreign", _("From abroad")))),
              FieldSpec("vocational_qualification", "choice", _("Vocational qualification"),
                        _("Some advice, such as further training, depends on it."),
                        options=(("none", _("None")), ("apprenticeship", _("Apprenticeship")),
                                 ("master_technician", _("Master craftsman or technician")),
                                 ("bachelor", _("Bachelor's degree")),
                                 ("master_or_higher", _("Master's degree or higher")))))),
    StepSpec("languages", _("Qualifications from abroad and German"),
             _("Only if it applies to you."),
             (FieldSpec("foreign_qualification", "bool", _("Did you gain a qualification abroad?"),
                        _("Recognition of a foreign qualification can open up better jobs."), options=YES_NO),
              FieldSpec("recognition_status", "choice", _("Is it recognised in Germany?"),
                        _("We can point you to the recognition advice service."),
                        options=(("not_applicable", _("Does not apply")), ("recognised", _("Yes, recognised")),
                                 ("in_progress", _("Application in progress")),
                                 ("not_started", _("Not applied for yet")))),
              FieldSpec("german_level", "choice", _("Your German level"),
                        _("Language courses can be part of the advice."),
                        options=(("A1", "A1"), ("A2", "A2"), ("B1", "B1"), ("B2", "B2"), ("C1", "C1"),
                                 ("C2", _("C2 or native language")))))),
    StepSpec("time", _("How long have you been looking for work?"),
             _("Count the months since your last job ended."),
             (_int("months_unemployed", _("Months without work"),
                   _("After a long time without work, other kinds of support fit better."), unit=_("months")),)),
    StepSpec("search", _("Your search so far"),
             _("Roughly is fine. Think of the last three months."),
             (_int("applications_last_3_months", _("Applications sent"),
                   _("Shows whether more applications or better applications would help.")),
              _int("interviews_last_3_months", _("Job interviews"),
                   _("Shows whether interview training could help.")),
              FieldSpec("search_channels", "multi", _("Where do you look for jobs?"),
                        _("Other channels can bring new offers."),
                        options=(("job_boards", _("Job websites")), ("jobcenter", _("Jobcenter")),
                                 ("newspaper", _("Newspaper")), ("personal_network", _("Friends and family")),
                                 ("spontaneous", _("Unsolicited applications")), ("agency", _("Temp agencies")),
                                 ("social_media", _("Social media")))),
              FieldSpec("has_cv", "bool", _("Do you have an up-to-date CV?"),
                        _("A good CV is the basis of every application."), options=YES_NO))),
    StepSpec("mobility", _("Getting to work"),
             _("How far can you travel to work?"),
             (FieldSpec("driving_licence", "bool", _("Do you have a driving licence?"),
                        _("Many jobs need one; a licence can sometimes be funded."), options=YES_NO),
              FieldSpec("has_car", "bool", _("Do you have a car?"), _("It widens the area you can work in."),
                        options=YES_NO),
              _int("max_commute_minutes", _("Longest journey to work, one way"),
                   _("We only suggest jobs you can reach."), unit=_("minutes")),
              FieldSpec("willing_to_relocate", "bool", _("Would you move for a job?"),
                        _("Other regions may have more vacancies."), options=YES_NO))),
    StepSpec("situation", _("Your situation"),
             _("Only what you want to tell us. This is never used by the AI: it only removes advice that does "
               "not fit and can unlock support."),
             (FieldSpec("constraints.childcare_needed", "bool", _("Do you need childcare to work?"),
                        _("Childcare support can be arranged (§ 16a SGB II)."), options=YES_NO),
              FieldSpec("constraints.working_hours", "choice", _("Which working hours suit you?"),
                        _("We leave out advice that does not fit your hours."),
                        options=(("full_time", _("Full-time")), ("part_time", _("Part-time")),
                                 ("any", _("Either")))),
              FieldSpec("constraints.health_limits", "multi", _("Is there work you cannot do for health reasons?"),
                        _("Only used to leave out unsuitable advice. Never used by the AI."),
                        options=(("no_heavy_lifting", _("No heavy lifting")),
                                 ("no_night_shifts", _("No night shifts")),
                                 ("no_standing_work", _("No work standing all day")),
                                 ("no_driving", _("No driving"))))),),
    StepSpec("salary", _("Pay"),
             _("What gross monthly pay do you hope for?"),
             (_int("salary_expectation_eur", _("Gross monthly pay in euro"),
                   _("We compare it with the usual pay in your job."), unit=_("euro")),)),
)

STEP_SLUGS = tuple(step.slug for step in STEPS)


def step_by_slug(slug: str) -> StepSpec | None:
    return next((step for step in STEPS if step.slug == slug), None)
