"""``lotse audit fairness|proxies|twins``: the data scientist's audits (exit codes: ``api.cli.ds_support``).

``proxies`` and ``twins`` store their result as gate evidence (``recommender.evaluate.evidence``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import typer
from rich.table import Table

from api.cli.app import console, fail, load_settings
from api.cli.audit import audit_app
from api.cli.ds_support import (
    EXIT_ALERT,
    EXIT_NO_DATA,
    EXIT_PROXY,
    EXIT_TWINS,
    JsonOption,
    WindowOption,
    audit_reports,
    emit,
    extract_config,
    extract_logged,
    load_version,
    progress_bars,
    registry_of,
    store_of,
)
from data.catalogue import load_catalogue
from recommender.decide.features import ALLOWED_FEATURES
from recommender.evaluate.evidence import Evidence, simulated_data_hash
from recommender.evaluate.fairness import FairnessError, audit_data_from_logs, funded_modules, run_audit
from recommender.evaluate.fairness_report import render_fairness_html
from recommender.evaluate.proxies import probe_proxies
from recommender.evaluate.twins import TWIN_SEED, model_scorer, run_twins
from recommender.learn.provenance import SIMULATED, data_hash, data_source
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario

# ---- lotse audit fairness | proxies | twins --------------------------------------------------

@audit_app.command("fairness")
def audit_fairness(
    window_days: int | None = WindowOption,
    n_boot: int = typer.Option(200, min=20, help="Bootstrap resamples for the CIs."),
    out: Path | None = typer.Option(None, help="Directory for fairness.json + fairness.html (default <var>/reports)."),
    fail_on_alert: bool = typer.Option(False, "--fail-on-alert", help=f"Exit {EXIT_ALERT} if any alert."),
    model: str = typer.Option("active", "--model", help="Audit this version's rankings (default: the active one)."),
    as_json: bool = JsonOption,
) -> None:
    """Exposure (the model's own top-5, among the eligible), acceptance, outcome, calibration per group (G6)."""
    settings = load_settings()
    registry = registry_of(settings)
    ranker = load_version(registry, model) if model != "active" or registry.active_version() else None
    with progress_bars() as task:
        logged = extract_logged(settings, extract_config(settings, window_days, eligibility=True),
                                task("reading the log"))
    reports = audit_reports(settings, set(logged.pseudonym.astype(str)))
    catalogue = load_catalogue()
    data = audit_data_from_logs(logged, reports, funded=funded_modules(catalogue), model=ranker)
    try:
        result = run_audit(data, n_boot=n_boot)
    except FairnessError as exc:
        raise fail(str(exc), EXIT_NO_DATA) from None
    directory = out or settings.var_dir / "reports"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fairness.json").write_text(json.dumps(result, indent=2, sort_keys=True), encoding="utf-8")
    result["data_source"] = data_source(logged)
    result["model_version"] = ranker.version if ranker else None
    labels = {m.id: m.title.en for m in catalogue.modules}
    page = render_fairness_html(result, generated_at=datetime.now(UTC), data_source=result["data_source"],
                                model=result["model_version"], labels=labels)
    (directory / "fairness.html").write_text(page, encoding="utf-8")
    emit(result, as_json)
    if not as_json:
        table = Table(title=f"Fairness alerts (ratio < {result['alert_ratio']}, for review - not a verdict)")
        for column in ("attribute", "metric", "ratio", "95% CI", "funded"):
            table.add_column(column)
        for alert in result["alerts"]:
            table.add_row(alert["attribute"], alert["metric"], str(alert.get("ratio", alert.get("difference"))),
                          str(alert.get("ratio_ci", "")), "yes" if alert.get("funded") else "")
        console.print(table)
        ranked = f"rankings of model {ranker.version}" if ranker else "what the log showed (no model active)"
        console.print(f"{result['people_with_report']:,} of {result['people']:,} people with a self-report audited "
                      f"on {data_source(logged)} data, {ranked}; report: {directory / 'fairness.html'}")
    if fail_on_alert and result["alerts"]:
        raise typer.Exit(EXIT_ALERT)


@audit_app.command("proxies")
def audit_proxies(
    window_days: int | None = WindowOption,
    as_json: bool = JsonOption,
) -> None:
    """Can the model's feature vector predict a protected attribute? (5-fold CV AUC <= 0.65, G4)"""
    settings = load_settings()
    with progress_bars() as task:
        logged = extract_logged(settings, extract_config(settings, window_days), task("reading the log"))
    reports = audit_reports(settings, set(logged.pseudonym.astype(str)))
    people, first = np.unique(logged.pseudonym.astype(str), return_index=True)
    attributes = {name: np.array([reports.get(p, {}).get(name) for p in people], dtype=object)
                  for name in ("gender", "age_band", "nationality_group", "disability")}
    result = {**probe_proxies(logged.features[first], list(ALLOWED_FEATURES), attributes),
              "features": list(ALLOWED_FEATURES), "people": int(len(people))}
    store_of(settings).save(Evidence(kind="proxy_auc", model_version=None, data_source=data_source(logged),
                                     data_hash=data_hash(logged), result=result))
    emit(result, as_json)
    if not as_json:
        table = Table(title=f"Proxy probe (AUC one-vs-rest without the declared features, max 0.65) "
                            f"on {data_source(logged)} data")
        for column in ("attribute", "AUC", "AUC with declared", "passes", "most informative features"):
            table.add_column(column)
        for name, r in result["attributes"].items():
            measured = r.get("auc") is not None
            table.add_row(name, str(r.get("auc")) if measured else "not measured", str(r.get("auc_with_declared")),
                          "yes" if r["passes"] and measured else "[red]NO[/]",
                          ", ".join(r.get("top_features", [])))
        console.print(table)
    if not result["passes"]:
        raise typer.Exit(EXIT_PROXY)


@audit_app.command("twins")
def audit_twins(
    version: str = typer.Argument("active", help="Model version (default: the active one)."),
    n: int = typer.Option(1000, min=100, help="Twins per change."),
    scenario: Path = typer.Option(DEFAULT_SCENARIO, help="Scenario for the SYNTHETIC twins."),
    as_json: bool = JsonOption,
) -> None:
    """Counterfactual twins (SIMULATED people): other gender/citizenship/first name -> same top-5? (G5)"""
    settings = load_settings()
    model = load_version(registry_of(settings), version)
    catalogue = load_catalogue()
    rows = max(4 * n, 4000)
    data = simulate(load_scenario(scenario, catalogue), catalogue, rows, seed=TWIN_SEED)
    result = run_twins(model_scorer(model, data.module_ids), data, n=n, model=model)
    store_of(settings).save(Evidence(kind="twins", model_version=model.version, data_source=SIMULATED,
                                     data_hash=simulated_data_hash(scenario, rows, TWIN_SEED), result=result))
    emit(result, as_json)
    if not as_json:
        for change, r in result["changes"].items():
            console.print(f"{change}: mean top-5 Jaccard {r['mean_jaccard']:.3f} over {r['twins']:,} twins "
                          f"({r['share_identical']:.0%} identical)")
    if not result["passes"]:
        raise typer.Exit(EXIT_TWINS)
