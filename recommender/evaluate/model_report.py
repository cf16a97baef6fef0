"""One self-contained HTML report (plus JSON) per *model version*, for data scientists, works
councils and data-protection officers; it is the evidence the promotion gates read.

(``recommender.evaluate.evaluation_report`` writes the scenario evaluation report of ``lotse evaluate``; this one
is stored beside the model, ``<models_dir>/<version>/report.html``, and linked from its card.)

Why self-contained: the report is attached to a promotion decision and read offline, years
later; the plots are PNGs embedded as base64 and nothing is loaded from anywhere. Sections:
calibration curve, cumulative uplift (Qini-style) curve, policy value against baselines with
confidence intervals, exposure of modules by protected group, feature importance, and the
gate evidence (off-policy comparison, proxy probe, counterfactual twins). Every figure from
simulated data is labelled SYNTHETIC.
"""

from __future__ import annotations

import base64
import html
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from recommender.decide.baselines import rule_scores  # noqa: E402
from recommender.decide.ranker import LoadedModel  # noqa: E402
from recommender.decide.registry import ModelRegistry  # noqa: E402
from recommender.evaluate.evidence import Evidence, simulated_data_hash  # noqa: E402
from recommender.evaluate.fairness import audit_data_from_model, run_audit  # noqa: E402
from recommender.evaluate.fairness_report import exposure_chart  # noqa: E402
from recommender.evaluate.first_start import SimulatedPolicyValue  # noqa: E402
from recommender.evaluate.gates import (  # noqa: E402
    FIRST_START_SOURCE,
    REPORT_HTML,
    REPORT_JSON,
    check_gates,
    evidence_from_registry,
    evidence_store,
    gates_as_json,
)
from recommender.evaluate.logged_comparison import LoggedEvaluation  # noqa: E402
from recommender.evaluate.true_uplift import predicted_uplift, reliability, top_k  # noqa: E402
from recommender.learn.provenance import SIMULATED  # noqa: E402
from recommender.simulate.population import SimulatedData  # noqa: E402


@dataclass
class ReportFigures:
    """Everything a report shows, JSON-ready, plus the plots as PNG bytes."""

    data: dict[str, Any]
    plots: dict[str, bytes]


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def _mean_ci(values: np.ndarray, rng: np.random.Generator, n_boot: int = 200) -> tuple[float, float, float]:
    n = len(values)
    weights = rng.poisson(1.0, size=(n_boot, n)).astype(np.float64)
    boots = (weights @ values) / np.maximum(weights.sum(axis=1), 1)
    return float(values.mean()), float(np.quantile(boots, 0.025)), float(np.quantile(boots, 0.975))


def simulation_figures(model: LoadedModel, test: SimulatedData, *, seed: int = 42) -> ReportFigures:
    """Calibration, uplift curve, policy values with CIs and feature importance on simulated test data."""
    rng = np.random.default_rng(seed)
    p_mod, p_none = predicted_uplift(model, test)
    learned = p_mod - p_none[:, None]
    n, m = test.eligible.shape
    rows = np.arange(n)
    rules = rule_scores(test.feature_dict(), test.module_ids) + rng.random((n, m)) * 1e-6
    policies = {"learned": learned, "rules": rules,
                "random": rng.random((n, m)), "oracle": test.tau.astype(np.float64)}
    values: dict[str, dict[str, float]] = {}
    for name, scores in policies.items():
        idx, ok = top_k(scores, test.eligible, 1)
        gain = np.where(ok[:, 0], test.tau[rows, idx[:, 0]], 0.0).astype(np.float64)
        value, low, high = _mean_ci(gain, rng)
        values[name] = {"value": value, "low": low, "high": high}
    values["no_advice"] = {"value": 0.0, "low": 0.0, "high": 0.0}

    all_p = np.column_stack([p_none, p_mod])
    q_logged = all_p[rows, test.action]
    curve = reliability(q_logged, test.outcome.astype(np.float64))

    idx, ok = top_k(learned, test.eligible, 1)
    predicted_gain = np.where(ok[:, 0], learned[rows, idx[:, 0]], -np.inf)
    true_gain = np.where(ok[:, 0], test.tau[rows, idx[:, 0]], 0.0).astype(np.float64)
    order = np.argsort(-predicted_gain, kind="stable")
    cumulative = np.concatenate([[0.0], np.cumsum(true_gain[order])])
    perfect = np.concatenate([[0.0], np.cumsum(np.sort(true_gain)[::-1])])
    share = np.linspace(0, 1, n + 1)
    random_line = share * true_gain.sum()
    qini = float(np.trapezoid(cumulative - random_line, share) / max(n, 1))

    totals: dict[str, float] = {}
    for booster in getattr(model, "boosters", {"model": model.booster}).values():
        for name, value in zip(booster.feature_name(), booster.feature_importance(importance_type="gain"),
                               strict=True):
            totals[name] = totals.get(name, 0.0) + float(value)
    importance = sorted(totals.items(), key=lambda t: -t[1])

    plots = {
        "calibration": _plot_calibration(curve),
        "uplift_curve": _plot_uplift(share, cumulative, perfect, random_line),
        "policy_value": _plot_policy(values),
        "feature_importance": _plot_importance(importance[:15]),
    }
    data = {"synthetic": True, "test_rows": n, "calibration": curve, "policy_value_top1_true_uplift": values,
            "qini_coefficient": qini, "feature_importance_gain": dict(importance)}
    return ReportFigures(data, plots)


def _plot_calibration(curve: dict[str, list[float]], label: str = "SIMULATED") -> bytes:
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.plot([0, 1], [0, 1], ls="--", color="grey", label="perfect")
    ax.plot(curve["predicted"], curve["observed"], marker="o", label="model")
    ax.set(xlabel="predicted P(job within the window)", ylabel="observed share", title=f"Calibration ({label})")
    ax.legend()
    return _png(fig)


def _plot_uplift(share: np.ndarray, model: np.ndarray, perfect: np.ndarray | None, random_line: np.ndarray,
                 label: str = "SIMULATED", ylabel: str = "cumulative true uplift (people)") -> bytes:
    step = max(1, len(share) // 400)
    fig, ax = plt.subplots(figsize=(5, 4))
    if perfect is not None:
        ax.plot(share[::step], perfect[::step], color="grey", ls=":", label="oracle order")
    ax.plot(share[::step], model[::step], label="model order")
    ax.plot(share[::step], random_line[::step], color="grey", ls="--", label="random order")
    ax.set(xlabel="share of people advised (by predicted uplift)", ylabel=ylabel,
           title=f"Uplift curve, Qini-style ({label})")
    ax.legend()
    return _png(fig)


def _plot_policy(values: dict[str, dict[str, float]]) -> bytes:
    names = list(values)
    mid = np.array([values[k]["value"] for k in names]) * 100
    err = np.array([[values[k]["value"] - values[k]["low"], values[k]["high"] - values[k]["value"]]
                    for k in names]).T * 100
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.bar(names, mid, yerr=err, capsize=4, color=["#1f4e79" if k == "learned" else "#9fb4c8" for k in names])
    ax.set(ylabel="mean true uplift of top-1 advice (pp)", title="Policy value vs baselines, 95% CI (SIMULATED)")
    return _png(fig)


def _plot_importance(importance: list[tuple[str, float]]) -> bytes:
    fig, ax = plt.subplots(figsize=(5, 4.5))
    labels = [k for k, _ in importance][::-1]
    ax.barh(labels, [v for _, v in importance][::-1], color="#1f4e79")
    ax.set(xlabel="total gain", title="Feature importance")
    return _png(fig)


def _img(png: bytes | None, alt: str) -> str:
    if png is None:
        return "<p>Not available.</p>"
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _pre(value: Any) -> str:
    return f"<pre>{html.escape(json.dumps(value, indent=2, sort_keys=True, default=str))}</pre>"


def render_html(version: str, data: dict[str, Any], plots: dict[str, bytes | None]) -> str:
    gates = data.get("gates") or []
    gate_rows = "".join(
        f"<tr><td>{html.escape(g['gate'])}</td><td>{'passed' if g['passed'] else '<strong>FAILED</strong>'}</td>"
        f"<td>{html.escape(g['detail'])}</td></tr>" for g in gates)
    alerts = (data.get("fairness") or {}).get("alerts", [])
    alert_items = "".join(f"<li>{html.escape(a['attribute'])}: {html.escape(a['metric'])} ratio "
                          f"{a.get('ratio')} (CI {a.get('ratio_ci')})"
                          f"{' - funded module' if a.get('funded') else ''}</li>"
                          for a in alerts if a.get("kind") == "ratio")
    sources = data.get("data_sources") or {}
    source_items = "".join(f"<li>{html.escape(k.replace('_', ' '))}: {html.escape(str(v or 'not measured'))}</li>"
                           for k, v in sources.items())
    banner = ("<p class=banner>SIMULATED: sections marked (SIMULATED) describe a simulated world, not real "
              "job-seekers.</p>" if data.get("synthetic", True) else "")
    held_out = data.get("held_out") or {}
    diff_rows = "".join(f"<tr><td>candidate - {html.escape(d['baseline'])}</td><td>{d['value']:+.4f}</td>"
                        f"<td>[{d['low']:+.4f}, {d['high']:+.4f}]</td></tr>" for d in held_out.get("differences", []))
    qini = (data.get("simulation") or {}).get("qini_coefficient")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Lotse model report {html.escape(version)}</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.4}}
.banner{{background:#fff3cd;padding:.5rem 1rem;border-left:4px solid #b38600}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}}
img{{max-width:100%}}pre{{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:24rem}}</style></head>
<body><h1>Model report: {html.escape(version)}</h1>{banner}
<p>Generated {html.escape(data.get("generated_at", ""))}. The model recommends actions; it never scores people (G7).</p>
<h2>Data sources</h2><ul>{source_items}</ul>
<h2>Promotion gates</h2><p>Each gate cites the stored result of the command that produced its evidence.</p>
<table><tr><th>gate</th><th>result</th><th>evidence</th></tr>{gate_rows}</table>
<h2>Held-out logged decisions (lotse evaluate --candidate)</h2>
<p>{html.escape(held_out.get("source", "not measured: run `lotse evaluate --candidate " + version + "`"))}</p>
<table><tr><th>paired difference (DR, P(job); 0.01 = 1 point)</th><th>value</th><th>95% CI</th></tr>{diff_rows}</table>
{_img(plots.get("held_out_calibration"), "calibration on held-out logged decisions")}
{_img(plots.get("held_out_uplift"), "uplift curve on held-out logged decisions")}
<h2>Calibration (SIMULATED)</h2>{_img(plots.get("calibration"), "calibration curve")}
<h2>Uplift curve (SIMULATED)</h2>{_img(plots.get("uplift_curve"), "uplift curve")}
<p>Qini coefficient (SIMULATED; mean true extra P(job) per person from ordering by the model, in points):
{"n/a" if qini is None else f"{100 * qini:+.2f}"}</p>
<h2>Policy value against baselines (SIMULATED)</h2>{_img(plots.get("policy_value"), "policy value with CIs")}
<h2>Exposure by protected group (SIMULATED)</h2>
<p>Alerts (ratio below 0.8 - for review, not a verdict):</p><ul>{alert_items or "<li>none</li>"}</ul>
{"".join(_img(png, "advice modules by " + key.split(":", 1)[1]) for key, png in plots.items()
          if key.startswith("exposure:"))}
<h2>Feature importance</h2>{_img(plots.get("feature_importance"), "feature importance")}
<h2>Proxy probe (lotse audit proxies)</h2>{_pre(data.get("proxies"))}
<h2>Counterfactual twins (lotse audit twins, SIMULATED people)</h2>{_pre(data.get("twins"))}
<h2>Training data (feedback-loop check)</h2>{_pre(data.get("training_data"))}
</body></html>
"""


def write_report(directory: Path, version: str, data: dict[str, Any], plots: dict[str, bytes | None]) -> Path:
    """Write ``report.json`` and ``report.html`` into the model's directory; return the HTML path."""
    data = {"version": version, "generated_at": datetime.now(UTC).isoformat(timespec="seconds"), **data}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / REPORT_JSON).write_text(json.dumps(data, indent=2, sort_keys=True, default=str), encoding="utf-8")
    path = directory / REPORT_HTML
    path.write_text(render_html(version, data, plots), encoding="utf-8")
    return path


def _held_out_section(found: Evidence | None) -> tuple[dict[str, Any] | None, dict[str, bytes]]:
    """The stored ``lotse evaluate --candidate`` result: paired differences, calibration and uplift curve."""
    if found is None:
        return None, {}
    if found.first_start:  # no log yet: the candidate against the rules on simulated held-out people
        d = SimulatedPolicyValue.model_validate(found.result)
        return {"source": f"{FIRST_START_SOURCE}, true uplift of the top {d.k} ({found.cite()})",
                "differences": [{"baseline": "rules (SIMULATED, true uplift)", "value": d.difference, "low": d.low,
                                 "high": d.high}], **found.result}, {}
    result = LoggedEvaluation.model_validate(found.result)
    label = f"held-out {result.data_source} log, {result.decisions:,} decisions"
    curve = result.uplift_curve
    plots = {"held_out_calibration": _plot_calibration(result.calibration, label),
             "held_out_uplift": _plot_uplift(np.array(curve.share), np.array(curve.model), None,
                                             np.array(curve.random), label, "cumulative estimated gain (people)")}
    return {"source": found.cite(), **found.result}, plots


def _cited(found: Evidence | None) -> dict[str, Any] | None:
    return None if found is None else {"source": found.cite(), **found.result}


def build_model_report(registry: ModelRegistry, version: str, test: SimulatedData, *, scenario: Path,
                       n_boot: int = 200, seed: int = 42, progress: Any = None,
                       first_start: bool = False) -> tuple[Path, dict[str, Any]]:
    """Write report.json + report.html beside the model: simulated sections plus the stored gate evidence.

    The simulated sections (calibration, uplift curve and policy value against the oracle, exposure
    by group) come from *test*, a SIMULATED population, and say so. The gate sections are the
    stored results of ``lotse evaluate --candidate``, ``lotse audit proxies`` and ``lotse audit
    twins`` for this version, each citing its data source and hash; the report computes none of
    them itself (with *first_start*, the first start's simulated evidence, ``recommender.evaluate.gates``).
    Writing the report stores the ``report`` gate's evidence.

    Returns
    -------
    (Path, dict)
        The HTML path and the report data (with the gate results).
    """
    steps = 4

    def tick(step: int, text: str) -> None:
        if callable(progress):
            progress(step, steps, text)

    model = registry.load(version)
    store = evidence_store(registry)
    figures = simulation_figures(model, test, seed=seed)
    tick(1, "simulated calibration, uplift, policy value")
    p_mod, p_none = predicted_uplift(model, test)
    all_p = np.column_stack([p_none, p_mod])
    predicted = all_p[np.arange(test.n), test.action]
    fairness = run_audit(audit_data_from_model(model, test, predicted=predicted), n_boot=n_boot, seed=seed)
    tick(2, "simulated fairness by group")
    evidence = evidence_from_registry(registry, version, first_start=first_start)
    held_out, held_out_plots = _held_out_section(evidence.policy_value)
    data: dict[str, Any] = {
        "data_sources": {"simulation": f"simulated ({test.n:,} people, scenario {test.scenario})",
                         "fairness": f"simulated ({test.n:,} people)",
                         "held_out": held_out["source"] if held_out else None},
        "synthetic": True, "simulation": figures.data, "fairness": fairness, "held_out": held_out,
        "proxies": _cited(evidence.proxies), "twins": _cited(evidence.twins),
        "training_data": registry.meta(version).metrics.get("training_data")}
    tick(3, "stored gate evidence")
    directory = registry.root / version
    labels = {m: m.replace("_", " ") for m in test.module_ids}
    exposure = {f"exposure:{a}": exposure_chart(a, r, labels) for a, r in fairness["attributes"].items()}
    plots = {**figures.plots, **held_out_plots, **exposure}
    write_report(directory, version, data, plots)
    store.save(Evidence(kind="report", model_version=version, data_source=SIMULATED,
                        data_hash=simulated_data_hash(scenario, test.n, test.seed),
                        result={"html": REPORT_HTML, "json": REPORT_JSON}))
    evidence = evidence_from_registry(registry, version, first_start=first_start)
    data["gates"] = gates_as_json(check_gates(evidence))
    html_path = write_report(directory, version, data, plots)
    registry.update_metrics(version, {"report_html": REPORT_HTML, "report_json": REPORT_JSON,
                                      "fairness_alerts": len(fairness["alerts"])})
    tick(4, "report written")
    return html_path, data
