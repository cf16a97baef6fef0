"""The time split: a model learns from decisions before a date and is judged on decisions after it.

Why by time and not at random: a deployed model is always judged on people it has not met yet,
under a market that has moved on. A random split would let the evaluation see the same weeks
(and the same counsellors' habits) the model learned from and flatter it. The split date is
stored on the model card (``metrics.training_data.split_at``) so ``lotse evaluate --candidate``
reads exactly the decisions the model never saw.

Default: the last :data:`HELD_OUT_SHARE` of the time span of usable decisions (closed outcome
window) is held out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.engine import Engine

from recommender.learn.training_data import ExtractConfig, TrainingDataError, decision_time_range

HELD_OUT_SHARE = 0.2
NO_DECISIONS = "no usable logged decisions to split (the outcome window of {window} days must have closed)"


def split_time(engine: Engine, config: ExtractConfig, *, held_out_share: float = HELD_OUT_SHARE) -> datetime:
    """The date that leaves the last *held_out_share* of the decisions' time span for evaluation."""
    span = decision_time_range(engine, config)
    if span is None:
        raise TrainingDataError(NO_DECISIONS.format(window=config.window_days))
    first, last = span
    return first + (last - first) * (1 - held_out_share)


def before(config: ExtractConfig, split_at: datetime) -> ExtractConfig:
    """The training part: decisions strictly before *split_at*."""
    return replace(config, decided_before=split_at, decided_from=None)


def after(config: ExtractConfig, split_at: datetime) -> ExtractConfig:
    """The held-out part: decisions from *split_at* on."""
    return replace(config, decided_from=split_at, decided_before=None)
