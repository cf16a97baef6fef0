"""Profile + labour market -> the model's feature vector, from an explicit allow-list (G2, G3).

One code path serves both a single live profile and a million simulated people: a profile is
first *encoded* into columns named like the catalogue's rule fields (``german_level``,
``search_channels=personal_network``, ``market.unemployed_per_vacancy`` ...), and
:func:`features_from_columns` turns such columns into features with numpy. The simulator
generates the encoded columns directly, so a model trained on simulated data reads exactly the
features :func:`build_features` computes for a real person.

``constraints`` and ``eligibility`` are encoded too, because the guardrails read them, but
:func:`features_from_columns` never touches them: the allow-list is checked on every call.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from data.catalogue import LIST_RULE_FIELDS, RULE_FIELDS, literal_values
from data.physical_demand import physically_demanding
from models.schemas import Profile
from recommender.errors import _NOT_ALLOWED_FEATURE, _PROTECTED_FEATURE, ProtectedAttributeError
from recommender.records.protected import denied_names, protected_category

FEATURE_SET_VERSION = "fs-2026.11-1"

ALLOWED_FEATURES: tuple[str, ...] = (
    "months_unemployed",
    "school_level",
    "vocational_level",
    "recognition_open",
    "german_level",
    "applications_3m",
    "interviews_3m",
    "interview_rate",
    "search_channel_count",
    "uses_job_boards",
    "uses_network",
    "uses_spontaneous",
    "has_cv",
    "driving_licence",
    "has_car",
    "max_commute_minutes",
    "willing_to_relocate",
    "target_occupations_count",
    "salary_to_median",
    "market_unemployed_per_vacancy",
    "market_vacancy_trend",
    "market_shortage_occupation",
)
MODULE_FEATURE = "module"
# An empty list here means "not answered", not "none".
_EMPTY_IS_UNKNOWN = frozenset({"search_channels"})

# Rough national figures used when the occupation x region statistics are unknown; they are
# labelled illustrative wherever they are shown. BA Statistik reports roughly 3-4 unemployed
# per registered vacancy overall in 2024/25 (rounded, unverified for each region).
DEFAULT_UNEMPLOYED_PER_VACANCY = 3.5
SHORTAGE_THRESHOLD = 1.5  # below this many unemployed per vacancy the occupation counts as a shortage one


@dataclass(frozen=True)
class MarketContext:
    """Labour-market statistics of the person's target occupation in their region.

    ``illustrative`` is True when the figures are national defaults or synthetic, so the UI
    and the decision log can say so.
    """

    unemployed_per_vacancy: float = DEFAULT_UNEMPLOYED_PER_VACANCY
    vacancy_trend: float = 0.0  # relative change of vacancies over 12 months, e.g. -0.1
    median_wage_eur: float | None = None
    illustrative: bool = True
    shortage_occupation: bool | None = None

    @classmethod
    def unknown(cls) -> MarketContext:
        """National defaults, marked illustrative."""
        return cls()

    def is_shortage(self) -> bool:
        if self.shortage_occupation is not None:
            return self.shortage_occupation
        return self.unemployed_per_vacancy < SHORTAGE_THRESHOLD


def _check_allowed(names: list[str]) -> None:
    protected = denied_names(names)
    if protected:
        categories = sorted({protected_category(n) or "" for n in protected})
        raise ProtectedAttributeError(_PROTECTED_FEATURE.format(
            names=", ".join(protected), categories=", ".join(categories), allowed=", ".join(ALLOWED_FEATURES)))
    unknown = [n for n in names if n not in ALLOWED_FEATURES]
    if unknown:
        raise ProtectedAttributeError(_NOT_ALLOWED_FEATURE.format(names=", ".join(unknown),
                                                                  allowed=", ".join(ALLOWED_FEATURES)))


# The allow-list itself must never contain a protected name; fail at import, not in production.
_check_allowed(list(ALLOWED_FEATURES))


def literal_code(field: str, value: Any) -> float:
    """The numeric code of a literal value (its position in the schema), or the number itself."""
    if value is None:
        return np.nan
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    allowed = literal_values(field)
    if allowed is not None:
        return float(allowed.index(str(value)))
    if isinstance(value, int | float):
        return float(value)
    return 1.0  # free text / codes: only "present" matters to rules


def encode_profile(profile: Profile, market: MarketContext) -> dict[str, np.ndarray]:
    """One profile as length-1 columns named like the catalogue's rule fields.

    Contradictory answers (more interviews than applications; a recognition status without a
    foreign qualification) are treated as unknown rather than guessed.
    """
    data = profile.model_dump()
    columns: dict[str, np.ndarray] = {}
    for field in RULE_FIELDS:
        if field.startswith(("market.", "occupation.")):
            continue
        head, _, tail = field.partition(".")
        value = data[head][tail] if tail else data[head]
        if field in LIST_RULE_FIELDS:
            items = list(value or [])
            unknown = not items and field in _EMPTY_IS_UNKNOWN
            columns[field] = np.array([np.nan if unknown else float(len(items))])
            for option in literal_values(field) or ():
                columns[f"{field}={option}"] = np.array([np.nan if unknown else float(option in items)])
        else:
            columns[field] = np.array([literal_code(field, value)])
    columns.update(market_columns(market))
    columns["occupation.physically_demanding"] = np.array(
        [literal_code("occupation.physically_demanding", physically_demanding(profile.target_occupation))])
    _clear_contradictions(columns)
    return columns


def market_columns(market: MarketContext, n: int = 1) -> dict[str, np.ndarray]:
    median = np.nan if market.median_wage_eur is None else float(market.median_wage_eur)
    return {
        "market.unemployed_per_vacancy": np.full(n, float(market.unemployed_per_vacancy)),
        "market.vacancy_trend": np.full(n, float(market.vacancy_trend)),
        "market.median_wage_eur": np.full(n, median),
        "market.shortage_occupation": np.full(n, float(market.is_shortage())),
    }


def contradictory_fields(columns: Mapping[str, np.ndarray]) -> list[str]:
    """Field names whose answers contradict each other in the first row of *columns*."""
    found: list[str] = []
    apps, interviews = columns["applications_last_3_months"][0], columns["interviews_last_3_months"][0]
    if not np.isnan(apps) and not np.isnan(interviews) and interviews > apps:
        found += ["applications_last_3_months", "interviews_last_3_months"]
    recognition = columns["recognition_status"][0]
    foreign = columns["foreign_qualification"][0]
    not_applicable = (literal_values("recognition_status") or ()).index("not_applicable")
    if foreign == 0.0 and not np.isnan(recognition) and recognition != not_applicable:
        found += ["foreign_qualification", "recognition_status"]
    return found


def _clear_contradictions(columns: dict[str, np.ndarray]) -> None:
    for field in contradictory_fields(columns):
        columns[field] = np.array([np.nan])


def _level(field: str, column: np.ndarray, *, unknown: tuple[str, ...] = (), offset: float = 0.0) -> np.ndarray:
    values = literal_values(field) or ()
    out = column.astype(np.float64) + offset
    for label in unknown:
        out = np.where(column == values.index(label), np.nan, out)
    return out


def features_from_columns(columns: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Vectorised feature builder over encoded columns (one array per rule field).

    Parameters
    ----------
    columns : mapping of str to ndarray of shape (n,)
        Encoded profile and market columns, as :func:`encode_profile` or the simulator make them.

    Returns
    -------
    dict of str to ndarray of shape (n,)
        Exactly the names in :data:`ALLOWED_FEATURES`, NaN where unknown.
    """
    c = columns
    apps = c["applications_last_3_months"]
    interviews = c["interviews_last_3_months"]
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(apps > 0, interviews / apps, np.nan)
        salary_ratio = c["salary_expectation_eur"] / c["market.median_wage_eur"]
    foreign = c["foreign_qualification"]
    status = c["recognition_status"]
    labels = literal_values("recognition_status") or ()
    open_codes = [labels.index("in_progress"), labels.index("not_started")]
    recognition_open = np.where(
        foreign == 0.0, 0.0,
        np.where(foreign == 1.0,
                 np.where(np.isin(status, open_codes), 1.0,
                          np.where(status == labels.index("recognised"), 0.0, np.nan)),
                 np.nan))
    target = c["target_occupation"]
    alternatives = c["alternative_occupations"]
    occupations = np.where(np.isnan(target) & (alternatives == 0), np.nan, np.nan_to_num(target) + alternatives)
    features = {
        "months_unemployed": c["months_unemployed"],
        "school_level": _level("school_leaving", c["school_leaving"], unknown=("foreign",)),
        "vocational_level": _level("vocational_qualification", c["vocational_qualification"]),
        "recognition_open": recognition_open,
        "german_level": _level("german_level", c["german_level"], offset=1.0),
        "applications_3m": apps,
        "interviews_3m": interviews,
        "interview_rate": rate,
        "search_channel_count": c["search_channels"],
        "uses_job_boards": c["search_channels=job_boards"],
        "uses_network": c["search_channels=personal_network"],
        "uses_spontaneous": c["search_channels=spontaneous"],
        "has_cv": c["has_cv"],
        "driving_licence": c["driving_licence"],
        "has_car": c["has_car"],
        "max_commute_minutes": c["max_commute_minutes"],
        "willing_to_relocate": c["willing_to_relocate"],
        "target_occupations_count": occupations,
        "salary_to_median": salary_ratio,
        "market_unemployed_per_vacancy": c["market.unemployed_per_vacancy"],
        "market_vacancy_trend": c["market.vacancy_trend"],
        "market_shortage_occupation": c["market.shortage_occupation"],
    }
    _check_allowed(list(features))
    return {name: np.asarray(features[name], dtype=np.float64) for name in ALLOWED_FEATURES}


def build_features(profile: Profile, market: MarketContext) -> dict[str, float]:
    """The model's feature vector for one person (allow-listed names only, NaN = unknown).

    Parameters
    ----------
    profile : Profile
        The validated profile; its ``constraints`` and ``eligibility`` never reach the result.
    market : MarketContext
        Labour-market statistics of the target occupation and region.

    Returns
    -------
    dict of str to float
        One value per name in :data:`ALLOWED_FEATURES`.

    Raises
    ------
    ProtectedAttributeError
        If a deny-listed or unlisted name would enter the feature vector.
    """
    columns = encode_profile(profile, market)
    return {name: float(values[0]) for name, values in features_from_columns(columns).items()}


def check_feature_names(names: list[str]) -> None:
    """Raise :class:`ProtectedAttributeError` unless every name is allowed (``module`` included)."""
    _check_allowed([n for n in names if n != MODULE_FEATURE])
