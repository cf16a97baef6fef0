"""The data scientist's commands: ``lotse audit fairness|proxies|twins`` and ``lotse ds ...``.

Exit codes tell CI what failed (0 = fine): 2 bad input or no data, 3 fairness alert (only with
``--fail-on-alert``: an alert asks for a human review, it is not a verdict), 4 proxy probe
above AUC 0.65, 5 twin test below Jaccard 0.9, 6 candidate worse than the active model,
7 promotion gates failed. Every command has ``--json`` for scripts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli.app import console, fail, load_settings, open_engine
from api.cli.audit import audit_app
from api.settings import Settings
from data.catalogue import load_catalogue
from models.audit_store import AuditStoreError
from models.db import session_scope
from recommender.decide.registry import ModelRegistry
from recommender.errors import ModelLoadError, RecommenderError, RegistryError
from recommender.evaluate.fairness import (
    FairnessError,
    audit_data_from_logs,
    funded_modules,
    load_audit_reports,
    run_audit,
)
from recommender.evaluate.gates import check_gates, evidence_from_registry, gates_as_json, promote_with_gates
from recommender.evaluate.model_report import build_model_report, exposure_plot, render_html
from recommender.evaluate.ope import compare, evaluate_on_logs, exploration_report
from recommender.evaluate.proxies import probe_proxies
from recommender.evaluate.twins import model_scorer, run_twins
from recommender.learn.train import TrainConfig, fit
from recommender.learn.training_data import ExtractConfig, LoggedData, TrainingDataError, extract_training_data
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario

EXIT_NO_DATA = 2
EXIT_ALERT = 3
EXIT_PROXY = 4
EXIT_TWINS = 5
EXIT_WORSE = 6
EXIT_GATES = 7

ds_app = typer.Typer(help="Data science: train from logs, off-policy evaluation, reports, promotion gates.",
                     no_args_is_help=True)

JsonOption = typer.Option(False, "--json", help="Machine-readable output.")


@contextmanager
def _progress() -> Iterator[Callable[[str], Callable[[int, int, str], None]]]:
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as progress:
        def task(label: str) -> Callable[[int, int, str], None]:
            handle = progress.add_task(label, total=None)

            def update(done: int, total: int, text: str) -> None:
                progress.update(handle, completed=done, total=total, description=f"{label}: {text}")
            return update
        yield task


def _registry(settings: Settings) -> ModelRegistry:
    return ModelRegistry(settings.models_dir)


def _extract(settings: Settings, window_days: int, *, eligibility: bool = False, partitions: int = 16,
             progress: Callable[[int, int, str], None] | None = None) -> LoggedData:
    catalogue = load_catalogue()
    config = ExtractConfig(window_days=window_days, exploration_rate=settings.exploration_rate,
                           with_eligibility=eligibility, partitions=partitions)
    try:
        return extract_training_data(open_engine(settings), catalogue.ids, config, progress=progress)
    except TrainingDataError as exc:
        raise fail(str(exc), EXIT_NO_DATA) from None


def _audit_reports(settings: Settings, pseudonyms: set[str]) -> dict[str, dict[str, str]]:
    try:
        return load_audit_reports(settings.audit_database_url, pseudonyms, app_database_url=settings.database_url)
    except AuditStoreError as exc:
        raise fail(str(exc)) from None


def _emit(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        console.print_json(json.dumps(payload, default=str))


def _load(registry: ModelRegistry, version: str) -> Any:
    try:
        return registry.load(_resolve(registry, version))
    except (RegistryError, ModelLoadError) as exc:
        raise fail(str(exc)) from None


def _resolve(registry: ModelRegistry, version: str) -> str:
    if version == "active":
        active = registry.active_version()
        if active is None:
            raise fail("no model is active; name a version (see `lotse models list`)")
        return active
    return version


# ---- lotse audit fairness | proxies | twins --------------------------------------------------

@audit_app.command("fairness")
def audit_fairness(
    window_days: int = typer.Option(182, min=1, help="Outcome window in days."),
    n_boot: int = typer.Option(200, min=20, help="Bootstrap resamples for the CIs."),
    out: Path | None = typer.Option(None, help="Directory for fairness.json + fairness.html (default <var>/reports)."),
    fail_on_alert: bool = typer.Option(False, "--fail-on-alert", help=f"Exit {EXIT_ALERT} if any alert."),
    as_json: bool = JsonOption,
) -> None:
    """Exposure, acceptance, outcome and calibration per voluntarily reported group (G6)."""
    settings = load_settings()
    with _progress() as task:
        logged = _extract(settings, window_days, progress=task("reading the log"))
    reports = _audit_reports(settings, set(logged.pseudonym.astype(str)))
    data = audit_data_from_logs(logged, reports, funded=funded_modules(load_catalogue()))
    try:
        result = run_audit(data, n_boot=n_boot)
    except FairnessError as exc:
        raise fail(str(exc), EXIT_NO_DATA) from None
    directory = out or settings.var_dir / "reports"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fairness.json").write_text(json.dumps(result, indent=2, sort_keys=True), encoding="utf-8")
    page = render_html("fairness audit", {"fairness": result, "synthetic": False}, {"exposure": exposure_plot(result)})
    (directory / "fairness.html").write_text(page, encoding="utf-8")
    _emit(result, as_json)
    if not as_json:
        table = Table(title=f"Fairness alerts (ratio < {result['alert_ratio']}, for review - not a verdict)")
        for column in ("attribute", "metric", "ratio", "95% CI", "funded"):
            table.add_column(column)
        for alert in result["alerts"]:
            table.add_row(alert["attribute"], alert["metric"], str(alert.get("ratio", alert.get("difference"))),
                          str(alert.get("ratio_ci", "")), "yes" if alert.get("funded") else "")
        console.print(table)
        console.print(f"{result['people']:,} people audited; report: {directory / 'fairness.html'}")
    if fail_on_alert and result["alerts"]:
        raise typer.Exit(EXIT_ALERT)


@audit_app.command("proxies")
def audit_proxies(
    window_days: int = typer.Option(182, min=1, help="Outcome window in days."),
    as_json: bool = JsonOption,
) -> None:
    """Can the model's feature vector predict a protected attribute? (5-fold CV AUC <= 0.65, G4)"""
    settings = load_settings()
    with _progress() as task:
        logged = _extract(settings, window_days, progress=task("reading the log"))
    reports = _audit_reports(settings, set(logged.pseudonym.astype(str)))
    people, first = np.unique(logged.pseudonym.astype(str), return_index=True)
    attributes = {name: np.array([reports.get(p, {}).get(name) for p in people], dtype=object)
                  for name in ("gender", "age_band", "nationality_group", "disability")}
    from recommender.decide.features import ALLOWED_FEATURES

    result = probe_proxies(logged.features[first], list(ALLOWED_FEATURES), attributes)
    _emit(result, as_json)
    if not as_json:
        table = Table(title="Proxy probe (AUC one-vs-rest, max 0.65)")
        for column in ("attribute", "AUC", "passes", "most informative features"):
            table.add_column(column)
        for name, r in result["attributes"].items():
            table.add_row(name, str(r.get("auc")), "yes" if r["passes"] else "[red]NO[/]",
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
    """Counterfactual twins: same person, other gender/citizenship/first name -> same top-5? (G5)"""
    settings = load_settings()
    registry = _registry(settings)
    model = _load(registry, version)
    catalogue = load_catalogue()
    data = simulate(load_scenario(scenario, catalogue), catalogue, max(4 * n, 4000), seed=4242)
    result = run_twins(model_scorer(model, data.module_ids), data, n=n, model=model)
    _emit(result, as_json)
    if not as_json:
        for change, r in result["changes"].items():
            console.print(f"{change}: mean top-5 Jaccard {r['mean_jaccard']:.3f} over {r['twins']:,} twins "
                          f"({r['share_identical']:.0%} identical)")
    if not result["passes"]:
        raise typer.Exit(EXIT_TWINS)


# ---- lotse ds ... -------------------------------------------------------------------------------

@ds_app.command("train-from-logs")
def train_from_logs(
    window_days: int = typer.Option(182, min=1, help="Outcome window: job found within this many days."),
    partitions: int = typer.Option(16, min=1, max=256, help="Read the log in this many partitions."),
    dask_scheduler: str | None = typer.Option(None, "--dask-scheduler",
                                              help="Dask scheduler (tcp://host:8786); 'local' = 2 workers."),
    quick: bool = typer.Option(False, "--quick", help="Quick model settings."),
    actor: str = typer.Option("data_scientist:cli", help="Who trains (logged)."),
    as_json: bool = JsonOption,
) -> None:
    """Train a new model version from logged decisions and outcomes (not promoted)."""
    settings = load_settings()
    catalogue = load_catalogue()
    config = TrainConfig.quick() if quick else TrainConfig()
    extract = ExtractConfig(window_days=window_days, exploration_rate=settings.exploration_rate,
                            partitions=partitions)
    with _progress() as task:
        if dask_scheduler:
            from recommender.learn.dask_train import connect, fit_dask

            client = connect(None if dask_scheduler == "local" else dask_scheduler)
            try:
                result = fit_dask(client, settings.database_url, catalogue.ids, extract=extract, config=config,
                                  progress=task("dask training"))
            finally:
                client.close()
            stats: dict[str, Any] = {"rows": result.meta["data"]["rows"]}
        else:
            logged = _extract(settings, window_days, eligibility=True, partitions=partitions,
                               progress=task("reading the log"))
            result = fit(logged.as_training_data(), config, progress=task("training"))
            stats = {**logged.stats, **exploration_report(logged)}
    registry = _registry(settings)
    version = registry.save(result, metrics={"training_data": stats}, catalogue_version=catalogue.version)
    with session_scope(open_engine(settings)) as session:
        registry.log_trained(version, session=session, actor=actor)
    payload = {"version": version, "training_data": stats, "learner": result.meta["learner"]}
    _emit(payload, as_json)
    if not as_json:
        console.print(f"Trained {version} on {stats.get('rows', 0):,} logged rows "
                      f"(exploration share {stats.get('exploration_share', float('nan')):.1%}). "
                      f"Next: `lotse ds report {version}` and `lotse ds gates {version}`.")


@ds_app.command("evaluate-logged")
def evaluate_on_logged(
    candidate: str = typer.Option(..., "--candidate", help="Candidate model version."),
    against: str = typer.Option("active", "--against", help="Version to compare with (default: active)."),
    window_days: int = typer.Option(182, min=1, help="Outcome window in days."),
    n_boot: int = typer.Option(200, min=20, help="Bootstrap resamples."),
    as_json: bool = JsonOption,
) -> None:
    """IPS, SNIPS and doubly robust value of both models' top-1 policy on the logged decisions."""
    settings = load_settings()
    registry = _registry(settings)
    new, old = _load(registry, candidate), _load(registry, against)
    with _progress() as task:
        logged = _extract(settings, window_days, eligibility=True, progress=task("reading the log"))
    estimates = {m.version: evaluate_on_logs(m, logged, n_boot=n_boot) for m in (new, old)}
    verdict = compare(estimates[new.version], estimates[old.version])
    payload = {"candidate": new.version, "against": old.version,
               "estimates": {v: {k: e.as_dict() for k, e in est.items()} for v, est in estimates.items()},
               "comparison": verdict, "feedback_loop": exploration_report(logged)}
    _emit(payload, as_json)
    if not as_json:
        table = Table(title="Policy value on logged data (P(job within window)), 95% bootstrap CI")
        for column in ("model", "IPS", "SNIPS", "DR"):
            table.add_column(column)
        for v, est in estimates.items():
            table.add_row(v, *(f"{e.value:.4f} [{e.low:.4f}, {e.high:.4f}]" for e in est.values()))
        console.print(table)
        share = payload["feedback_loop"]["exploration_share"]
        console.print(f"Exploration share of the logged rows: {share:.1%}"
                      f"{' [yellow](low: estimates rest on few exploration decisions)[/]' if share < 0.05 else ''}")
    if not verdict["not_worse"]:
        raise typer.Exit(EXIT_WORSE)


@ds_app.command("report")
def ds_report(
    version: str = typer.Argument(..., help="Model version."),
    rows: int = typer.Option(20_000, min=2000, help="SYNTHETIC held-out people for the plots."),
    scenario: Path = typer.Option(DEFAULT_SCENARIO, help="Scenario for the simulated sections."),
    with_logs: bool = typer.Option(False, "--with-logs", help="Also evaluate on the logged decisions."),
    as_json: bool = JsonOption,
) -> None:
    """Write report.html + report.json beside the model (calibration, uplift, baselines, fairness, gates)."""
    settings = load_settings()
    registry = _registry(settings)
    version = _resolve(registry, version)
    catalogue = load_catalogue()
    test = simulate(load_scenario(scenario, catalogue), catalogue, rows, seed=2024)
    logged = _extract(settings, 182, eligibility=True) if with_logs else None
    try:
        with _progress() as task:
            path, data = build_model_report(registry, version, test, logged=logged, progress=task("report"))
    except (RegistryError, ModelLoadError) as exc:
        raise fail(str(exc)) from None
    _emit({"version": version, "report": str(path), "gates": data["gates"]}, as_json)
    if not as_json:
        console.print(f"Report: {path}")


@ds_app.command("gates")
def ds_gates(version: str = typer.Argument(..., help="Model version."), as_json: bool = JsonOption) -> None:
    """List the promotion gates and whether the version passes them (exit 7 if any fails)."""
    registry = _registry(load_settings())
    try:
        results = check_gates(evidence_from_registry(registry, _resolve(registry, version)))
    except RegistryError as exc:
        raise fail(str(exc)) from None
    _emit({"version": version, "gates": gates_as_json(results)}, as_json)
    if not as_json:
        for g in results:
            console.print(f"{'[green]pass[/]' if g.passed else '[red]FAIL[/]'}  {g.gate}: {g.detail}", highlight=False)
    if any(not g.passed for g in results):
        raise typer.Exit(EXIT_GATES)


def promote_through_gates(version: str, *, actor: str, force: bool, reason: str | None) -> None:
    """Promote a version only if every gate passes (or force with a reason); logged (``lotse models promote``)."""
    settings = load_settings()
    registry = _registry(settings)
    try:
        with session_scope(open_engine(settings)) as session:
            failed = promote_with_gates(registry, version, session=session, actor=actor, force=force, reason=reason)
    except RecommenderError as exc:
        code = EXIT_GATES if exc.__class__.__name__ == "PromotionBlocked" else 2
        raise fail(str(exc), code) from None
    console.print(f"{version} is active" + (f" (forced past: {', '.join(g.gate for g in failed)})" if failed else "."))


def register(app: typer.Typer) -> None:
    """``audit fairness|proxies|twins`` are added to ``audit_app`` on import; ``ds`` is mounted here."""
    app.add_typer(ds_app, name="ds")
