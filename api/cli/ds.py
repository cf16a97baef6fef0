"""``lotse ds ...`` (train from logs, evaluate on held-out logs, report, gates) and gated promotion.

Training from the log holds out the latest decisions (``recommender.learn.time_split``) and
writes the split date on the model card; ``lotse evaluate --candidate V`` then judges V on
exactly those decisions and stores the result as the ``policy_value`` gate's evidence.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from api.cli.app import console, fail, load_settings, open_engine
from api.cli.ds_support import (
    EXIT_GATES,
    EXIT_WORSE,
    JsonOption,
    WindowOption,
    emit,
    extract_config,
    extract_logged,
    is_first_start,
    load_version,
    progress_bars,
    registry_of,
    resolve_version,
    store_of,
)
from data.catalogue import load_catalogue
from models.db import session_scope
from recommender.decide.model_meta import LOGS_SCENARIO, StoredMeta
from recommender.decide.registry import ModelRegistry
from recommender.errors import DuplicateModelError, ModelLoadError, RecommenderError, RegistryError
from recommender.evaluate.drift import DEFAULT_WINDOW_DAYS, PSI_SHIFT, PSI_WATCH, drift_report
from recommender.evaluate.evidence import Evidence
from recommender.evaluate.gates import (
    POLICY_VALUE_MARGIN,
    check_gates,
    evidence_from_registry,
    gates_as_json,
    promote_with_gates,
)
from recommender.evaluate.logged_comparison import ACTIVE, compare_on_logs
from recommender.evaluate.model_report import build_model_report
from recommender.evaluate.ope import exploration_report
from recommender.learn.effects import held_out_by_decision
from recommender.learn.provenance import data_hash, data_source
from recommender.learn.time_split import HELD_OUT_SHARE, after, before, split_time
from recommender.learn.train import TrainConfig, fit
from recommender.learn.training_data import TrainingDataError
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario

ds_app = typer.Typer(help="Data science: train from logs, held-out evaluation, reports, promotion gates.",
                     no_args_is_help=True)
REPORT_SEED = 2024
NOT_HELD_OUT = "the candidate was trained on the whole log (no split date on its card); retrain it from the log"


@ds_app.command("train-from-logs")
def train_from_logs(
    window_days: int | None = WindowOption,
    partitions: int = typer.Option(16, min=1, max=256, help="Read the log in this many partitions."),
    dask_scheduler: str | None = typer.Option(None, "--dask-scheduler",
                                              help="Dask scheduler (tcp://host:8786); 'local' = 2 workers."),
    split_at: datetime | None = typer.Option(
        None, "--split-at", help=f"Train on decisions before this date (default: hold out the last "
                                 f"{HELD_OUT_SHARE:.0%} of the log's time span for evaluation)."),
    quick: bool = typer.Option(False, "--quick", help="Quick model settings."),
    actor: str = typer.Option("data_scientist:cli", help="Who trains (logged)."),
    as_json: bool = JsonOption,
) -> None:
    """Train a new model version from logged decisions before the split date (not promoted)."""
    settings = load_settings()
    catalogue = load_catalogue()
    config = TrainConfig.quick() if quick else TrainConfig()
    extract = extract_config(settings, window_days, eligibility=not dask_scheduler, partitions=partitions)
    try:
        cut = split_at or split_time(open_engine(settings), extract)
    except TrainingDataError as exc:
        raise fail(str(exc), 2) from None
    extract = before(extract, cut)
    with progress_bars() as task:
        if dask_scheduler:
            from recommender.learn.dask_train import connect, fit_dask

            client = connect(None if dask_scheduler == "local" else dask_scheduler)
            try:
                result = fit_dask(client, settings.database_url, catalogue.ids, extract=extract, config=config,
                                  progress=task("dask training"))
            finally:
                client.close()
            stats: dict[str, Any] = {"rows": result.meta.data.rows}
        else:
            logged = extract_logged(settings, extract, task("reading the log"))
            held_out = held_out_by_decision(logged.decision_id, config.seed, config.validation_share)
            result = fit(logged.as_training_data(), config, held_out=held_out, progress=task("training"))
            stats = {**logged.stats, **exploration_report(logged), "data_hash": data_hash(logged),
                     "data_source": data_source(logged)}
    stats["split_at"] = cut.isoformat()
    registry = registry_of(settings)
    try:
        version = registry.save(result, metrics={"training_data": stats}, catalogue_version=catalogue.version)
    except DuplicateModelError as exc:
        emit({"duplicate_of": exc.version, "message": str(exc)}, as_json)
        if not as_json:
            console.print(f"[yellow]{exc}.[/]", soft_wrap=True, highlight=False)
        return
    with session_scope(open_engine(settings)) as session:
        registry.log_trained(version, session=session, actor=actor)
    emit({"version": version, "training_data": stats, "learner": result.meta.learner}, as_json)
    if not as_json:
        console.print(f"Trained {version} on {stats.get('rows', 0):,} logged rows decided before {cut:%Y-%m-%d %H:%M} "
                      f"({stats.get('data_source', 'log')}); later decisions are held out for "
                      f"`lotse evaluate --candidate {version}`.")


def _held_out(meta: StoredMeta) -> tuple[datetime | None, bool, str]:
    """The candidate's split date, and whether its evaluation data is data it never saw (and why)."""
    training = meta.metrics.get("training_data") or {}
    if training.get("split_at"):
        cut = datetime.fromisoformat(training["split_at"])
        return cut, True, f"decisions from {cut:%Y-%m-%d %H:%M}, after the candidate's training data"
    if meta.data.synthetic and meta.data.scenario != LOGS_SCENARIO:
        return None, True, "the candidate was trained on a simulated population, never on this log"
    return None, False, NOT_HELD_OUT


@ds_app.command("evaluate-logged")
def evaluate_on_logged(
    candidate: str = typer.Option(..., "--candidate", help="Candidate model version."),
    against: str = typer.Option("active", "--against", help="Version to compare with (default: active)."),
    window_days: int | None = WindowOption,
    n_boot: int = typer.Option(200, min=20, help="Bootstrap resamples."),
    as_json: bool = JsonOption,
) -> None:
    """Candidate vs active, rules baseline and logging policy on held-out logged decisions (paired, DR)."""
    settings = load_settings()
    registry = registry_of(settings)
    new, old = load_version(registry, candidate), load_version(registry, against)
    cut, held_out, note = _held_out(registry.meta(new.version))
    config = extract_config(settings, window_days, eligibility=True)
    with progress_bars() as task:
        logged = extract_logged(settings, after(config, cut) if cut else config, task("reading held-out decisions"))
    result = compare_on_logs(new, old, logged, held_out=held_out, held_out_note=note, evaluated_from=cut,
                             n_boot=n_boot)
    store_of(settings).save(Evidence(kind="policy_value", model_version=new.version, data_source=result.data_source,
                                     data_hash=result.data_hash, result=result.model_dump(mode="json")))
    emit(result.model_dump(mode="json"), as_json)
    if not as_json:
        table = Table(title=f"Policy value on {result.decisions:,} logged decisions ({result.data_source} data "
                            f"{result.data_hash}; {note}), DR, 95% CI")
        for column in ("policy", "P(job within window)", "candidate minus it"):
            table.add_column(column)
        for value in result.values:
            diff = next((d for d in result.differences if d.baseline == value.policy), None)
            table.add_row(value.policy, f"{value.value:.4f} [{value.low:.4f}, {value.high:.4f}]",
                          "" if diff is None else f"{diff.value:+.4f} [{diff.low:+.4f}, {diff.high:+.4f}]")
        console.print(table)
        console.print(f"Qini (mean extra P(job) per decision from ordering by the model): "
                      f"{100 * result.uplift_curve.qini:+.2f} points; exploration share {result.exploration_share:.1%}")
        if not held_out:
            console.print(f"[red]Not held-out:[/] {note}")
    if not held_out or result.difference(ACTIVE).low < -POLICY_VALUE_MARGIN:
        raise typer.Exit(EXIT_WORSE)


@ds_app.command("report")
def ds_report(
    version: str = typer.Argument(..., help="Model version."),
    rows: int = typer.Option(20_000, min=2000, help="SIMULATED people for the simulated sections."),
    scenario: Path = typer.Option(DEFAULT_SCENARIO, help="Scenario for the simulated sections."),
    as_json: bool = JsonOption,
) -> None:
    """Write report.html + report.json beside the model (simulated sections + the stored gate evidence)."""
    settings = load_settings()
    registry = registry_of(settings)
    version = resolve_version(registry, version)
    path, data = report_on_simulated(registry, version, scenario=scenario, rows=rows,
                                     first_start=is_first_start(settings, registry, version))
    emit({"version": version, "report": str(path), "gates": data["gates"]}, as_json)
    if not as_json:
        console.print(f"Report: {path}")


def report_on_simulated(registry: ModelRegistry, version: str, *, scenario: Path, rows: int,
                        first_start: bool) -> tuple[Path, dict[str, Any]]:
    """``lotse ds report``'s work: the model report on *rows* SIMULATED people (also run by the first start)."""
    catalogue = load_catalogue()
    test = simulate(load_scenario(scenario, catalogue), catalogue, rows, seed=REPORT_SEED)
    try:
        with progress_bars() as task:
            return build_model_report(registry, version, test, scenario=scenario, progress=task("report"),
                                      first_start=first_start)
    except (RegistryError, ModelLoadError) as exc:
        raise fail(str(exc)) from None


@ds_app.command("gates")
def ds_gates(version: str = typer.Argument(..., help="Model version."), as_json: bool = JsonOption) -> None:
    """List the promotion gates, the evidence each cites, and whether the version passes (exit 7 if not)."""
    settings = load_settings()
    registry = registry_of(settings)
    version = resolve_version(registry, version)
    try:
        results = check_gates(evidence_from_registry(registry, version,
                                                     first_start=is_first_start(settings, registry, version)))
    except RegistryError as exc:
        raise fail(str(exc)) from None
    emit({"version": version, "gates": gates_as_json(results)}, as_json)
    if not as_json:
        for g in results:
            console.print(f"{'[green]pass[/]' if g.passed else '[red]FAIL[/]'}  {g.gate}: {g.detail}", highlight=False)
    if any(not g.passed for g in results):
        raise typer.Exit(EXIT_GATES)


@ds_app.command("drift")
def ds_drift(window_days: int = typer.Option(DEFAULT_WINDOW_DAYS, min=1, help="Days in each compared window."),
             as_json: bool = JsonOption) -> None:
    """Input drift (PSI per feature) and job-rate drift, the log's first days against its last (aggregates only)."""
    settings = load_settings()
    with session_scope(open_engine(settings)) as session:
        report = drift_report(session, window_days=window_days, outcome_window_days=settings.outcome_window_days)
    emit(report.as_json(), as_json)
    if as_json:
        return
    if report.message:
        console.print(report.message, highlight=False)
        return
    table = Table(title=f"Input drift: first {window_days} days ({report.reference_decisions} decisions) "
                        f"against last {window_days} days ({report.recent_decisions})")
    for column in ("feature", "PSI", "status"):
        table.add_column(column)
    for f in report.features:
        table.add_row(f.feature, f"{f.psi:.3f}", f.status)
    console.print(table)
    console.print(f"PSI below {PSI_WATCH} stable, {PSI_WATCH} to {PSI_SHIFT} watch, above {PSI_SHIFT} shift. "
                  f"Shifted: {', '.join(report.shifted()) or 'none'}.", highlight=False)
    o = report.outcomes
    console.print(o.message or f"Job rate (closed outcome windows): reference {o.reference_rate:.1%}, "
                               f"recent {o.recent_rate:.1%}.", highlight=False)


def promote_through_gates(version: str, *, actor: str, force: bool, reason: str | None) -> None:
    """Promote a version only if every gate passes (or force with a reason); logged (``lotse models promote``)."""
    settings = load_settings()
    registry = registry_of(settings)
    try:
        with session_scope(open_engine(settings)) as session:
            failed = promote_with_gates(registry, version, session=session, actor=actor, force=force, reason=reason)
    except RecommenderError as exc:
        code = EXIT_GATES if exc.__class__.__name__ == "PromotionBlocked" else 2
        raise fail(str(exc), code) from None
    console.print(f"{version} is active" + (f" (forced past: {', '.join(g.gate for g in failed)})" if failed else "."))


def register(app: typer.Typer) -> None:
    app.add_typer(ds_app, name="ds")
