"""Fairness audit (G6): injected disparity raises an alert, small groups are suppressed, CIs are given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.evaluate.fairness import (
    ALERT_RATIO,
    MIN_GROUP_SIZE,
    AuditData,
    FairnessError,
    audit_data_from_logs,
    run_audit,
)
from recommender.learn.training_data import LoggedData


def _people(exposure_b: float, *, n: int = 2000, small: int = 10, seed: int = 42) -> AuditData:
    rng = np.random.default_rng(seed)
    gender = np.array(["female"] * (n // 2) + ["male"] * (n // 2) + ["diverse"] * small, dtype=object)
    total = len(gender)
    women = gender == "female"
    exposure = np.zeros((total, 2), dtype=bool)
    exposure[:, 0] = rng.random(total) < np.where(women, exposure_b, 0.3)  # the funded training voucher
    exposure[:, 1] = rng.random(total) < 0.3
    outcome = (rng.random(total) < 0.25).astype(np.int8)
    predicted = np.full(total, 0.25)
    reviewed = exposure[:, 0].astype(float)
    accepted = reviewed * (rng.random(total) < 0.7)
    return AuditData(pd.DataFrame({"gender": gender}), ["bildungsgutschein", "cv_documents"], exposure, outcome,
                     predicted, reviewed, accepted, funded=frozenset({"bildungsgutschein"}), synthetic=True)


def test_injected_exposure_disparity_triggers_an_alert_on_the_funded_module() -> None:
    report = run_audit(_people(exposure_b=0.12), n_boot=100)
    alerts = [a for a in report["alerts"] if a["metric"] == "exposure:bildungsgutschein"]
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert["funded"] is True and alert["lowest_group"] == "female"
    assert alert["ratio"] < ALERT_RATIO and alert["clear"] is True
    assert "verdict" in report["note"]


def test_equal_exposure_raises_no_alert() -> None:
    report = run_audit(_people(exposure_b=0.3), n_boot=100)
    assert [a for a in report["alerts"] if a["metric"].startswith("exposure:")] == []
    metric = report["attributes"]["gender"]["metrics"]["exposure:bildungsgutschein"]
    assert metric["ratio"] > ALERT_RATIO
    low, high = metric["ratio_ci"]
    assert low <= metric["ratio"] <= high


def test_groups_below_the_minimum_size_are_suppressed_not_reported() -> None:
    report = run_audit(_people(exposure_b=0.3, small=MIN_GROUP_SIZE - 1), n_boot=50)
    gender = report["attributes"]["gender"]
    assert gender["suppressed"] == ["diverse"]
    assert set(gender["groups"]) == {"female", "male"}
    assert all("diverse" not in m["by_group"] for m in gender["metrics"].values())


def test_group_rates_equal_the_per_person_figures_with_intervals_around_them() -> None:
    data = _people(exposure_b=0.2)
    report = run_audit(data, n_boot=100)
    metrics = report["attributes"]["gender"]["metrics"]
    women = (data.groups["gender"] == "female").to_numpy()
    assert metrics["exposure:bildungsgutschein"]["by_group"]["female"] == pytest.approx(data.exposure[women, 0].mean(),
                                                                                       abs=1e-6)
    expected_acceptance = data.accepted[women].sum() / data.reviewed[women].sum()
    assert metrics["acceptance"]["by_group"]["female"] == pytest.approx(expected_acceptance, abs=1e-6)
    low, high = metrics["outcome_rate"]["ci"]["female"]
    assert low < metrics["outcome_rate"]["by_group"]["female"] < high
    assert set(metrics) >= {"outcome_rate", "calibration_gap", "acceptance"}


def test_audit_without_any_reported_attribute_is_refused() -> None:
    data = _people(exposure_b=0.3)
    data.groups["gender"] = None
    with pytest.raises(FairnessError, match="no protected attributes to audit"):
        run_audit(data)


def test_logged_rows_are_joined_to_audit_reports_by_pseudonym() -> None:
    n = 4
    logged = LoggedData(["a", "b"], np.zeros((n, 22), np.float32), np.array([1, 2, 1, 0], np.int16),
                        np.ones(n, np.float32), np.array([1, 0, 0, 0], np.int8), np.ones(n, np.int16),
                        np.zeros(n, bool), np.array([True, False, True, False]),
                        np.array(["approved", "not_required", "rejected", "none"], object), np.zeros(n, np.float32),
                        np.array(["d1", "d2", "d3", "d4"], object), np.array(["p1", "p1", "p2", "p3"], object),
                        np.array(["v"] * n, object), np.zeros(n, "datetime64[s]"))
    data = audit_data_from_logs(logged, {"p1": {"gender": "female"}, "p2": {"gender": "male"}})
    assert data.groups["gender"].fillna("-").tolist() == ["female", "male", "-"]
    assert data.exposure.tolist() == [[True, True], [True, False], [False, False]]
    assert data.outcome.tolist() == [1, 0, 0]
    assert data.reviewed.tolist() == [1, 1, 0] and data.accepted.tolist() == [1, 0, 0]
