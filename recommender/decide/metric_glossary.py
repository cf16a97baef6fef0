"""What each stored model metric measures, on which scale, and how it is shown (rounded, with its unit).

Why: a reviewer reading "qini_coefficient: 0.004925414055898581" cannot tell whether that is
good, small, a share or a probability. Every stored metric the model card shows goes through
:func:`describe`: a rounded value with its unit and one sentence saying what it means and which
direction is better. Figures without an entry are shown rounded and say so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal


def _(message: str) -> str:
    """Mark a meaning as an English msgid (api/locales): the model report page shows it translated."""
    return message


Scale = Literal["share", "ratio", "auc", "points", "probability", "seconds", "flag", "text"]
UNDESCRIBED = _("no description yet (raw figure, rounded)")


@dataclass(frozen=True)
class Metric:
    scale: Scale
    meaning: str


GLOSSARY: dict[str, Metric] = {
    "share_of_oracle_top3": Metric("share", _("share of the best possible top-3 uplift the model reaches on held-out "
                                            "SIMULATED people (the oracle knows the true effects); higher is better")),
    "uplift_vs_rules_top3": Metric("ratio", _("top-3 true uplift of the model divided by that of the rules baseline; "
                                            "above 1 means better than the rules")),
    "ceiling_share_top3": Metric("share", _("share of the oracle a model that knew each person's true effects could "
                                          "reach under the same eligibility rules (the ceiling for the figure above)")),
    "outcome_auc": Metric("auc", _("how well the predicted chance of finding work orders who finds work "
                                 "(0.5 = chance, 1 = perfect); above 0.95 suggests leakage")),
    "brier": Metric("probability", _("mean squared error of the predicted chance of finding work "
                                   "(0 = perfect, 0.25 = guessing 50 %); lower is better")),
    "ope_dr_top1": Metric("text", _("doubly robust off-policy estimate of the chance of finding work if everybody "
                                  "got the model's first module, with its 95 % CI and (simulated data) its error "
                                  "against the truth")),
    "qini_coefficient": Metric("points", _("area between the model's cumulative true-uplift curve and random "
                                         "targeting, per person (0 = no better than random); higher is better")),
    "evaluated_on": Metric("text", _("the people the figures above were computed on")),
    "quick": Metric("flag", _("the small first-start model (fewer rounds), not the full one")),
    "simulate_seconds": Metric("seconds", _("time to simulate the training data")),
    "train_seconds": Metric("seconds", _("time to train")),
    "evaluate_seconds": Metric("seconds", _("time to evaluate on held-out people")),
}


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.4g}")
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def format_value(value: Any, scale: Scale) -> str:
    """*value* rounded and with its unit (a share as a percentage, uplift in percentage points)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value if isinstance(value, str) else json.dumps(_rounded(value), sort_keys=True)
    formats = {"share": f"{value:.1%}", "ratio": f"{value:.2f}x", "auc": f"{value:.3f}",
               "points": f"{100 * value:.2f} percentage points", "probability": f"{value:.4f}",
               "seconds": f"{value:.1f} s"}
    return formats.get(scale, f"{value:.4g}")


def describe(name: str, value: Any) -> tuple[str, str]:
    """``(shown value, meaning)`` for one metric."""
    metric = GLOSSARY.get(name)
    if metric is None:
        return format_value(value, "text"), UNDESCRIBED
    return format_value(value, metric.scale), metric.meaning
