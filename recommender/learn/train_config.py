"""The learner's settings, checked when they are made, with messages that say what is allowed.

Why check up front: a negative round count or a validation share of 2 does not fail inside
LightGBM, it trains a model that is quietly wrong (no trees, no held-out rows, no calibration).
Each setting has a type and a range; a wrong one raises :class:`TrainConfigError` naming the
setting, what it must be and what it got, in the manner of scikit-learn's parameter checks.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from recommender.errors import _TRAIN_CONFIG_INVALID, TrainConfigError

_MAX_ROUNDS = 10_000
_MAX_ROWS = 10_000_000

# setting -> (type, lowest, highest, lowest allowed itself, highest allowed itself)
_RULES: dict[str, tuple[type, float, float, bool, bool]] = {
    "baseline_rounds": (int, 1, _MAX_ROUNDS, True, True),
    "baseline_learning_rate": (float, 0.0, 1.0, False, True),
    "baseline_leaves": (int, 2, 4096, True, True),
    "effect_rounds": (int, 1, _MAX_ROUNDS, True, True),
    "effect_learning_rate": (float, 0.0, 1.0, False, True),
    "effect_early_stopping_rounds": (int, 1, _MAX_ROUNDS, True, True),
    "effect_depth": (int, 1, 8, True, True),
    "effect_min_data_in_leaf": (int, 1, _MAX_ROWS, True, True),
    "effect_min_gain_to_split": (float, 0.0, math.inf, True, False),
    "effect_lambda_l2": (float, 0.0, math.inf, True, False),
    "min_rows_per_action": (int, 2, _MAX_ROWS, True, True),
    "early_stopping_rounds": (int, 1, _MAX_ROUNDS, True, True),
    "weight_clip": (float, 1.0, math.inf, True, False),
    "validation_share": (float, 0.0, 1.0, False, False),
    "num_threads": (int, 1, 256, True, True),
    "seed": (int, 0, 2**31 - 1, True, True),
}


def _interval(low: float, high: float, low_closed: bool, high_closed: bool) -> str:
    def show(value: float) -> str:
        return "inf" if math.isinf(value) else str(int(value)) if value == int(value) else f"{value:g}"

    return f"{'[' if low_closed else '('}{show(low)}, {show(high)}{']' if high_closed else ')'}"


def _check(name: str, value: Any) -> None:
    kind, low, high, low_closed, high_closed = _RULES[name]
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    right_type = is_number and (kind is float or isinstance(value, int))
    inside = right_type and not math.isnan(value) and (low <= value if low_closed else low < value) and \
        (value <= high if high_closed else value < high)
    if not inside:
        raise TrainConfigError(_TRAIN_CONFIG_INVALID.format(
            name=name, kind="an int" if kind is int else "a float",
            interval=_interval(low, high, low_closed, high_closed), value=value))


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters; the defaults are the full model, :meth:`quick` the first-start one.

    Raises
    ------
    TrainConfigError
        If a setting has the wrong type or lies outside its range (the message says which).
    """

    baseline_rounds: int = 150
    baseline_learning_rate: float = 0.1
    baseline_leaves: int = 31
    effect_rounds: int = 400
    effect_learning_rate: float = 0.05
    effect_early_stopping_rounds: int = 80
    effect_depth: int = 1
    effect_min_data_in_leaf: int = 2000
    effect_min_gain_to_split: float = 5.0
    effect_lambda_l2: float = 10.0
    min_rows_per_action: int = 200
    early_stopping_rounds: int = 20
    weight_clip: float = 5.0
    validation_share: float = 0.15
    num_threads: int = 2
    seed: int = 42

    def __post_init__(self) -> None:
        for setting in fields(self):
            _check(setting.name, getattr(self, setting.name))

    @classmethod
    def quick(cls, **settings: Any) -> TrainConfig:
        """The small first-start model (about ten seconds on 60,000 rows); *settings* override it."""
        return replace(cls(baseline_rounds=60, effect_rounds=60, effect_learning_rate=0.08,
                           effect_min_data_in_leaf=300), **settings)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
