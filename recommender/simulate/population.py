"""A simulated, SYNTHETIC job-seeker population where the true effect of every advice is known.

Why: real outcomes of a fresh installation do not exist yet, and even with logged data the
true uplift of advice a person did not get is never observed. The simulator produces a world
described by a scenario file (``recommender.simulate.scenario``) in which the learner can be checked
against the truth (the *oracle*: the true uplift of every module for every person).

The simulator writes the same encoded columns a real profile produces and then calls
:func:`recommender.decide.features.features_from_columns`, so the features are identical by
construction. Protected attributes (gender, birth year, citizenship group) are drawn first and
shape the other answers with realistic correlations (so proxy and fairness audits have
something to find), but they are returned in a separate frame that training never reads.
Everything is numpy-vectorised and deterministic per seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from data.catalogue import Catalogue, literal_values
from recommender.decide.features import ALLOWED_FEATURES, SHORTAGE_THRESHOLD, features_from_columns
from recommender.decide.guardrails import eligibility_matrix
from recommender.simulate.scenario import ConstantTerm, LinearTerm, MarketTerm, Scenario, ThresholdTerm

CONTROL = 0  # action code of "no advice"; module j of the catalogue has code j + 1


@dataclass
class SimulatedData:
    """Logged data plus the truth. ``tau`` is the oracle (n x modules), probability points."""

    scenario: str
    seed: int
    module_ids: list[str]
    features: np.ndarray  # (n, len(ALLOWED_FEATURES)) float32, columns in ALLOWED_FEATURES order
    eligible: np.ndarray  # (n, M) bool
    action: np.ndarray  # (n,) int16: 0 = control, j + 1 = module j
    propensity: np.ndarray  # (n,) float32, probability the logging policy chose ``action``
    outcome: np.ndarray  # (n,) int8, found work within 6 months
    p0: np.ndarray  # (n,) float32, true probability without advice
    tau: np.ndarray  # (n, M) float32, true uplift of each module (oracle)
    protected: dict[str, np.ndarray] = field(default_factory=dict)  # audit only, never a feature
    synthetic: bool = True
    tau_structural: np.ndarray | None = None  # (n, M) the oracle without person-level effect noise

    @property
    def n(self) -> int:
        return int(self.outcome.shape[0])

    def feature_dict(self) -> dict[str, np.ndarray]:
        return {name: self.features[:, j] for j, name in enumerate(ALLOWED_FEATURES)}

    def subset(self, index: np.ndarray) -> SimulatedData:
        return SimulatedData(
            self.scenario,
            self.seed,
            self.module_ids,
            self.features[index],
            self.eligible[index],
            self.action[index],
            self.propensity[index],
            self.outcome[index],
            self.p0[index],
            self.tau[index],
            {k: v[index] for k, v in self.protected.items()},
            self.synthetic,
            None if self.tau_structural is None else self.tau_structural[index],
        )


def _choice(rng: np.random.Generator, n: int, probs: dict[str, float], field_name: str) -> np.ndarray:
    labels = literal_values(field_name) or ()
    codes = np.array([labels.index(k) for k in probs], dtype=np.float64)
    p = np.array(list(probs.values()), dtype=np.float64)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def _population(
    scenario: Scenario, n: int, rng: np.random.Generator
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    pop = scenario.population
    women = rng.random(n) < pop.share_women
    non_german = rng.random(n) < pop.share_non_german
    age = np.clip(rng.normal(pop.age_mean, pop.age_sd, n), 18, 64).round()
    birth_year = scenario.reference_year - age

    c: dict[str, np.ndarray] = {}
    months = np.exp(
        np.log(pop.months_unemployed_median)
        + 0.015 * (age - pop.age_mean)
        + rng.normal(0, pop.months_unemployed_sigma, n)
    )
    c["months_unemployed"] = np.clip(months, 0, 240).round()
    c["school_leaving"] = np.where(
        non_german,
        _choice(rng, n, pop.school_non_german, "school_leaving"),
        _choice(rng, n, pop.school_german, "school_leaving"),
    )
    none_share = np.where(non_german, pop.vocational_none_non_german, pop.vocational_none_german)
    has_voc = rng.random(n) >= none_share
    voc_level = rng.choice([1, 2, 3, 4], size=n, p=[0.7, 0.12, 0.12, 0.06])
    c["vocational_qualification"] = np.where(has_voc, voc_level, 0).astype(np.float64)
    foreign_q = np.where(non_german, rng.random(n) < pop.foreign_qualification_non_german, rng.random(n) < 0.02)
    c["foreign_qualification"] = foreign_q.astype(np.float64)
    rec_labels = literal_values("recognition_status") or ()
    open_status = np.where(rng.random(n) < 0.2, rec_labels.index("in_progress"), rec_labels.index("not_started"))
    status = np.where(rng.random(n) < pop.recognition_open, open_status, rec_labels.index("recognised"))
    c["recognition_status"] = np.where(foreign_q, status, rec_labels.index("not_applicable")).astype(np.float64)
    german_levels = literal_values("german_level") or ()
    native = np.where(rng.random(n) < 0.95, german_levels.index("C2"), german_levels.index("C1"))
    c["german_level"] = np.where(non_german, _choice(rng, n, pop.german_level_non_german, "german_level"), native)
    apps = rng.poisson(pop.applications_mean * np.exp(-0.01 * np.minimum(c["months_unemployed"], 120)))
    c["applications_last_3_months"] = apps.astype(np.float64)
    rate = rng.beta(2, 2 / pop.interview_rate_mean - 2, n) * (0.6 + 0.08 * c["german_level"])
    c["interviews_last_3_months"] = rng.binomial(apps, np.clip(rate, 0, 1)).astype(np.float64)
    channel_p = {
        "job_boards": 0.7,
        "jobcenter": 0.6,
        "newspaper": 0.2,
        "personal_network": 0.35,
        "spontaneous": 0.2,
        "agency": 0.15,
        "social_media": 0.2,
    }
    count = np.zeros(n)
    for channel, p in channel_p.items():
        used = (rng.random(n) < p).astype(np.float64)
        c[f"search_channels={channel}"] = used
        count += used
    c["search_channels"] = count
    c["has_cv"] = (rng.random(n) < pop.has_cv).astype(np.float64)
    licence = rng.random(n) < np.where(non_german, pop.driving_licence_non_german, pop.driving_licence_german)
    c["driving_licence"] = licence.astype(np.float64)
    c["has_car"] = (licence & (rng.random(n) < pop.car_given_licence)).astype(np.float64)
    commute = (
        pop.commute_median_minutes * np.where(women, pop.commute_women_factor, 1.0) * np.exp(rng.normal(0, 0.4, n))
    )
    c["max_commute_minutes"] = np.clip(commute, 5, 180).round()
    c["willing_to_relocate"] = (rng.random(n) < 0.15).astype(np.float64)
    c["target_occupation"] = np.where(rng.random(n) < 0.92, 1.0, np.nan)
    c["alternative_occupations"] = np.where(rng.random(n) < pop.narrow_search, 0.0, rng.integers(1, 4, n))
    c["region_ags"] = np.ones(n)
    c["postcode"] = np.ones(n)
    c["target_occupation_text"] = np.ones(n)

    tension = np.exp(np.log(pop.market_tension_median) + rng.normal(0, pop.market_tension_sigma, n))
    wage = np.clip(rng.normal(pop.median_wage_mean, pop.median_wage_sd, n), 1800, 6500)
    c["market.unemployed_per_vacancy"] = tension
    c["market.vacancy_trend"] = rng.normal(0, 0.1, n)
    c["market.median_wage_eur"] = wage
    c["market.shortage_occupation"] = (tension < SHORTAGE_THRESHOLD).astype(np.float64)
    c["salary_expectation_eur"] = (wage * np.exp(rng.normal(0.05, 0.2, n))).round(-1)

    # Answers people leave out: each optional field missing independently.
    for name in (
        "months_unemployed",
        "school_leaving",
        "vocational_qualification",
        "german_level",
        "applications_last_3_months",
        "has_cv",
        "driving_licence",
        "max_commute_minutes",
        "salary_expectation_eur",
        "willing_to_relocate",
    ):
        c[name] = np.where(rng.random(n) < pop.missing_share, np.nan, c[name])
    drop = rng.random(n) < pop.missing_share
    c["interviews_last_3_months"] = np.where(
        np.isnan(c["applications_last_3_months"]) | drop, np.nan, c["interviews_last_3_months"]
    )
    unknown_channels = rng.random(n) < pop.missing_share
    for key in [k for k in c if k.startswith("search_channels")]:
        c[key] = np.where(unknown_channels, np.nan, c[key])

    childcare = rng.random(n) < np.where(women, pop.childcare_women, pop.childcare_men)
    c["constraints.childcare_needed"] = childcare.astype(np.float64)
    hours = literal_values("constraints.working_hours") or ()
    part_time = rng.random(n) < np.where(childcare, pop.part_time_with_childcare, pop.part_time_without_childcare)
    c["constraints.working_hours"] = np.where(part_time, hours.index("part_time"), hours.index("full_time")).astype(
        np.float64)
    c["occupation.physically_demanding"] = np.where(
        np.isnan(c["target_occupation"]), np.nan, (rng.random(n) < pop.physically_demanding).astype(np.float64))
    c["constraints.health_limits"] = np.zeros(n)
    for limit in literal_values("constraints.health_limits") or ():
        c[f"constraints.health_limits={limit}"] = (rng.random(n) < pop.health_limit_share).astype(np.float64)
    c["eligibility.birth_year"] = birth_year
    c["eligibility.receives_citizens_benefit"] = np.ones(n)

    protected = {
        "gender": np.where(women, "female", "male"),
        "age_band": np.select([age < 25, age < 50], ["under_25", "25_49"], "50_plus"),
        "citizenship_group": np.where(non_german, "non_german", "german"),
    }
    return c, protected


def _terms(terms: list, features: dict[str, np.ndarray], n: int) -> np.ndarray:
    total = np.zeros(n)
    for term in terms:
        if isinstance(term, ConstantTerm):
            total += term.value
        elif isinstance(term, LinearTerm):
            x = features[term.feature]
            total += np.where(np.isnan(x), 0.0, np.clip(term.slope * (x - term.center), term.lower, term.upper))
        elif isinstance(term, MarketTerm):
            tension = features["market_unemployed_per_vacancy"]
            total += term.value * np.tanh((tension - term.center) / term.scale)
        elif isinstance(term, ThresholdTerm):
            x = features[term.feature]
            with np.errstate(invalid="ignore"):
                cond = {
                    "lt": x < term.threshold,
                    "le": x <= term.threshold,
                    "gt": x > term.threshold,
                    "ge": x >= term.threshold,
                    "eq": x == term.threshold,
                }[term.op]
            total += np.where(cond & ~np.isnan(x), term.value, term.else_value)
    return total


def true_effects(
    scenario: Scenario, features: dict[str, np.ndarray], module_ids: list[str], rng: np.random.Generator | None
) -> np.ndarray:
    """The oracle: true uplift (probability points) of every module for every person."""
    n = len(features["months_unemployed"])
    tau = np.zeros((n, len(module_ids)), dtype=np.float32)
    by_module = {effect.module: effect for effect in scenario.effects}
    for j, module_id in enumerate(module_ids):
        effect = by_module.get(module_id)
        if effect is None:
            continue
        value = _terms(effect.terms, features, n) * scenario.effect_scale
        if effect.noise_sd > 0 and rng is not None:
            value = value + rng.normal(0, effect.noise_sd, n)
        tau[:, j] = np.clip(value, effect.lower, effect.upper)
    return tau


def _logging_probs(scenario: Scenario, eligible: np.ndarray, p0: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """Propensities (n x (M+1)); column 0 is "no advice"."""
    policy = scenario.logging
    n, m = eligible.shape
    logits = np.zeros((n, m), dtype=np.float64)
    if policy.kind == "confounded" and policy.confounding > 0:
        # Favour the modules that look effective on average for people who would find work anyway:
        # a naive learner then credits the module with the person's own good prospects.
        logit_p0 = np.log(p0 / (1 - p0))
        z = (logit_p0 - logit_p0.mean()) / (logit_p0.std() + 1e-9)
        mean_tau = np.where(eligible, tau, np.nan)
        g = np.nan_to_num(np.nanmean(mean_tau, axis=0))
        g = (g - g.mean()) / (g.std() + 1e-9)
        logits = policy.confounding * z[:, None] * g[None, :]
    weights = np.where(eligible, np.exp(logits - logits.max(axis=1, keepdims=True)), 0.0)
    counts = eligible.sum(axis=1, keepdims=True)
    has_any = counts[:, 0] > 0
    soft = np.divide(
        weights,
        weights.sum(axis=1, keepdims=True),
        out=np.zeros_like(weights),
        where=weights.sum(axis=1, keepdims=True) > 0,
    )
    uniform = np.divide(eligible, counts, out=np.zeros((n, m)), where=counts > 0)
    module_probs = (1 - policy.epsilon) * soft + policy.epsilon * uniform
    control = np.where(has_any, policy.control_share, 1.0)
    probs = np.empty((n, m + 1), dtype=np.float64)
    probs[:, 0] = control
    probs[:, 1:] = module_probs * (1 - control)[:, None]
    return probs


def simulate(
    scenario: Scenario, catalogue: Catalogue, n: int, *, seed: int = 42, progress: object | None = None
) -> SimulatedData:
    """Draw *n* synthetic job-seekers, their logged advice and outcomes, and the oracle.

    Parameters
    ----------
    scenario : Scenario
        The world: population, baseline, effects, logging policy.
    catalogue : Catalogue
        Modules in column order; eligibility uses the catalogue's own rules.
    n : int
        Number of people (rows).
    seed : int, default 42
        Same seed, same scenario, same catalogue -> identical data.
    progress : callable, optional
        Called with (step, total, description) after each stage, for progress bars.

    Returns
    -------
    SimulatedData
    """
    steps = 5

    def tick(step: int, text: str) -> None:
        if callable(progress):
            progress(step, steps, text)

    rng = np.random.default_rng(seed)
    module_ids = catalogue.ids
    columns, protected = _population(scenario, n, rng)
    tick(1, "population")
    features = features_from_columns(columns)
    eligible = eligibility_matrix(columns, catalogue, reference_year=scenario.reference_year)
    tick(2, "features and eligibility")
    base = scenario.baseline
    logit = (
        base.intercept
        + _terms(base.terms, features, n)
        + rng.normal(0, base.hidden_sd, n)
        + base.childcare_logit * columns["constraints.childcare_needed"]
    )
    p0 = 1.0 / (1.0 + np.exp(-logit))
    tau = true_effects(scenario, features, module_ids, rng)
    tau = np.minimum(tau, (0.995 - p0)[:, None]).astype(np.float32)
    tau = np.maximum(tau, (0.005 - p0)[:, None]).astype(np.float32)
    # What the profile can explain at best: the same effects without person-level noise.
    structural = true_effects(scenario, features, module_ids, None)
    structural = np.clip(structural, (0.005 - p0)[:, None], (0.995 - p0)[:, None]).astype(np.float32)
    tick(3, "baseline and true effects")
    probs = _logging_probs(scenario, eligible, p0, tau)
    cumulative = np.cumsum(probs, axis=1)
    draw = rng.random(n)[:, None] * cumulative[:, -1:]
    action = (draw > cumulative).sum(axis=1).astype(np.int16)
    action = np.minimum(action, len(module_ids))
    propensity = probs[np.arange(n), action].astype(np.float32)
    tick(4, "logging policy")
    treated = action > 0
    uplift = np.zeros(n, dtype=np.float64)
    uplift[treated] = tau[np.flatnonzero(treated), action[treated] - 1]
    outcome = (rng.random(n) < p0 + uplift).astype(np.int8)
    tick(5, "outcomes")
    matrix = np.column_stack([features[name] for name in ALLOWED_FEATURES]).astype(np.float32)
    return SimulatedData(
        scenario.name,
        seed,
        module_ids,
        matrix,
        eligible,
        action,
        propensity,
        outcome,
        p0.astype(np.float32),
        tau,
        protected,
        True,
        structural,
    )
