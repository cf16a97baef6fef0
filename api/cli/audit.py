"""``lotse audit crowding``, ``lotse killswitch on|off`` and retention: the operator's guardrail commands.

The log's own commands (``audit verify``, ``checkpoint``, ``keygen``) are in ``audit_log``.
"""

from __future__ import annotations

import json
from datetime import timedelta

import typer
from sqlmodel import Session

from api.cli import audit_log
from api.cli.app import console, load_settings, open_engine, transaction
from models.tables import utcnow
from recommender.decide.killswitch import KillSwitchError, kill_switch_on, set_kill_switch
from recommender.evaluate.crowding import MIN_PEOPLE, crowding_report
from recommender.records.retention import RetentionError, purge_expired_payloads

audit_app = typer.Typer(help="Audit the decision log and, later, fairness.", no_args_is_help=True)
killswitch_app = typer.Typer(help="Switch AI ranking off (rules only) or on again (G9).", no_args_is_help=True)


@audit_app.command("crowding")
def audit_crowding(
    days: int = typer.Option(30, min=1, help="Decisions of the last N days."),
    fail_on_alert: bool = typer.Option(False, "--fail-on-alert", help="Exit 3 if any cell is over the cap."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Kreis x occupation cells where most people get the same steering advice (G17)."""
    engine = open_engine(load_settings())
    with Session(engine) as session:
        cells = crowding_report(session, since=utcnow() - timedelta(days=days))
    if as_json:
        console.print_json(json.dumps([{**c.__dict__, "share": round(c.share, 4), "alert": c.alert} for c in cells]))
    elif not cells:
        console.print(f"No cell with at least {MIN_PEOPLE} people in the last {days} days.")
    for cell in [] if as_json else cells:
        vacancies = "unknown" if cell.vacancies is None else f"{cell.vacancies}" + (
            " (illustrative)" if cell.illustrative_vacancies else "")
        flag = "[red]ALERT[/]" if cell.alert else "ok   "
        console.print(f"{flag} Kreis {cell.region_ags}, KldB {cell.occupation_group}, {cell.module_id}: "
                      f"{cell.suggested}/{cell.people} people ({cell.share:.0%}), vacancies {vacancies}",
                      soft_wrap=True, highlight=False)
    if fail_on_alert and any(c.alert for c in cells):
        raise typer.Exit(3)


def _switch(on: bool, reason: str, actor: str) -> None:
    with transaction(KillSwitchError) as session:
        changed = set_kill_switch(session, on=on, actor_role="admin", actor_id=actor, reason=reason)
    state = "ON: advice comes from the rules baseline only" if on else "OFF: AI ranking is active"
    console.print(f"Kill switch {state}." if changed else f"Kill switch was already {'on' if on else 'off'}.")


@killswitch_app.command("on")
def killswitch_on(
    reason: str = typer.Option(..., "--reason", help="Why (logged)."),
    actor: str = typer.Option("cli", help="Who is switching (logged)."),
) -> None:
    """Stop using the model from the next request on; the rules baseline answers instead."""
    _switch(True, reason, actor)


@killswitch_app.command("off")
def killswitch_off(
    reason: str = typer.Option(..., "--reason", help="Why (logged)."),
    actor: str = typer.Option("cli", help="Who is switching (logged)."),
) -> None:
    """Use the model again from the next request on."""
    _switch(False, reason, actor)


@killswitch_app.command("status")
def killswitch_status() -> None:
    """Show whether the kill switch is on."""
    engine = open_engine(load_settings())
    with Session(engine) as session:
        console.print("on" if kill_switch_on(session) else "off")


retention_app = typer.Typer(help="Retention of personal payloads (the log itself is kept).", no_args_is_help=True)


@retention_app.command("purge")
def retention_purge(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only count what would be purged."),
    days: int | None = typer.Option(None, help="Retention in days (default LOTSE_LOG_RETENTION_DAYS, >= 180)."),
) -> None:
    """Tombstone personal payloads older than the retention period; hashes and the log stay."""
    settings = load_settings()
    with transaction(RetentionError, settings=settings) as session:
        report = purge_expired_payloads(session, retention_days=days or settings.log_retention_days, dry_run=dry_run)
    verb = "Would purge" if dry_run else "Purged"
    console.print(
        f"{verb} payloads created before {report.cutoff:%Y-%m-%d}: {report.snapshots} profile snapshots, "
        f"{report.decisions} decisions (features, diagnostic), {report.items} advice items (reasons, review texts), "
        f"{report.comments} comments."
    )


def register(app: typer.Typer) -> None:
    audit_log.register(audit_app)
    app.add_typer(audit_app, name="audit")
    app.add_typer(killswitch_app, name="killswitch")
    app.add_typer(retention_app, name="retention")
