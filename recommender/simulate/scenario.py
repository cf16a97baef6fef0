"""Scenario files: a simulated world described as data (YAML), validated by pydantic.

A scenario sets the population marginals, the baseline job-finding model, each module's true
effect (from a small set of documented effect forms, each with its published source, G18)
and the logging policy. Anyone can write one to test the learner on a world of their own;
``docs/scenarios.md`` documents the schema. Everything a scenario produces is synthetic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from data.catalogue import Catalogue, yaml_line
from recommender.decide.features import ALLOWED_FEATURES
from recommender.errors import _SCENARIO_INVALID, ScenarioError

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "data" / "scenarios"
DEFAULT_SCENARIO = SCENARIO_DIR / "default.yaml"
HARD_SCENARIO = SCENARIO_DIR / "hard.yaml"

_UNKNOWN_FEATURE = "feature {name!r} is not an allowed feature; allowed: {allowed}"
_UNKNOWN_MODULE = "effect for unknown module {name!r}; catalogue ids: {known}"
_PROBS = "probabilities must sum to 1 (within 0.01), got {total:.3f}"
_Prob = Annotated[float, Field(ge=0.0, le=1.0)]


def _check_feature(name: str) -> str:
    if name not in ALLOWED_FEATURES:
        raise ValueError(_UNKNOWN_FEATURE.format(name=name, allowed=", ".join(ALLOWED_FEATURES)))
    return name


def _check_probs(value: dict[str, float]) -> dict[str, float]:
    total = sum(value.values())
    if abs(total - 1.0) > 0.01:
        raise ValueError(_PROBS.format(total=total))
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConstantTerm(_Strict):
    """The same effect for everybody."""

    form: Literal["constant"]
    value: float


class LinearTerm(_Strict):
    """``slope * (feature - center)``, clipped to [lower, upper]; unknown feature -> 0."""

    form: Literal["linear"]
    feature: str
    slope: float
    center: float = 0.0
    lower: float = -1.0
    upper: float = 1.0

    _feature = field_validator("feature")(_check_feature)


class MarketTerm(_Strict):
    """``value * tanh((unemployed_per_vacancy - center) / scale)``: grows with market slack."""

    form: Literal["market"]
    value: float
    center: float = 3.5
    scale: float = Field(default=2.0, gt=0)


class ThresholdTerm(_Strict):
    """``value`` where ``feature op threshold`` holds, else ``else_value`` (unknown -> else)."""

    form: Literal["threshold"]
    feature: str
    op: Literal["lt", "le", "gt", "ge", "eq"]
    threshold: float
    value: float
    else_value: float = 0.0

    _feature = field_validator("feature")(_check_feature)


Term = Annotated[ConstantTerm | LinearTerm | MarketTerm | ThresholdTerm, Field(discriminator="form")]


class ModuleEffect(_Strict):
    """True effect of one module on P(job within 6 months), in probability points."""

    module: str
    source: str = Field(min_length=3)
    terms: list[Term] = Field(min_length=1)
    noise_sd: float = Field(default=0.0, ge=0.0)
    lower: float = -0.2
    upper: float = 0.3


class Baseline(_Strict):
    """Logit of the job-finding probability without advice: intercept + terms + hidden noise."""

    source: str = Field(min_length=3)
    intercept: float
    terms: list[Term] = Field(default_factory=list)
    hidden_sd: float = Field(default=0.5, ge=0.0)
    childcare_logit: float = -0.4


class Population(_Strict):
    """Marginals of the simulated SGB II population (see docs/scenarios.md for sources)."""

    source: str = Field(min_length=3)
    share_women: _Prob = 0.48
    share_non_german: _Prob = 0.47
    age_mean: float = 39.0
    age_sd: float = Field(default=11.0, gt=0)
    months_unemployed_median: float = Field(default=14.0, gt=0)
    months_unemployed_sigma: float = Field(default=1.0, gt=0)
    school_german: dict[str, float] = {"none": 0.1, "hauptschule": 0.42, "realschule": 0.33, "abitur": 0.15}
    school_non_german: dict[str, float] = {"none": 0.2, "hauptschule": 0.12, "realschule": 0.1, "abitur": 0.1,
                                           "foreign": 0.48}
    vocational_none_german: _Prob = 0.5
    vocational_none_non_german: _Prob = 0.75
    foreign_qualification_non_german: _Prob = 0.45
    recognition_open: _Prob = 0.8
    german_level_non_german: dict[str, float] = {"A1": 0.15, "A2": 0.2, "B1": 0.3, "B2": 0.2, "C1": 0.1, "C2": 0.05}
    driving_licence_german: _Prob = 0.7
    driving_licence_non_german: _Prob = 0.45
    car_given_licence: _Prob = 0.55
    childcare_women: _Prob = 0.25
    childcare_men: _Prob = 0.05
    part_time_with_childcare: _Prob = 0.6  # SYNTHETIC assumption: most parents needing childcare seek part-time
    part_time_without_childcare: _Prob = 0.1
    # SYNTHETIC assumption: health limits are common in SGB II (IAB surveys report them for a large share,
    # figure unverified); each stated limit independently.
    health_limit_share: _Prob = 0.1
    physically_demanding: _Prob = 0.35  # share of target occupations in data/physical_demand.py (assumption)
    commute_median_minutes: float = Field(default=40.0, gt=0)
    commute_women_factor: float = Field(default=0.8, gt=0)
    narrow_search: _Prob = 0.55
    has_cv: _Prob = 0.75
    applications_mean: float = Field(default=8.0, gt=0)
    interview_rate_mean: _Prob = 0.12
    missing_share: _Prob = 0.08
    market_tension_median: float = Field(default=3.5, gt=0)
    market_tension_sigma: float = Field(default=0.7, gt=0)
    median_wage_mean: float = Field(default=3000.0, gt=0)
    median_wage_sd: float = Field(default=600.0, ge=0)

    _school_g = field_validator("school_german", "school_non_german", "german_level_non_german")(_check_probs)


class LoggingPolicy(_Strict):
    """How the logged data chose advice: known propensities, optionally confounded."""

    kind: Literal["uniform", "confounded"]
    control_share: float = Field(default=0.2, gt=0.0, lt=1.0)
    confounding: float = Field(default=0.0, ge=0.0)
    epsilon: float = Field(default=0.05, ge=0.0, le=1.0)
    source: str = "G16 (exploration with logged propensities)"


class Scenario(_Strict):
    """A whole simulated world."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    description: str = ""
    synthetic: Literal[True] = True
    reference_year: int = 2026
    population: Population
    baseline: Baseline
    effect_scale: float = Field(default=1.0, ge=0.0)
    effects: list[ModuleEffect]
    logging: LoggingPolicy

    def check_modules(self, catalogue: Catalogue, *, file: str = "<scenario>", node: yaml.Node | None = None) -> None:
        """Every effect must name a catalogue module (else ScenarioError with file and line)."""
        known = set(catalogue.ids)
        for index, effect in enumerate(self.effects):
            if effect.module not in known:
                line = yaml_line(node, ("effects", index, "module"))
                message = _UNKNOWN_MODULE.format(name=effect.module, known=", ".join(sorted(known)))
                raise ScenarioError(_SCENARIO_INVALID.format(file=file, line=line, message=message))


def load_scenario(path: Path, catalogue: Catalogue) -> Scenario:
    """Read and validate a scenario file; errors name the file and line.

    Parameters
    ----------
    path : Path
        A YAML scenario file (schema: docs/scenarios.md).
    catalogue : Catalogue
        Effects must name modules of this catalogue.

    Returns
    -------
    Scenario
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
        node = yaml.compose(text)
        raw = yaml.safe_load(text)
    except OSError as exc:
        raise ScenarioError(_SCENARIO_INVALID.format(file=file, line=0, message=f"cannot read: {exc}")) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise ScenarioError(_SCENARIO_INVALID.format(file=file, line=line, message=f"not valid YAML: {exc}")) from None
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = f"{where}: {first['msg'].removeprefix('Value error, ')}"
        line = yaml_line(node, tuple(first["loc"]))
        raise ScenarioError(_SCENARIO_INVALID.format(file=file, line=line, message=message)) from None
    scenario.check_modules(catalogue, file=file, node=node)
    return scenario
