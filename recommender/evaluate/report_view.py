"""A stored model's card and report, as data a staff page renders in the reader's language.

The self-contained ``report.html`` (``recommender.evaluate.model_report``) is English and carries
inline styles and images, which the app's Content-Security-Policy rightly refuses to show; it stays
the archived download. This module reads the same evidence, ``meta.json`` and ``report.json``
beside the model, and hands the page plain values: gate results, policy values with their
confidence intervals, fairness alerts, the card's facts and metrics. Nothing is computed anew, so
the page and the archived report cannot disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from recommender.decide.metric_glossary import GLOSSARY, UNDESCRIBED, describe
from recommender.decide.model_meta import StoredMeta
from recommender.decide.registry import ModelRegistry
from recommender.errors import ModelLoadError
from recommender.evaluate.gates import REPORT_JSON
from recommender.records.justified_features import JUSTIFIED_FEATURES, Justification

POLICIES = ("learned", "rules", "random", "oracle", "no_advice")


@dataclass(frozen=True)
class GateRow:
    gate: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Interval:
    """A value with its 95 % CI, in percentage points when it is a probability difference."""

    name: str
    value: float
    low: float
    high: float


@dataclass(frozen=True)
class AlertRow:
    attribute: str
    kind: str  # "ratio" or "calibration"
    metric: str  # e.g. exposure_if_eligible
    module_id: str | None
    value: float | None  # the ratio, or the calibration gap
    low: float | None
    high: float | None
    lowest_group: str | None
    funded: bool
    clear: bool  # the whole CI is below the line


@dataclass(frozen=True)
class MetricRow:
    name: str
    shown: str
    meaning: str  # an English msgid of the glossary (the page translates it), or UNDESCRIBED


@dataclass(frozen=True)
class ReportView:
    version: str
    stage: str
    active: bool
    meta: StoredMeta
    generated_at: str | None
    gates: list[GateRow]
    policy_values: list[Interval]
    held_out: list[Interval]
    held_out_source: str | None
    qini_points: float | None
    alerts: list[AlertRow]
    fairness_people: int | None
    metrics: list[MetricRow]
    justified: list[Justification] = field(default_factory=list)

    @property
    def has_report(self) -> bool:
        return self.generated_at is not None

    @property
    def generated(self) -> datetime | None:
        """When the report was written, for the page to show in Berlin time."""
        return _moment(self.generated_at)

    @property
    def created(self) -> datetime | None:
        """When the model was stored."""
        return _moment(self.meta.created_at)


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def _alert(raw: dict[str, Any]) -> AlertRow:
    kind, _, module = str(raw.get("metric", "")).partition(":")
    interval = raw.get("ratio_ci") or [None, None]
    value = raw.get("ratio") if raw.get("kind") == "ratio" else raw.get("difference")
    return AlertRow(attribute=str(raw.get("attribute", "")), kind=str(raw.get("kind", "")), metric=kind,
                    module_id=module or None, value=value, low=interval[0], high=interval[1],
                    lowest_group=raw.get("lowest_group"), funded=bool(raw.get("funded")),
                    clear=bool(raw.get("clear")))


def _metric(name: str, value: Any) -> MetricRow:
    shown, meaning = describe(name, value)
    return MetricRow(name, str(shown), meaning if name in GLOSSARY else UNDESCRIBED)


def report_view(registry: ModelRegistry, version: str) -> ReportView | None:
    """The card and stored report of *version*; None for a version the registry does not hold.

    A version without ``report.json`` still gets its card (``has_report`` is False then).
    """
    if version not in registry.versions():
        return None
    try:
        meta = registry.meta(version)
    except ModelLoadError:  # unusable meta.json: the model list names the problem
        return None
    path = registry.root / version / REPORT_JSON
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    simulation = report.get("simulation") or {}
    values = simulation.get("policy_value_top1_true_uplift") or {}
    held_out = report.get("held_out") or {}
    fairness = report.get("fairness") or {}
    qini = simulation.get("qini_coefficient")
    stage = registry.stage(version)
    return ReportView(
        version=version, stage=stage, active=stage == "production", meta=meta,
        generated_at=report.get("generated_at") if report else None,
        gates=[GateRow(str(g["gate"]), bool(g["passed"]), str(g.get("detail", ""))) for g in report.get("gates") or []],
        policy_values=[Interval(name, values[name]["value"], values[name]["low"], values[name]["high"])
                       for name in POLICIES if name in values],
        held_out=[Interval(str(d["baseline"]), d["value"], d["low"], d["high"])
                  for d in held_out.get("differences", [])],
        held_out_source=held_out.get("source"),
        qini_points=None if qini is None else 100 * qini,
        alerts=[_alert(a) for a in fairness.get("alerts", [])],
        fairness_people=fairness.get("people"),
        metrics=[_metric(name, meta.metrics[name]) for name in sorted(meta.metrics)],
        justified=list(JUSTIFIED_FEATURES.values()),
    )


def active_report_view(registry: ModelRegistry) -> ReportView | None:
    """The active model's card and report; None when no model is active (the rules give the advice)."""
    version = registry.active_version()
    return report_view(registry, version) if version else None
