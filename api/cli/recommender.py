"""Recommender jobs: simulate, train, evaluate, and the model registry (list/show/promote/rollback)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlmodel import Session

from api.cli.app import console, fail, load_settings, open_engine
from api.cli.ds import evaluate_on_logged, promote_through_gates, report_on_simulated, train_from_logs
from api.cli.ds_support import EXIT_GATES, is_first_start, store_of
from data.catalogue import Catalogue, CatalogueError, load_catalogue
from models.audit_store import AuditStoreError, make_audit_engine
from models.db import make_engine, session_scope
from models.migrate import upgrade
from recommender.decide.registry import ModelRegistry
from recommender.errors import (
    DuplicateModelError,
    ModelLoadError,
    RecommenderError,
    RegistryError,
    ScenarioError,
    TrainConfigError,
)
from recommender.evaluate.evaluation_report import write_report
from recommender.evaluate.experiment import run
from recommender.evaluate.first_start import PEOPLE, first_start_evidence
from recommender.evaluate.gates import GateResult, evidence_from_registry, failed_gates, promote_with_gates
from recommender.learn.train import TrainConfig
from recommender.records.chain import AuditError
from recommender.simulate.population import simulate
from recommender.simulate.scenario import DEFAULT_SCENARIO, load_scenario
from recommender.simulate.simulated_log import write_training_log

models_app = typer.Typer(help="Stored models: list, show, promote, roll back.", no_args_is_help=True)
QUICK_ROWS = 200_000  # first start: fewer rows leave the targeted modules unlearned (persona sweep)
NOT_ACTIVATED = ("Model {version} is stored but NOT active: it fails a promotion gate. Lotse gives advice by its "
                 "fixed rules until a model passes (`lotse ds gates {version}`; override only with "
                 "`lotse models promote {version} --force --reason \"...\"`).")
WAITING = ("Model {version} is stored but not active until its promotion gates pass (`lotse ds gates {version}`); "
           "Lotse gives advice by its fixed rules meanwhile. Nothing to do.")
FULL_ROWS = 1_000_000
SYSTEM_ACTOR = "system:first-start"
FIRST_START_REASON = "first start: every gate passed on SIMULATED evidence (no logged decisions yet)"
FIRST_START_EVIDENCE = ("First start: no model is active and no decision is logged, so the gates are checked on "
                        "SIMULATED people the model never saw ({people:,} each).")
PRODUCTION_REFUSED = "`lotse simulate log` writes SYNTHETIC people; it is refused when LOTSE_ENVIRONMENT=production"
STAGE_LABELS = {"production": "production (active)", "shadow": "shadow", "candidate": "candidate",
                "archived": "archived"}


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _callback(progress: Progress, label: str) -> Callable[[int, int, str], None]:
    task = progress.add_task(label, total=None)

    def update(done: int, total: int, text: str) -> None:
        progress.update(task, completed=done, total=total, description=f"{label}: {text}")

    return update


def _print_figures(title: str, rows: list[tuple[str, str]]) -> None:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)


def _registry() -> ModelRegistry:
    return ModelRegistry(load_settings().models_dir)


def _log(action: str, fn: Callable[[Session], None]) -> None:
    """Run *fn(session)* in a transaction; registry changes are only made if the event is logged."""
    settings = load_settings()
    try:
        with session_scope(open_engine(settings)) as session:
            fn(session)
    except (RegistryError, ModelLoadError, AuditError) as exc:
        raise fail(str(exc)) from None
    except Exception as exc:  # database unreachable or not migrated
        raise fail(
            f"cannot {action}: the decision log is not reachable ({exc.__class__.__name__}: {exc}); "
            "run `lotse db upgrade` first"
        ) from None


simulate_app = typer.Typer(help="SYNTHETIC data: a simulated population (default) or a training log (`log`).",
                           invoke_without_command=True)


@simulate_app.callback()
def simulate_command(
    context: typer.Context,
    scenario: Path = typer.Option(DEFAULT_SCENARIO, "--scenario", help="Scenario YAML file (docs/scenarios.md)."),
    rows: int = typer.Option(100_000, min=1, help="Number of simulated people."),
    seed: int = typer.Option(42, help="Random seed (same seed, same data)."),
    out: Path | None = typer.Option(None, help="Write the SYNTHETIC data as .npz (protected attributes separately)."),
) -> None:
    """Generate a SYNTHETIC population with logged advice, outcomes and the oracle."""
    if context.invoked_subcommand is not None:
        return
    try:
        catalogue = load_catalogue()
        world = load_scenario(scenario, catalogue)
    except (ScenarioError, CatalogueError) as exc:
        raise fail(str(exc)) from None
    started = time.perf_counter()
    with _progress() as progress:
        data = simulate(world, catalogue, rows, seed=seed, progress=_callback(progress, "simulate"))
    seconds = time.perf_counter() - started
    best = np.where(data.eligible, data.tau, -np.inf).max(axis=1)
    _print_figures(f"SYNTHETIC scenario {world.name!r}: {rows:,} people in {seconds:.1f} s", [
        ("found work within 6 months", f"{data.outcome.mean():.1%}"),
        ("no-advice share (control arm)", f"{(data.action == 0).mean():.1%}"),
        ("eligible modules per person", f"{data.eligible.sum(axis=1).mean():.1f}"),
        ("oracle: best module's true uplift", f"{100 * best[np.isfinite(best)].mean():.2f} points")])
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            out,
            features=data.features,
            action=data.action,
            propensity=data.propensity,
            outcome=data.outcome,
            p0=data.p0,
            tau=data.tau,
            eligible=data.eligible,
            module_ids=np.array(data.module_ids),
            synthetic=np.array(True),
        )
        audit_file = out.with_name(out.stem + ".protected-audit-only.npz")
        # numpy's stub types **kwds as if a key could be its bool allow_pickle, which none of ours is.
        np.savez_compressed(audit_file, **data.protected, synthetic=np.array(True))  # type: ignore[arg-type]
        console.print(f"Wrote {out} and (audit only) {audit_file}.")


@simulate_app.command("log")
def simulate_log_command(
    rows: int = typer.Option(20_000, "--rows", "--size", min=100, help="Simulated people (one decision each)."),
    scenario: Path = typer.Option(DEFAULT_SCENARIO, "--scenario", help="Scenario YAML file (docs/scenarios.md)."),
    seed: int = typer.Option(42, help="Random seed (same seed, same log)."),
    database: str | None = typer.Option(None, "--database", help="App database URL (default LOTSE_DATABASE_URL)."),
    audit_database: str | None = typer.Option(
        None, "--audit-database", help="Audit store URL for the self-reports (default LOTSE_AUDIT_DATABASE_URL)."),
    report_share: float = typer.Option(0.8, min=0.0, max=1.0, help="Share of people who volunteer a self-report."),
    spread_days: int = typer.Option(60, min=1, help="Decisions are spread over this many days."),
) -> None:
    """Write a SYNTHETIC training log (decisions, shown items, outcomes) plus audit self-reports."""
    settings = load_settings()
    if settings.environment == "production":
        raise fail(PRODUCTION_REFUSED)
    try:
        catalogue = load_catalogue()
        engine = make_engine(database or settings.database_url)
        audit_engine = make_audit_engine(audit_database or settings.audit_database_url,
                                         app_url=database or settings.database_url)
        upgrade(engine)
        with _progress() as progress:
            summary = write_training_log(engine, audit_engine, scenario, catalogue, rows=rows, seed=seed,
                                         report_share=report_share, spread_days=spread_days,
                                         progress=_callback(progress, "simulated log"))
    except (ScenarioError, CatalogueError, AuditStoreError, RecommenderError) as exc:
        raise fail(str(exc)) from None
    _print_figures(f"SYNTHETIC training log, scenario {summary.scenario!r}, seed {summary.seed}", [
        ("people (one decision each)", f"{summary.people:,}"),
        ("shown advice items", f"{summary.shown_items:,}"),
        ("found work within 6 months", f"{summary.outcome_rate:.1%}"),
        ("people with a self-report (audit store)", f"{summary.self_reports:,}"),
        ("decisions from", f"{summary.first_decision:%Y-%m-%d} to {summary.last_decision:%Y-%m-%d}")])
    console.print("Next: `lotse ds train-from-logs`, then `lotse evaluate --candidate VERSION` (docs/data-science.md).")


def train_command(
    scenario: Path = typer.Option(DEFAULT_SCENARIO, "--scenario", help="Scenario YAML file to simulate training data."),
    rows: int | None = typer.Option(
        None, min=1000, help=f"Training rows (default {FULL_ROWS:,}; --quick {QUICK_ROWS:,})."
    ),
    seed: int = typer.Option(42, help="Random seed."),
    quick: bool = typer.Option(False, "--quick", help="Small fast model (first start)."),
    if_missing: bool = typer.Option(False, "--if-missing", help="Do nothing if an active model loads."),
    promote: bool | None = typer.Option(
        None, "--promote/--no-promote", help="Make the new model active (default: only if none is active)."
    ),
    actor: str = typer.Option("data_scientist:cli", help="Who trains (logged)."),
    evaluate_rows: int | None = typer.Option(
        None, min=0, help="Held-out people for the model card's metrics (default 50,000; 0 with --quick)."
    ),
    from_logs: bool = typer.Option(False, "--from-logs", help="Train on logged decisions and outcomes instead."),
    dask_scheduler: str | None = typer.Option(
        None, "--dask-scheduler", help="With --from-logs: Dask scheduler (tcp://host:8786), 'local' = 2 workers."
    ),
    window_days: int | None = typer.Option(
        None, min=1, help="With --from-logs: job found within this many days (default LOTSE_OUTCOME_WINDOW_DAYS)."),
) -> None:
    """Train the uplift model (on SYNTHETIC simulated data until Lotse has logged outcomes)."""
    if from_logs or dask_scheduler:
        train_from_logs(window_days=window_days, partitions=16, dask_scheduler=dask_scheduler, split_at=None,
                        quick=quick, actor=actor, as_json=False)
        return
    registry = _registry()
    if if_missing:
        try:
            active = registry.load_active()
        except ModelLoadError as exc:
            console.print(f"[yellow]Active model cannot be used ({exc}); training a new one.[/]")
            active = None
        if active is not None:
            console.print(f"Active model {active.version} is present; nothing to do.")
            return
        waiting = registry.versions() if registry.active_version() is None else []
        if waiting:  # trained on an earlier start, not active until its gates pass: training again changes nothing
            console.print(WAITING.format(version=waiting[-1]))
            return
    n = rows or (QUICK_ROWS if quick else FULL_ROWS)
    try:
        config = TrainConfig.quick(seed=seed) if quick else TrainConfig(seed=seed)
        catalogue = load_catalogue()
        with _progress() as progress:
            result = run(
                scenario_path=scenario,
                rows=n,
                seed=seed,
                config=config,
                catalogue=catalogue,
                test_rows=evaluate_rows if evaluate_rows is not None else (0 if quick else 50_000),
                n_boot=50,
                on_simulate=_callback(progress, "simulate"),
                on_train=_callback(progress, "train"),
            )
    except (ScenarioError, CatalogueError, TrainConfigError) as exc:
        raise fail(str(exc)) from None
    metrics: dict[str, object] = {"quick": quick, **{k: round(v, 2) for k, v in result.timings.items()}}
    if result.evaluation:
        ev = result.evaluation
        metrics.update(
            {
                "share_of_oracle_top3": ev["share_of_oracle"],
                "uplift_vs_rules_top3": ev["uplift_vs_rules"],
                "ceiling_share_top3": ev["ceiling_share"],
                "outcome_auc": ev["outcome_auc"],
                "brier": ev["brier"],
                "ope_dr_top1": ev["off_policy_top1"]["dr"],
                "evaluated_on": f"{ev['test_rows']} held-out SYNTHETIC people",
            }
        )
    try:
        version, stored = registry.save(result.train, metrics=metrics, catalogue_version=catalogue.version), True
    except DuplicateModelError as exc:
        console.print(f"[yellow]{exc}.[/]", soft_wrap=True, highlight=False)
        version, stored = exc.version, False
    should_promote = promote if promote is not None else registry.active_version() is None
    first_start = if_missing and should_promote and is_first_start(load_settings(), registry)
    if first_start:
        _store_first_start_evidence(registry, version, scenario, catalogue)
    failed = _gate_check(registry, version, first_start=first_start) if should_promote else []
    reason = FIRST_START_REASON if first_start else "promoted at training"
    who = actor if not if_missing else SYSTEM_ACTOR

    def log(session: Session) -> None:
        if stored:
            registry.log_trained(version, session=session, actor=who)
        if should_promote and not failed:
            promote_with_gates(registry, version, session=session, actor=who, reason=reason,
                               evidence=evidence_from_registry(registry, version, first_start=first_start))

    _log("log the training", log)
    if failed:
        console.print(f"[yellow]{NOT_ACTIVATED.format(version=version)}[/]")
        for gate in failed:
            console.print(f"  FAIL {gate.gate}: {gate.detail}", highlight=False)
        should_promote = False
    kind = "new candidate" if stored else "duplicate, not stored again"
    table = Table(title=f"Model {version} ({kind}; SYNTHETIC training data, scenario {result.scenario.name!r})")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("rows", f"{n:,}")
    table.add_row("trees", str(result.train.meta.num_trees))
    if result.evaluation:
        table.add_row("top-3 share of oracle", f"{result.evaluation['share_of_oracle']:.1%}")
        table.add_row("uplift vs rules", f"{result.evaluation['uplift_vs_rules']:.2f}x")
    for key, value in result.timings.items():
        table.add_row(key.replace("_", " "), f"{value:.1f}")
    table.add_row("stage", registry.stage(version) if should_promote else
                  f"{registry.stage(version)} (promote with `lotse models promote`)")
    console.print(table)
    if failed and not if_missing:
        raise typer.Exit(EXIT_GATES)


def _gate_check(registry: ModelRegistry, version: str, *, first_start: bool) -> list[GateResult]:
    """The gates *version* fails on its stored evidence (none yet after training, except on a first start)."""
    return failed_gates(evidence_from_registry(registry, version, first_start=first_start))


def _store_first_start_evidence(registry: ModelRegistry, version: str, scenario: Path, catalogue: Catalogue) -> None:
    """Policy value, proxies, twins and the report on SIMULATED people, stored as *version*'s gate evidence."""
    console.print(FIRST_START_EVIDENCE.format(people=PEOPLE))
    store = store_of(load_settings())
    for evidence in first_start_evidence(registry.load(version), scenario, catalogue):
        store.save(evidence)
    report_on_simulated(registry, version, scenario=scenario, rows=PEOPLE, first_start=True)


def evaluate_command(
    scenario: Path = typer.Option(DEFAULT_SCENARIO, "--scenario", help="Scenario YAML file."),
    rows: int = typer.Option(FULL_ROWS, min=1000, help="Training rows."),
    test_rows: int = typer.Option(200_000, min=1000, help="Held-out people for the evaluation."),
    seed: int = typer.Option(42, help="Random seed."),
    out: Path | None = typer.Option(None, help="Report directory (default <var>/reports/)."),
    quick: bool = typer.Option(False, "--quick", help="Quick model settings."),
    candidate: str | None = typer.Option(
        None, "--candidate", help="Instead: compare this stored version with --against on the logged decisions."
    ),
    against: str = typer.Option("active", "--against", help="With --candidate: version to compare with."),
) -> None:
    """Generate -> train -> evaluate on a scenario (SYNTHETIC), or --candidate V --against active on the logs."""
    if candidate is not None:
        evaluate_on_logged(candidate=candidate, against=against, window_days=None, n_boot=200, as_json=False)
        return
    try:
        with _progress() as progress:
            result = run(
                scenario_path=scenario,
                rows=rows,
                test_rows=test_rows,
                seed=seed,
                config=TrainConfig.quick(seed=seed) if quick else TrainConfig(seed=seed),
                on_simulate=_callback(progress, "simulate"),
                on_train=_callback(progress, "train"),
            )
    except (ScenarioError, CatalogueError, TrainConfigError) as exc:
        raise fail(str(exc)) from None
    evaluation = result.evaluation or {}
    evaluation["timings"] = result.timings
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    directory = out or load_settings().var_dir / "reports"
    json_path, html_path = write_report(evaluation, directory, name=f"evaluate-{result.scenario.name}-{stamp}")
    k = evaluation["k"]
    values = evaluation["policy_value_uplift"][f"top{k}"]
    table = Table(title=f"SYNTHETIC scenario {result.scenario.name!r}: top-{k} policy value (mean true uplift)")
    table.add_column("policy")
    table.add_column("uplift (points)", justify="right")
    table.add_column("share of oracle", justify="right")
    for name, value in values.items():
        table.add_row(name, f"{100 * value:.2f}", f"{value / values['oracle']:.1%}")
    console.print(table)
    console.print(
        f"learned vs rules: {evaluation['uplift_vs_rules']:.2f}x; outcome AUC {evaluation['outcome_auc']:.3f}"
        f"{' [red](probable leakage)[/]' if evaluation['probable_leakage'] else ''}; "
        f"DR estimate error {evaluation['off_policy_top1']['dr']['error']:+.4f}"
    )
    console.print(f"Report: {html_path} and {json_path}")


@models_app.command("list")
def models_list() -> None:
    """Stored model versions with their stage: candidate, shadow, production (active) or archived."""
    infos = _registry().list_versions()
    if not infos:
        console.print("No models stored yet. Train one with `lotse train`.")
        return
    table = Table(title="Models (the version starts with its UTC creation time)")
    table.add_column("version", no_wrap=True)
    for column in ("stage", "data", "rows", "code"):
        table.add_column(column, overflow="fold")
    for info in infos:
        if info.problem is not None:
            table.add_row(info.version, info.stage, f"[red]unusable: {info.problem}[/]", "", "")
            continue
        table.add_row(
            info.version,
            STAGE_LABELS[info.stage],
            f"{'SYNTHETIC' if info.synthetic else 'real'} {info.scenario}",
            f"{info.rows:,}",
            info.code_version,
        )
    console.print(table)


@models_app.command("show")
def models_show(version: str = typer.Argument(..., help="Model version.")) -> None:
    """Metadata of one model version (features, data, metrics)."""
    try:
        meta = _registry().meta(version)
    except (RegistryError, ModelLoadError) as exc:
        raise fail(str(exc)) from None
    console.print_json(meta.model_dump_json())


@models_app.command("promote")
def models_promote(
    version: str = typer.Argument(..., help="Model version to make active."),
    actor: str = typer.Option("data_scientist:cli", help="Who promotes (logged)."),
    force: bool = typer.Option(False, "--force", help="Promote despite failed gates (needs --reason; logged)."),
    reason: str | None = typer.Option(None, "--reason", help="Why (logged; required with --force)."),
) -> None:
    """Make a stored model active only if every promotion gate passes (or --force --reason); logged."""
    promote_through_gates(version, actor=actor, force=force, reason=reason)


@models_app.command("shadow")
def models_shadow(
    version: str | None = typer.Argument(None, help="Candidate version; leave out with --off."),
    off: bool = typer.Option(False, "--off", help="Stop shadow scoring."),
    actor: str = typer.Option("data_scientist:cli", help="Who switches (logged)."),
) -> None:
    """Let a candidate score live requests beside the active model without being shown (logged)."""
    if (version is None) != off:
        raise fail("Give a version, or --off to stop shadow scoring.")
    registry = _registry()
    _log("set the shadow model", lambda session: registry.set_shadow(None if off else version, session=session,
                                                                      actor=actor))
    console.print("Shadow scoring is off." if off else f"Model {version} now scores in the shadow (never shown).")


@models_app.command("rollback")
def models_rollback(
    actor: str = typer.Option(..., help="Who rolls back (logged)."),
    reason: str = typer.Option(..., help="Why (required, logged)."),
) -> None:
    """Re-activate the previously active model (logged with the reason)."""
    registry = _registry()
    target: list[str] = []
    _log("roll back", lambda session: target.append(registry.rollback(session=session, actor=actor, reason=reason)))
    console.print(f"Rolled back; model {target[0]} is active again.")


def register(app: typer.Typer) -> None:
    app.add_typer(simulate_app, name="simulate")
    app.command("train")(train_command)
    app.command("evaluate")(evaluate_command)
    app.add_typer(models_app, name="models")
