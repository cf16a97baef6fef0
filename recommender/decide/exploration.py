"""Which eligible modules a decision shows, drawn so that the log can teach a model what advice does (G16, G18).

Why: if every eligible self-help module is always shown, the log never contains a comparable
person who did *not* get it, and no model can learn its effect (uplift). So a small, random,
logged share of decisions deviates from the model, only where the rules allow it:

- **model** arm (the rest): the model's top :data:`MAX_ITEMS` eligible modules;
- **explore** arm (``rate``): review items (funded measures, benefits needing a counsellor) keep
  their place and are never withheld; every eligible self-help module is shown independently
  with probability :data:`SHOW_PROBABILITY` (a coin per module, so the effect of one module is
  not mixed up with another's), and if more come up than there are self-help places, a random
  choice of them fills the places;
- **control** arm (``control_share``): the rules baseline (the hand-written ranking a
  counsellor would recognise), as a randomised comparison group for the model.

Nothing a counsellor approved is touched: approval happens after this choice, on what is shown.
For every eligible module the probability that this policy shows it to this person is computed
exactly and logged (``shown_probability``), with the arm, the rates and :data:`POLICY_VERSION`;
the learner weights each row by it (inverse propensity), and a module with probability 0 or 1
for everyone teaches nothing and is reported as such.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from math import comb
from typing import Any, Literal

POLICY_VERSION = "explore-coin-v1"
SHOW_PROBABILITY = 0.5
MAX_ITEMS = 8
Arm = Literal["model", "explore", "control", "rules"]
_RATES = "exploration rate {rate} plus control share {control} must lie between 0 and 0.5"


@dataclass(frozen=True)
class ExplorationConfig:
    """Shares of decisions in the explore and control arms (LOTSE_EXPLORATION_RATE, LOTSE_CONTROL_SHARE)."""

    rate: float = 0.1
    control_share: float = 0.05

    def __post_init__(self) -> None:
        if min(self.rate, self.control_share) < 0 or self.rate + self.control_share > 0.5:
            raise ValueError(_RATES.format(rate=self.rate, control=self.control_share))


@dataclass(frozen=True)
class ShownChoice:
    """What one decision shows, in order, and how likely the policy was to show each eligible module."""

    order: list[str]
    shown_probability: dict[str, float]  # every eligible module
    arm: Arm
    rate: float
    control_share: float
    policy_version: str = POLICY_VERSION

    def as_log(self) -> dict[str, Any]:
        """JSON for the decision log; module ids are values, never keys (the log's key scan stays meaningful).

        ``not_shown`` holds ``[module_id, probability]`` for each eligible module that was not
        shown; a shown module's probability is its item's ``propensity`` and its place the item's
        ``rank``, rows the event binds (issue 16: before, ``order`` and ``shown_probability`` for
        every eligible module repeated them).
        """
        logged = {k: v for k, v in asdict(self).items() if k not in ("order", "shown_probability")}
        shown = set(self.order)
        return {**logged, "not_shown": [[m, p] for m, p in self.shown_probability.items() if m not in shown]}


def _explore(model_order: list[str], review: set[str], rng: random.Random) -> list[str]:
    top = model_order[:MAX_ITEMS]
    places = sum(1 for m in top if m not in review)
    heads = [m for m in model_order if m not in review and rng.random() < SHOW_PROBABILITY]
    chosen = iter(rng.sample(heads, min(places, len(heads))))
    return [m for m in (m if m in review else next(chosen, None) for m in top) if m is not None]


def explore_probability(self_help: int, places: int, q: float = SHOW_PROBABILITY) -> float:
    """P(a given self-help module is shown | explore arm): its coin, then a place among the others' heads."""
    others = self_help - 1
    return q * sum(comb(others, b) * q ** b * (1 - q) ** (others - b) * min(1.0, places / (b + 1))
                   for b in range(others + 1))


def choose_shown(model_order: list[str], rules_order: list[str], review: set[str], config: ExplorationConfig,
                 rng: random.Random) -> ShownChoice:
    """Draw the arm and the shown modules; *model_order* and *rules_order* rank the same eligible modules.

    Parameters
    ----------
    model_order : list of str
        Eligible modules by the model's uplift, best first.
    rules_order : list of str
        The same modules by the rules baseline.
    review : set of str
        Modules needing a counsellor's approval (funded measures, benefits): never randomised.
    """
    top, rules_top = set(model_order[:MAX_ITEMS]), set(rules_order[:MAX_ITEMS])
    self_help = [m for m in model_order if m not in review]
    places = sum(1 for m in model_order[:MAX_ITEMS] if m not in review)
    explore_share = explore_probability(len(self_help), places) if self_help else 0.0
    model_share = 1 - config.rate - config.control_share
    probability = {}
    for m in model_order:
        explored = float(m in top) if m in review else explore_share
        probability[m] = round(model_share * (m in top) + config.rate * explored
                               + config.control_share * (m in rules_top), 6)
    draw = rng.random()
    if draw < config.control_share:
        return ShownChoice(rules_order[:MAX_ITEMS], probability, "control", config.rate, config.control_share)
    if draw < config.control_share + config.rate:
        return ShownChoice(_explore(model_order, review, rng), probability, "explore", config.rate,
                           config.control_share)
    return ShownChoice(model_order[:MAX_ITEMS], probability, "model", config.rate, config.control_share)


def rules_only(rules_order: list[str]) -> ShownChoice:
    """Rules mode (kill switch, objection, no model): the rules' top modules, with certainty."""
    shown = rules_order[:MAX_ITEMS]
    return ShownChoice(shown, {m: float(m in shown) for m in rules_order}, "rules", 0.0, 0.0)
